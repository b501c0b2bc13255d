package palisade.core;

/** The store's layout: one record per path (ZooKeeper znodes in production). */
public final class StorePaths {
  public static final String CONFIG = "/config";
  public static final String COMMANDS = "/commands";
  public static final String MANAGER_LEASE = "/manager/lease";
  public static final String MANAGER_STATE = "/manager/state";
  public static final String NODES = "/nodes";
  public static final String FENCE_HISTORY = "/fence/history";
  /** Finished failovers as the API shows them, one znode each (f-SILENTMS-NODE), the newest kept. */
  public static final String FAILOVERS = "/failovers";
  /** The cluster's notification settings (webhook, SMTP): secrets, so viewers may not read it (StoreAcl). */
  public static final String NOTIFY = "/notify";
  /** The layout's version, a JSON integer (runtime.store.SchemaVersion); missing: version 1. */
  public static final String SCHEMA = "/schema";
  /** Each node's measured load (runtime.store.NodeUsage): one small record per node, written by its reporter. */
  public static final String USAGE = "/usage";
  /**
   * The timing the active manager waits by (a {@link Timing}; its L is the manager's lease timeout), written once a
   * timing was ever changed live (DESIGN "Changing timings live"). Missing: everyone runs under /config's timing.
   */
  public static final String TIMING = "/timing";

  private StorePaths() {}

  public static String node(String name) {
    return NODES + "/" + name;
  }

  public static String usage(String node) {
    return USAGE + "/" + node;
  }
}
