package palisade.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.DiskLease;
import palisade.core.NodeConfig;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.SpmRole;

/**
 * The JSON shapes of `disk list` and `spm status`, built from one {@link Inventory.Snapshot} by pure functions, like
 * {@link Inventory}: who holds each disk's lease and the SPM role, under which token, since when, and what waits.
 */
public final class StorageInventory {
  private StorageInventory() {}

  /**
   * A row of `disk list`.
   *
   * @param state {@code held}, {@code free}, or {@code waiting_for_fence}: the holder's node is silent or being
   *     fenced and keeps the lease until its fence is confirmed
   * @param resources every resource that lists the disk, sorted
   * @param waiting the resources that list it, are requested started and do not hold it
   * @param note what the state means for an operator, e.g. "waiting for fence of node3" (null: nothing to add)
   */
  public record DiskItem(String disk, String state, String node, String resource, Long token,
      @JsonProperty("since_ms") Long sinceMs, @JsonProperty("since_utc") String sinceUtc,
      @JsonProperty("node_state") String nodeState, List<String> resources, List<String> waiting, String note) {}

  /**
   * `spm status`: the holder (null fields when none) and the nodes that may hold the role.
   *
   * @param moveTo the node an operator's `spm move` named, until the hand-over is done
   * @param candidates the nodes whose spm_priority allows the role, highest priority first ("node1 (5)")
   */
  public record SpmItem(String node, Long token, boolean releasing, @JsonProperty("move_to") String moveTo,
      @JsonProperty("since_ms") Long sinceMs, @JsonProperty("since_utc") String sinceUtc,
      @JsonProperty("node_state") String nodeState, List<String> candidates) {}

  /** Every disk a resource lists or a lease names, sorted by name. */
  public static List<DiskItem> disks(Inventory.Snapshot s) {
    TreeMap<String, TreeSet<String>> users = new TreeMap<>();
    for (String d : s.state().disks().keySet()) users.put(d, new TreeSet<>());
    if (s.config() != null) {
      for (ResourceConfig rc : s.config().resources().values()) {
        for (String d : rc.disks()) users.computeIfAbsent(d, k -> new TreeSet<>()).add(rc.id());
      }
    }
    List<DiskItem> out = new ArrayList<>();
    for (var e : users.entrySet()) {
      out.add(disk(s, e.getKey(), e.getValue()));
    }
    return out;
  }

  private static DiskItem disk(Inventory.Snapshot s, String disk, TreeSet<String> users) {
    DiskLease l = s.state().disks().get(disk);
    List<String> waiting = new ArrayList<>();
    for (String id : users) {
      ResourceConfig rc = s.config() == null ? null : s.config().resources().get(id);
      if (rc != null && rc.state() == RequestState.STARTED && (l == null || !l.resource().equals(id))) {
        waiting.add(id);
      }
    }
    if (l == null) {
      return new DiskItem(disk, "free", null, null, null, null, null, null, List.copyOf(users), waiting,
          waiting.isEmpty() ? null : "free; wanted by " + String.join(", ", waiting));
    }
    NodeStatus st = s.state().nodes().get(l.node());
    NodeState ns = st == null ? null : st.state();
    boolean silent = ns == NodeState.UNKNOWN || ns == NodeState.FENCING || ns == NodeState.FENCED;
    String note = silent ? "waiting for fence of " + l.node() : null;
    if (!waiting.isEmpty()) {
      note = (note == null ? "" : note + "; ") + "then for " + String.join(", ", waiting);
    }
    return new DiskItem(disk, silent ? "waiting_for_fence" : "held", l.node(), l.resource(), l.token(),
        l.sinceMs() > 0 ? l.sinceMs() : null, Inventory.utc(l.sinceMs()), ns == null ? null : ns.label(),
        List.copyOf(users), waiting, note);
  }

  /** The SPM role as the manager's state names it, and who may hold it. */
  public static SpmItem spm(Inventory.Snapshot s) {
    List<NodeConfig> eligible = new ArrayList<>();
    if (s.config() != null) {
      for (NodeConfig n : s.config().nodes().values()) {
        if (n.spmPriority() >= 0) eligible.add(n);
      }
    }
    // highest priority first, then by name (the node map is sorted and the sort is stable)
    eligible.sort((a, b) -> Integer.compare(b.spmPriority(), a.spmPriority()));
    List<String> candidates = eligible.stream().map(n -> n.name() + " (" + n.spmPriority() + ")").toList();
    SpmRole r = s.state().spm();
    if (r == null) return new SpmItem(null, null, false, null, null, null, null, candidates);
    NodeStatus st = s.state().nodes().get(r.node());
    return new SpmItem(r.node(), r.token(), r.releasing(), r.moveTo(), r.sinceMs() > 0 ? r.sinceMs() : null,
        Inventory.utc(r.sinceMs()), st == null ? null : st.state().label(), candidates);
  }
}
