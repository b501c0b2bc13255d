package palisade.cli;

import java.util.TreeMap;
import palisade.core.ClusterConfig;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.web.Inventory;

/** The store as the read commands see it: one snapshot (config, manager state, node records, fence history). */
final class Reads {
  /** How many of the newest events `resource show` searches for the resource's own. */
  static final int EVENTS_SCANNED_MAX = 500;
  /** How many of them it shows. */
  static final int EVENTS_SHOWN_MAX = 10;

  private Reads() {}

  /** The snapshot; a cluster without a configuration yet is refused (exit 1), as `status` does. */
  static Inventory.Snapshot snapshot(Admin admin) throws Exception {
    ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
    TreeMap<String, NodeRecord> records = new TreeMap<>();
    for (String n : cfg.nodes().keySet()) {
      NodeRecord r = admin.value(StorePaths.node(n), NodeRecord.class);
      if (r != null) records.put(n, r);
    }
    return new Inventory.Snapshot(cfg, admin.value(StorePaths.MANAGER_STATE, ManagerState.class), records,
        admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class));
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
