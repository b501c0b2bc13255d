package palisade.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import palisade.core.ClusterConfig;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeRecord;
import palisade.core.NodeStatus;
import palisade.core.ResourceConfig;
import palisade.core.ResourceResult;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.runtime.store.Admin;

/**
 * The JSON shapes of the CLI's inventory reads (`resource list|show`, `node list`, and what `status` adds: fenced
 * nodes, failed actions, fence devices), one record per object, snake_case, built from one snapshot of the store by
 * pure functions so the table and the JSON cannot disagree. Like {@link Api}: no resource option value (a command or
 * a secret may be one), no fence device option. Times are epoch milliseconds ({@code *_ms}) with the same instant
 * in UTC ISO-8601 ({@code *_utc}) beside them.
 */
public final class Inventory {
  private Inventory() {}

  /** One formatter for every time the CLI prints: UTC, ISO-8601, milliseconds, a fixed width. */
  public static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'",
      Locale.ROOT).withZone(ZoneOffset.UTC);

  public static String utc(long epochMs) {
    return epochMs <= 0 ? null : UTC.format(Instant.ofEpochMilli(epochMs));
  }

  /** What the store holds, read once: the configuration, the manager's state, every node's record, fence history. */
  public record Snapshot(ClusterConfig config, ManagerState state, SortedMap<String, NodeRecord> records,
      FenceHistory history) {
    public Snapshot {
      state = state == null ? ManagerState.empty() : state;
      records = records == null ? new TreeMap<>() : new TreeMap<>(records);
      history = history == null ? FenceHistory.empty() : history;
    }

    /** Every resource id the configuration or the manager knows, sorted. */
    TreeSet<String> resourceIds() {
      TreeSet<String> ids = new TreeSet<>(state.services().keySet());
      if (config != null) ids.addAll(config.resources().keySet());
      return ids;
    }
  }

  /** A row of `resource list`: configured and decided state side by side, with its failure counts. */
  public record ResourceItem(String id, String type, String request, String state, String node, String target,
      String group, int priority, Long token, @JsonProperty("failed_starts") int failedStarts,
      @JsonProperty("max_restart") Integer maxRestart, @JsonProperty("tried_nodes") List<String> triedNodes,
      @JsonProperty("max_relocate") Integer maxRelocate) {}

  /** A resource's last result as its node's agent reported it. */
  public record LastResult(String node, long token, String outcome) {}

  /** `resource show ID`: everything about one resource (option names only: their values may be secrets). */
  public record ResourceDetail(String id, String type, String request, String state, String node, String target,
      Long token, String group, int priority, @JsonProperty("failed_starts") int failedStarts,
      @JsonProperty("max_restart") Integer maxRestart, @JsonProperty("tried_nodes") List<String> triedNodes,
      @JsonProperty("max_relocate") Integer maxRelocate, List<String> disks,
      @JsonProperty("option_names") List<String> optionNames, @JsonProperty("initial_node") String initialNode,
      @JsonProperty("maintenance_node") String maintenanceNode,
      @JsonProperty("migration_failed") boolean migrationFailed, @JsonProperty("last_result") LastResult lastResult,
      @JsonProperty("recent_events") List<Map<String, Object>> recentEvents) {}

  /** The last fence confirmation of a node: how (watchdog, power, manual), when, by whom. */
  public record LastFence(String node, String kind, @JsonProperty("at_ms") long atMs,
      @JsonProperty("at_utc") String atUtc, String by, @JsonProperty("current_state") String currentState) {}

  /** A row of `node list`. */
  public record NodeItem(String name, String state, long generation, String agent, boolean watchdog,
      @JsonProperty("watchdog_kind") String watchdogKind, @JsonProperty("spm_priority") int spmPriority,
      boolean spm, @JsonProperty("resources_running") int resourcesRunning,
      @JsonProperty("fence_levels") List<List<String>> fenceLevels, @JsonProperty("manual_only") boolean manualOnly,
      @JsonProperty("agent_only") boolean agentOnly, @JsonProperty("shutdown_policy") String shutdownPolicy,
      @JsonProperty("lease_age_seconds") Double leaseAgeSeconds, @JsonProperty("last_fence") LastFence lastFence,
      NodeLoad load) {}

  /** A resource whose start, stop or migration failed, or that is in error: what, where, how often. */
  public record FailedAction(String resource, String node, String state,
      @JsonProperty("last_outcome") String lastOutcome, @JsonProperty("failed_starts") int failedStarts, @JsonProperty("tried_nodes") List<String> triedNodes) {}

  /** One store peer as it answers ZooKeeper's `srvr`: leader, follower, standalone, or null (no answer). */
  public record StorePeer(String address, String mode) {}

  /**
   * The store's health as the CLI sees it: each peer's mode, the leader, how many serve, and whether a quorum served
   * this read (a ZooKeeper server outside a quorum serves no client).
   */
  public record StoreHealth(List<StorePeer> peers, String leader, int serving, boolean quorum) {}

  /**
   * A fence device as the cluster's fence levels name it (its options and secrets stay on the hosts), with its last
   * periodic status check (fence_device_check): when, ok or failed, and the answer; null while never checked.
   */
  public record FenceDeviceUse(String device, String node, int level,
      @JsonProperty("last_check_utc") String lastCheckUtc, String health, String detail) {}

  public static List<ResourceItem> resources(Snapshot s) {
    List<ResourceItem> out = new ArrayList<>();
    for (String id : s.resourceIds()) {
      ResourceConfig rc = s.config() == null ? null : s.config().resources().get(id);
      ServiceStatus ss = s.state().services().get(id);
      out.add(new ResourceItem(id, rc == null ? null : rc.type(), rc == null ? "removed" : label(rc.state().name()),
          ss == null ? null : ss.state().label(), ss == null ? null : ss.node(), ss == null ? null : ss.target(),
          rc == null ? null : rc.group(), rc == null ? 0 : rc.priority(), ss == null ? null : ss.token(),
          ss == null ? 0 : ss.failedStarts(), rc == null ? null : rc.maxRestart(),
          ss == null ? List.of() : List.copyOf(ss.triedNodes()), rc == null ? null : rc.maxRelocate()));
    }
    return out;
  }

  /** Whether the configuration or the manager knows the resource. */
  public static boolean known(Snapshot s, String id) {
    return s.state().services().containsKey(id) || s.config() != null && s.config().resources().containsKey(id);
  }

  /**
   * One resource, or null when neither the configuration nor the manager knows it; with the last
   * {@code eventsMax} of {@code events} (oldest first) that name it.
   */
  public static ResourceDetail resource(Snapshot s, String id, List<Admin.Event> events, int eventsMax) {
    ResourceConfig rc = s.config() == null ? null : s.config().resources().get(id);
    ServiceStatus ss = s.state().services().get(id);
    if (rc == null && ss == null) return null;
    LastResult last = null;
    String node = ss != null ? ss.node() : rc.node();
    NodeRecord rec = node == null ? null : s.records().get(node);
    if (rec != null && rec.results().get(id) != null) {
      ResourceResult r = rec.results().get(id);
      last = new LastResult(node, r.token(), label(r.outcome().name()));
    }
    List<Admin.Event> named = mentioning(events, id);
    List<Map<String, Object>> mine = new ArrayList<>();
    for (Admin.Event e : named.subList(Math.max(0, named.size() - eventsMax), named.size())) mine.add(Api.event(e));
    return new ResourceDetail(id, rc == null ? null : rc.type(), rc == null ? "removed" : label(rc.state().name()),
        ss == null ? null : ss.state().label(), ss == null ? null : ss.node(), ss == null ? null : ss.target(),
        ss == null ? null : ss.token(), rc == null ? null : rc.group(), rc == null ? 0 : rc.priority(),
        ss == null ? 0 : ss.failedStarts(), rc == null ? null : rc.maxRestart(),
        ss == null ? List.of() : List.copyOf(ss.triedNodes()), rc == null ? null : rc.maxRelocate(),
        rc == null ? List.of() : rc.disks(), rc == null ? List.of() : List.copyOf(rc.options().keySet()),
        rc == null ? null : rc.node(), ss == null ? null : ss.maintenanceNode(), ss != null && ss.migrationFailed(),
        last, mine);
  }

  /**
   * The events that name the resource as a word: `vm:101` matches "vm:101: started -> fence" and "moved vm:101.",
   * never "vm:1010".
   */
  static List<Admin.Event> mentioning(List<Admin.Event> events, String id) {
    Pattern word = Pattern.compile("(?<![\\w:.-])" + Pattern.quote(id) + "(?![\\w-]|[.:]\\w)");
    return events.stream().filter(e -> e.message() != null && word.matcher(e.message()).find()).toList();
  }

  public static List<NodeItem> nodes(Snapshot s, Map<String, Double> leaseAges) {
    return nodes(s, leaseAges, Map.of());
  }

  /** The nodes with their measured load ({@link NodeLoad}; null for a node without a usage record). */
  public static List<NodeItem> nodes(Snapshot s, Map<String, Double> leaseAges, Map<String, NodeLoad> loads) {
    List<NodeItem> out = new ArrayList<>();
    if (s.config() == null) return out;
    Map<String, LastFence> fences = lastFences(s);
    for (NodeConfig n : s.config().nodes().values()) {
      NodeStatus st = s.state().nodes().get(n.name());
      NodeRecord rec = s.records().get(n.name());
      int running = 0;
      for (ServiceStatus ss : s.state().services().values()) {
        if (n.name().equals(ss.node()) && ss.state() == ServiceState.STARTED) running++;
      }
      out.add(new NodeItem(n.name(), st == null ? null : label(st.state().name()),
          st == null ? 0 : st.generation(), agent(rec), n.watchdog(), rec == null ? null : rec.watchdog(),
          n.spmPriority(), s.state().spm() != null && n.name().equals(s.state().spm().node()), running,
          n.fenceLevels(), n.manualOnly(), n.agentOnly(), label(s.config().shutdownPolicyOf(n.name()).name()),
          leaseAges.get(n.name()), fences.get(n.name()), loads.get(n.name())));
    }
    return out;
  }

  /** What the node's agent says it is doing: its mode, fenced, or never seen. */
  static String agent(NodeRecord rec) {
    if (rec == null) return "never seen";
    return rec.fenced() ? "fenced" : label(rec.mode().name());
  }

  /**
   * The last confirmed fence of each node, from the fence history: a watchdog or manual confirmation (the manager's
   * level-0 lines) or a device's confirmed power-off (a fence summary); by node name.
   */
  public static SortedMap<String, LastFence> lastFences(Snapshot s) {
    SortedMap<String, LastFence> out = new TreeMap<>();
    for (FenceEntry e : s.history().entries()) {
      boolean confirmation = e.level() == 0 && (FenceEntry.WATCHDOG.equals(e.result())
          || FenceEntry.MANUAL.equals(e.result()) || FenceEntry.AGENT.equals(e.result()));
      boolean powerOff = FenceEntry.SUMMARY.equals(e.action()) && FenceEntry.OFF_CONFIRMED.equals(e.result());
      if (!confirmation && !powerOff) continue;
      long at = e.endedMs() > 0 ? e.endedMs() : e.startedMs();
      NodeStatus st = s.state().nodes().get(e.target());
      LastFence f = new LastFence(e.target(), e.kind(), at, utc(at), e.executor(),
          st == null ? null : label(st.state().name()));
      LastFence before = out.get(e.target());
      if (before == null || before.atMs() <= at) out.put(e.target(), f); // oldest first: the last one stays
    }
    return out;
  }

  public static List<FailedAction> failedActions(Snapshot s) {
    List<FailedAction> out = new ArrayList<>();
    for (Map.Entry<String, ServiceStatus> e : s.state().services().entrySet()) {
      ServiceStatus ss = e.getValue();
      NodeRecord rec = ss.node() == null ? null : s.records().get(ss.node());
      ResourceResult r = rec == null ? null : rec.results().get(e.getKey());
      boolean lastFailed = r != null && r.outcome().name().endsWith("_FAILED");
      if (ss.hasFailed() || lastFailed) {
        out.add(new FailedAction(e.getKey(), ss.node(), ss.state().label(), r == null ? null
            : label(r.outcome().name()), ss.failedStarts(), List.copyOf(ss.triedNodes())));
      }
    }
    return out;
  }

  /** Every fence device the cluster's fence levels name, by device, node and level. */
  public static List<FenceDeviceUse> fenceDevices(ClusterConfig config, FenceHistory history) {
    List<FenceDeviceUse> out = new ArrayList<>();
    if (config == null) return out;
    for (NodeConfig n : config.nodes().values()) {
      for (int level = 0; level < n.fenceLevels().size(); level++) {
        for (String d : n.fenceLevels().get(level)) {
          FenceEntry check = history == null ? null : history.lastCheck(d);
          out.add(new FenceDeviceUse(d, n.name(), level + 1, check == null ? null : utc(check.startedMs()),
              check == null ? null : check.checkOk() ? "ok" : "failed",
              check == null ? null : check.result() + " (via " + check.executor() + ")"));
        }
      }
    }
    out.sort(java.util.Comparator.comparing(FenceDeviceUse::device).thenComparing(FenceDeviceUse::node)
        .thenComparingInt(FenceDeviceUse::level));
    return out;
  }

  private static String label(String enumName) {
    return enumName.toLowerCase(Locale.ROOT);
  }
}
