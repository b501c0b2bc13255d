package palisade.core;

/**
 * The manager's order that proxy restart target's silent daemon over SSH, once per silence episode (DESIGN "Soft
 * fencing"). attempt is a fresh token; the proxy's history line names it.
 */
public record SoftFenceOrder(String target, long attempt, String proxy) {
  public SoftFenceOrder {
    Check.that(target != null && proxy != null && !target.equals(proxy) && attempt > 0,
        "soft fence order %s via %s attempt %s", target, proxy, attempt);
  }
}
