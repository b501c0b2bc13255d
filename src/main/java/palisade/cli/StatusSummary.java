package palisade.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Layout2;

/**
 * `palisade status` on a large cluster: the resources as totals from the census the store's heads keep (store
 * layout 2, counted by every write), instead of a line each. It reads the two heads, the nodes' entries of the
 * configuration and of the manager's state, and the disk leases: a few thousand znodes, where the whole listing
 * reads every resource's configuration and status (100,000 znodes at 50,000 resources).
 *
 * @param config the configuration with its nodes alone (no resources: not one to write back)
 * @param state the manager's state with its nodes and disks (its services only when a node is being fenced and the
 *     per-resource fence grace needs them), or null before a manager decided
 */
record StatusSummary(ClusterConfig config, ManagerState state, long resources, long statuses,
    SortedMap<String, Long> requested, SortedMap<String, Long> states) {
  /** Up to this many resources `status` lists each; above, it sums them up unless asked with --all. */
  static final long LIST_UP_TO = 1_000;

  /**
   * The summary, or null when the listing is asked for or the store cannot give one (layout 1, no configuration, or
   * a head without a census: written by an older release).
   */
  static StatusSummary read(Admin admin, boolean all, boolean forced) throws Exception {
    if (all) return null;
    Layout2.Head cfgHead = admin.head(StorePaths.CONFIG);
    Layout2.Head stateHead = admin.head(StorePaths.MANAGER_STATE);
    Map<String, Long> requested = census(cfgHead, "resources");
    Map<String, Long> states = stateHead == null ? Map.of() : census(stateHead, "services");
    if (requested == null || states == null) return null;
    long count = cfgHead.sums().containsKey("resources") ? cfgHead.sums().get("resources").count() : 0;
    if (!forced && count <= LIST_UP_TO) return null;
    ClusterConfig cfg = (ClusterConfig) admin.readPart(StorePaths.CONFIG, List.of("nodes")).value();
    var read = stateHead == null ? null : admin.readPart(StorePaths.MANAGER_STATE, List.of("nodes", "disks"));
    ManagerState ms = read == null ? null : (ManagerState) read.value();
    if (ms != null && cfg.fence().gracePerResourceMs() > 0
        && ms.nodes().values().stream().anyMatch(s -> s.state() == NodeState.FENCING)) {
      ms = (ManagerState) admin.readPart(StorePaths.MANAGER_STATE, List.of("nodes", "disks", "services")).value();
    }
    long statuses = stateHead != null && stateHead.sums().containsKey("services")
        ? stateHead.sums().get("services").count() : 0;
    return new StatusSummary(cfg, ms, count, statuses, new TreeMap<>(requested), new TreeMap<>(states));
  }

  /** The head's census of a counted map, or null without one. */
  private static Map<String, Long> census(Layout2.Head head, String field) {
    if (head == null || head.census() == null) return null;
    return head.census().getOrDefault(field, new TreeMap<>());
  }

  /**
   * {@code resources: 50000 (started 1000, stopped 49000 requested)}, then the manager's states and how many
   * resources have failed actions; and where the list of each is.
   */
  void print(PrintStream out) {
    out.println("resources: " + resources + " (" + classes(requested, Layout2.REQUEST, " requested") + "); each is "
        + "listed by `palisade status --all` or `palisade resource list`");
    out.println("  states:  " + (states.isEmpty() ? "none yet (no manager has decided)"
        : classes(states, Layout2.STATE, "")));
    long failed = states.getOrDefault(Layout2.FAILED, 0L);
    out.println("  failed actions: " + (failed == 0 ? "none"
        : failed + " resources in error or with failed starts or migrations (`palisade status --all` lists them)"));
  }

  /**
   * `status --summary -o json`'s "resources_summary": {"total": configured resources, "requested": {state: n},
   * "states": {state: n} (the manager's statuses), "failed_actions": n}.
   */
  Map<String, Object> json() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("total", resources);
    m.put("requested", strip(requested, Layout2.REQUEST));
    m.put("states", strip(states, Layout2.STATE));
    m.put("failed_actions", states.getOrDefault(Layout2.FAILED, 0L));
    return m;
  }

  private static SortedMap<String, Long> strip(SortedMap<String, Long> census, String prefix) {
    SortedMap<String, Long> out = new TreeMap<>();
    census.forEach((c, n) -> {
      if (c.startsWith(prefix)) out.put(c.substring(prefix.length()), n);
    });
    return out;
  }

  /** `started 1000, stopped 49000` from the census classes with prefix, followed by suffix; `none`. */
  private static String classes(SortedMap<String, Long> census, String prefix, String suffix) {
    StringBuilder sb = new StringBuilder();
    strip(census, prefix).forEach((c, n) -> sb.append(sb.length() > 0 ? ", " : "").append(c).append(' ').append(n));
    return sb.length() == 0 ? "none" : sb.append(suffix).toString();
  }
}
