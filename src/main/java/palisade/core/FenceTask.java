package palisade.core;

import java.util.List;

/**
 * The manager's order to power-fence target: the proxy runs the levels in order (all devices of a level together,
 * each must confirm off), then powers the target on again. attempt is a fresh token per try; generation is the
 * fenced lease generation the order belongs to: its confirmation counts for that fence episode only.
 *
 * @param repair true for a repair (DESIGN "Repair after a fence"): the same power cycle of a node whose fence the
 *     watchdog already confirmed; it confirms nothing, and its history lines say `cycle`
 * @param proxyReason why the manager chose this proxy ({@link FenceProxies}), for the proxy's history line; null in
 *     an order written before the choice had reasons
 */
public record FenceTask(String target, long attempt, long generation, String proxy, List<List<String>> levels,
    boolean repair, String proxyReason) {

  public FenceTask(String target, long attempt, long generation, String proxy, List<List<String>> levels,
      boolean repair) {
    this(target, attempt, generation, proxy, levels, repair, null);
  }

  public FenceTask {
    levels = levels.stream().map(List::copyOf).toList();
    Check.that(!levels.isEmpty(), "fence task for %s without levels", target);
  }

  /** A fence order (not a repair). */
  public FenceTask(String target, long attempt, long generation, String proxy, List<List<String>> levels) {
    this(target, attempt, generation, proxy, levels, false);
  }
}
