package palisade.cli;

import java.io.PrintStream;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.web.Inventory;
import picocli.CommandLine.Mixin;

/** The store as the read commands see it: one snapshot (config, manager state, node records, fence history). */
final class Reads {
  /** How many of the newest events `resource show` searches for the resource's own. */
  static final int EVENTS_SCANNED_MAX = 500;
  /** How many of them it shows. */
  static final int EVENTS_SHOWN_MAX = 10;

  private Reads() {}

  /**
   * A read command of the store in one shape: open the store as {@code store} says, {@link #read}, print (with
   * {@code -o json} the body {@link #json} makes of it, else the {@link #table}); exit 0.
   */
  abstract static class StoreRead<T> implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    OutputOption output = new OutputOption();

    abstract T read(Admin admin) throws Exception;

    /** The JSON body: the value itself unless a command wraps it. */
    Object json(T value) {
      return value;
    }

    abstract void table(T value, PrintStream out);

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        T v = read(admin);
        output.print(json(v), out -> table(v, out));
      }
      return 0;
    }
  }

  /** The snapshot; a cluster without a configuration yet is refused (exit 1), as `status` does. */
  static Inventory.Snapshot snapshot(Admin admin) throws Exception {
    ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
    return snapshot(admin, cfg, admin.value(StorePaths.MANAGER_STATE, ManagerState.class));
  }

  /** {@link #snapshot(Admin)} over the configuration, state and node records given (as `status` read them). */
  static Inventory.Snapshot snapshot(Admin admin, ClusterConfig cfg, ManagerState ms,
      java.util.SortedMap<String, NodeRecord> records) throws Exception {
    return new Inventory.Snapshot(cfg, ms, records, admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class));
  }

  /** {@link #snapshot(Admin)} over the configuration and state given. */
  static Inventory.Snapshot snapshot(Admin admin, ClusterConfig cfg, ManagerState ms) throws Exception {
    TreeMap<String, NodeRecord> records = new TreeMap<>();
    for (String n : cfg.nodes().keySet()) {
      NodeRecord r = admin.value(StorePaths.node(n), NodeRecord.class);
      if (r != null) records.put(n, r);
    }
    return new Inventory.Snapshot(cfg, ms, records, admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class));
  }

  /** Each node's measured load from the usage records given (nodes without one left out). */
  static java.util.SortedMap<String, palisade.web.NodeLoad> loads(ClusterConfig cfg,
      java.util.SortedMap<String, palisade.runtime.store.NodeUsage> usage) {
    return palisade.web.NodeLoad.of(cfg, usage, System.currentTimeMillis());
  }

  /** "cpu 1.02/4, mem 350M/23.5G" (and "stale" for a record placement no longer counts), or null. */
  static String load(palisade.web.NodeLoad l) {
    return l == null ? null : l.cpu() + " cpu, " + l.memory() + " mem" + (l.stale() ? " (stale)" : "");
  }

  static String time(long epochMs) {
    String t = Inventory.utc(epochMs);
    return t == null ? "-" : t;
  }

  /** "1/3": used of allowed; "-" when the limit is unknown (a removed resource). */
  static String ofMax(int used, Integer max) {
    return max == null ? Integer.toString(used) : used + "/" + max;
  }
}
