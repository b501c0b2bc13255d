package palisade.core;

/** Everything the manager may touch; the runtime and the simulator each plug one in. */
public interface ManagerEnv {
  String node();

  StoreClient store();

  EventLog log();

  /**
   * The host's wall clock at the manager's nowMs, only to stamp the fence-history lines the manager writes (a
   * confirmation's time, as the proxies stamp device calls); never an input to a decision. Defaults to nowMs.
   */
  default long wallClockMs(long nowMs) {
    return nowMs;
  }

  /**
   * The CPU and memory each running resource was last measured using, as its node's agent reported it: the input of
   * {@code crs=dynamic}. Empty when nothing is measured (resources then count their configured figures).
   */
  default java.util.SortedMap<String, Capacity> measuredUsage() {
    return java.util.Collections.emptySortedMap();
  }

  /**
   * Each node's capacity (CPUs, memory) as its agent reported it: weighed where the configuration states none.
   * Empty when nothing reports (the simulator's capacities are all configured).
   */
  default java.util.SortedMap<String, Capacity> reportedCapacity() {
    return java.util.Collections.emptySortedMap();
  }
}
