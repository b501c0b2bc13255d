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
 * @param saving null for a fence or a repair; OFF or ON for power saving's order ({@link PowerSaving}): the proxy
 *     only powers the standby target off (status first, off, status until off) or only on (on, status until on). It
 *     confirms no fence; its generation is the node status's, and the proxy runs it only while the target is standby
 */
public record FenceTask(String target, long attempt, long generation, String proxy, List<List<String>> levels,
    boolean repair, String proxyReason, PowerAction saving) {

  public FenceTask(String target, long attempt, long generation, String proxy, List<List<String>> levels,
      boolean repair, String proxyReason) {
    this(target, attempt, generation, proxy, levels, repair, proxyReason, null);
  }

  public FenceTask(String target, long attempt, long generation, String proxy, List<List<String>> levels,
      boolean repair) {
    this(target, attempt, generation, proxy, levels, repair, null);
  }

  public FenceTask {
    levels = levels.stream().map(List::copyOf).toList();
    Check.that(!levels.isEmpty(), "fence task for %s without levels", target);
    Check.that(saving == null || (!repair && saving != PowerAction.STATUS), "power saving order for %s: %s%s",
        target, saving, repair ? " as a repair" : "");
  }

  /** A fence order (not a repair). */
  public FenceTask(String target, long attempt, long generation, String proxy, List<List<String>> levels) {
    this(target, attempt, generation, proxy, levels, false);
  }
}
