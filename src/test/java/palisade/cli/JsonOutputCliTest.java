package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.cli.TlsStore.Run;
import palisade.core.ClusterConfig;
import palisade.core.ConfirmKind;
import palisade.core.FenceConfirmation;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.GroupConfig;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.SpmRole;
import palisade.core.StorePaths;
import palisade.runtime.daemon.Telemetry;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credentials;
import palisade.runtime.store.NotifySettings;
import palisade.web.Api;

/**
 * `-o json` on `status`, `events`, `fence history` and `notify show` against a TLS store in this JVM: each prints
 * what the HTTP API answers for the same store state (the API's code, fed the same snapshot), with the field names
 * the API documents, no secret, and a bad --output is refused naming the option.
 */
class JsonOutputCliTest {
  @TempDir
  static Path dir;

  static TlsStore store;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    store = new TlsStore(dir, "jsoncli", "127.0.2.4", 33_000);
  }

  @AfterAll
  static void stop() {
    if (store != null) store.close();
  }

  private static JsonNode ok(String... args) throws Exception {
    Run r = store.palisade(TlsStore.ADMIN, args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isZero();
    assertThat(r.err()).isEmpty();
    return JSON.readTree(r.out());
  }

  /** The API's body as a client reads it off the wire (written, then parsed, so numbers compare alike). */
  private static JsonNode tree(Object body) throws Exception {
    return JSON.readTree(JSON.writeValueAsString(body));
  }

  private static List<String> fields(JsonNode object) {
    List<String> out = new ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void statusIsTheApisClusterNodesResourcesAndGroups() throws Exception {
    // before any configuration: a JSON answer that says so, exit 1 as the table's
    Run none = store.palisade(TlsStore.ADMIN, "status", "-o", "json");
    assertThat(none.exit()).as(none.err()).isEqualTo(1);
    assertThat(JSON.readTree(none.out()).get("error").asText()).isEqualTo("no configuration in the store yet");

    ManagerState ms = seedCluster();
    JsonNode out = ok("status", "-o", "json");
    assertThat(fields(out)).containsExactly("cluster", "nodes", "resources", "groups", "store", "fencing",
        "failed_actions", "fence_devices", "ha");
    assertThat(fields(out.get("ha"))).containsExactly("mode", "kind", "label", "waiting_for");
    assertThat(out.get("ha").get("mode").asText()).isEqualTo("armed");

    Telemetry.Tick tick = new Telemetry.Tick(true, true, ms, null);
    assertThat(out.get("cluster")).isEqualTo(tree(Api.cluster("jsoncli", null, tick)));
    assertThat(out.get("resources")).isEqualTo(tree(Api.resources(tick).get("resources")));
    try (Admin a = store.admin()) {
      assertThat(out.get("groups")).isEqualTo(tree(Api.groups(a.value(StorePaths.CONFIG, ClusterConfig.class))
          .get("groups")));
    }
    // the lease age is the store's clock against ours: a number for node1 (it has a record), null for node2
    JsonNode nodes = out.get("nodes");
    assertThat(nodes.get(0).get("lease_age_seconds").isNumber()).as(nodes.toString()).isTrue();
    assertThat(nodes.get(0).get("lease_age_seconds").asDouble()).isBetween(0.0, 60.0);
    assertThat(nodes.get(1).get("lease_age_seconds").isNull()).isTrue();
    Map<String, Double> ages = Map.of("node1", nodes.get(0).get("lease_age_seconds").asDouble());
    // the API's nodes, each with the measured "load" status adds (null: no /usage record yet)
    JsonNode apiShape = nodes.deepCopy();
    apiShape.forEach(n -> ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("load"));
    assertThat(apiShape).isEqualTo(tree(Api.nodes(tick, ages).get("nodes")));
    assertThat(nodes.get(0).has("load")).isTrue();

    // what a script relies on, as docs/RUNTIME.md's API table names it
    assertThat(fields(out.get("cluster"))).containsExactly("cluster", "answered_by", "manager_epoch", "nodes",
        "resources", "spm");
    assertThat(out.get("cluster").get("answered_by").isNull()).as("the CLI is no node").isTrue();
    assertThat(out.get("cluster").get("manager_epoch").asLong()).isEqualTo(7);
    assertThat(out.at("/cluster/spm/node").asText()).isEqualTo("node1");
    assertThat(fields(nodes.get(1))).containsExactly("name", "state", "generation", "lease_age_seconds",
        "fence_confirmation", "load");
    assertThat(nodes.get(1).get("state").asText()).isEqualTo("fenced");
    assertThat(nodes.at("/1/fence_confirmation/kind").asText()).isEqualTo("manual");
    assertThat(fields(out.at("/resources/0"))).containsExactly("id", "state", "node", "target", "token",
        "failed_starts");
    assertThat(out.at("/resources/0/id").asText()).isEqualTo("vm:101");
    assertThat(out.at("/resources/0/node").asText()).isEqualTo("node1");
    assertThat(out.at("/resources/0/token").asLong()).isEqualTo(4);
    assertThat(out.toString()).as("never a resource's command").doesNotContain("sleep 1000");
    assertThat(out.at("/groups/0/name").asText()).isEqualTo("web");
    assertThat(out.at("/groups/0/nodes/node2").asInt()).isEqualTo(2);
    // the store's health: one peer, asked with srvr, serving alone; this read had a quorum
    assertThat(out.at("/store/quorum").asBoolean()).isTrue();
    assertThat(out.at("/store/peers/0/address").asText()).isEqualTo(store.connect);
    assertThat(out.at("/store/peers/0/mode").asText()).isEqualTo("standalone");
    assertThat(out.at("/store/leader").asText()).isEqualTo(store.connect);
    assertThat(out.at("/store/serving").asInt()).isEqualTo(1);
    // --summary on a store whose records no release with totals wrote (this one is in layout 1): says so, lists all
    Run older = store.palisade(TlsStore.ADMIN, "status", "--summary", "-o", "json");
    assertThat(older.exit()).as(older.err()).isZero();
    assertThat(older.err()).contains("status: --summary: the store keeps no totals yet");
    assertThat(JSON.readTree(older.out()).get("resources")).isEqualTo(out.get("resources"));
    inventoryReads();
  }

  /**
   * `resource list|show`, `node list` and what `status` adds (fencing, failed actions, fence devices) on the seeded
   * cluster, as tables and as JSON; an unknown resource is refused with exit 1; times are UTC ISO-8601.
   */
  private void inventoryReads() throws Exception {
    long fencedAt = 1_764_763_200_000L; // 2025-12-03T12:00:00Z
    try (Admin node = store.node()) {
      node.update(StorePaths.FENCE_HISTORY, FenceHistory.class, cur -> new FenceHistory(List.of(
          new FenceEntry("node2", 2, 0, null, FenceEntry.SUMMARY, FenceEntry.MANUAL, "alice (admin)", fencedAt,
              fencedAt))));
      node.update(StorePaths.node("node1"), NodeRecord.class, cur -> cur.renewed(cur.mode(), new TreeMap<>(Map.of(
          "vm:101", new palisade.core.ResourceResult(4, palisade.core.RequestOutcome.STARTED))), false, true,
          cur.spmReleased()));
      // node1's agent measured vm:101 using one and a half cores and 512M of its 4 CPUs and 8G, just now
      node.update(StorePaths.usage("node1"), palisade.runtime.store.NodeUsage.class, cur ->
          new palisade.runtime.store.NodeUsage(System.currentTimeMillis(), 5_000, 4, 8L << 30, new TreeMap<>(Map.of(
              "vm:101", new palisade.runtime.store.NodeUsage.Used(1.5, 512L << 20)))));
      assertThat(node.record("node1", "node1/vm:101", "vm:101: started (token 4)")).isTrue();
      assertThat(node.record("node1", "node1/vm:1010", "vm:1010: started, not the same resource")).isTrue();
    }
    Run table = store.palisade(TlsStore.ADMIN, "resource", "list");
    assertThat(table.exit()).as(table.err()).isZero();
    List<String> lines = table.out().lines().toList();
    assertThat(lines.get(0)).startsWith("ID").contains("TYPE", "REQUEST", "STATE", "NODE", "GROUP", "PRIORITY",
        "RESTARTS", "RELOCATES", "TOKEN");
    assertThat(lines.get(1).split("\\s+")).containsExactly("vm:101", "process", "started", "started", "node1", "web",
        "0", "0/1", "0/1", "4");

    JsonNode list = ok("resource", "list", "-o", "json");
    assertThat(fields(list)).containsExactly("resources");
    assertThat(fields(list.at("/resources/0"))).containsExactly("id", "type", "request", "state", "node", "target",
        "group", "priority", "token", "failed_starts", "max_restart", "tried_nodes", "max_relocate");
    assertThat(list.toString()).doesNotContain("sleep 1000");

    JsonNode show = ok("resource", "show", "vm:101", "-o", "json");
    assertThat(show.get("id").asText()).isEqualTo("vm:101");
    assertThat(show.get("option_names").toString()).isEqualTo("[\"command\"]");
    assertThat(show.toString()).as("option values are not shown").doesNotContain("sleep 1000");
    assertThat(show.at("/last_result/outcome").asText()).isEqualTo("started");
    assertThat(show.at("/last_result/token").asLong()).isEqualTo(4);
    List<String> mine = new ArrayList<>();
    show.get("recent_events").forEach(e -> mine.add(e.get("message").asText()));
    assertThat(mine).as("the seed's audit event and the start, never vm:1010's").hasSize(2)
        .anyMatch(m -> m.contains("resources added [vm:101]")).endsWith("vm:101: started (token 4)");
    Run showTable = store.palisade(TlsStore.ADMIN, "resource", "show", "vm:101");
    assertThat(showTable.exit()).as(showTable.err()).isZero();
    assertThat(showTable.out()).contains("last result", "started on node1 (token 4)", "recent events:",
        "node1/vm:101: vm:101: started (token 4)").doesNotContain("sleep 1000", "vm:1010");
    assertThat(showTable.out()).containsPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z node1/vm:101");

    Run unknown = store.palisade(TlsStore.ADMIN, "resource", "show", "vm:999");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("palisade: no resource 'vm:999' (see palisade resource list)\n");
    assertThat(unknown.out()).isEmpty();

    JsonNode nodes = ok("node", "list", "-o", "json");
    assertThat(fields(nodes)).containsExactly("nodes");
    assertThat(fields(nodes.at("/nodes/0"))).containsExactly("name", "state", "generation", "agent", "watchdog",
        "watchdog_kind", "spm_priority", "spm", "resources_running", "fence_levels", "manual_only", "agent_only",
        "shutdown_policy", "lease_age_seconds", "last_fence", "load");
    assertThat(fields(nodes.at("/nodes/0/load"))).containsExactly("cpu_used", "cpu_capacity", "mem_used_bytes",
        "mem_capacity_bytes", "resources_measured", "measured_utc", "stale");
    assertThat(nodes.at("/nodes/0/load/cpu_used").asDouble()).isEqualTo(1.5);
    assertThat(nodes.at("/nodes/0/load/cpu_capacity").asDouble()).isEqualTo(4);
    assertThat(nodes.at("/nodes/0/load/mem_used_bytes").asLong()).isEqualTo(512L << 20);
    assertThat(nodes.at("/nodes/0/load/stale").asBoolean()).isFalse();
    assertThat(nodes.at("/nodes/1/load").isNull()).as("node2 never reported").isTrue();
    assertThat(nodes.at("/nodes/0/spm").asBoolean()).isTrue();
    assertThat(nodes.at("/nodes/0/resources_running").asInt()).isEqualTo(1);
    assertThat(nodes.at("/nodes/1/state").asText()).isEqualTo("fenced");
    assertThat(nodes.at("/nodes/1/agent").asText()).isEqualTo("never seen");
    assertThat(nodes.at("/nodes/1/last_fence/kind").asText()).isEqualTo("manual");
    assertThat(nodes.at("/nodes/1/last_fence/at_utc").asText()).isEqualTo("2025-12-03T12:00:00.000Z");
    Run nodeTable = store.palisade(TlsStore.ADMIN, "node", "list");
    assertThat(nodeTable.exit()).as(nodeTable.err()).isZero();
    assertThat(nodeTable.out().lines().toList().get(0)).startsWith("NODE").contains("STATE", "WATCHDOG", "SPM",
        "MANAGER", "RESOURCES", "FENCE-LEVELS", "LAST-FENCE", "LOAD");
    assertThat(nodeTable.out()).contains("1.50/4 cpu, 512M/8.0G mem");
    assertThat(nodeTable.out()).contains("manual 2025-12-03T12:00:00.000Z");

    JsonNode status = ok("status", "-o", "json");
    assertThat(status.at("/fencing/0/node").asText()).isEqualTo("node2");
    assertThat(status.at("/fencing/0/kind").asText()).isEqualTo("manual");
    assertThat(status.at("/fencing/0/by").asText()).isEqualTo("alice (admin)");
    assertThat(status.get("failed_actions")).isEmpty();
    assertThat(status.get("fence_devices")).isEmpty();
    assertThat(status.at("/nodes/0/name").asText()).isEqualTo("node1");
    assertThat(status.at("/nodes/0/load/cpu_used").asDouble()).isEqualTo(1.5);
    Run statusTable = store.palisade(TlsStore.ADMIN, "status");
    assertThat(statusTable.exit()).as(statusTable.err()).isZero();
    assertThat(statusTable.out()).contains("cluster: jsoncli", "store: quorum yes, leader " + store.connect,
        "1/1 peers serving", "Fencing", "node2  manual  2025-12-03T12:00:00.000Z  alice (admin)  fenced",
        "Fence devices: none");
    assertThat(statusTable.out()).containsPattern("node1  1\\.50/4  512M/8\\.0G  1          \\d{4}-");
  }

  /** Two nodes (node2 fenced, confirmed by hand), group web, one started resource, and node1's lease record. */
  private static ManagerState seedCluster() throws Exception {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>(Map.of("node1", NodeConfig.standard("node1"), "node2",
        NodeConfig.standard("node2")));
    TreeMap<String, GroupConfig> groups = new TreeMap<>(Map.of("web", new GroupConfig("web",
        new TreeMap<>(Map.of("node1", 1, "node2", 2)), false, true)));
    ResourceConfig vm = new ResourceConfig("vm:101", "node1", RequestState.STARTED, "web", 0, 1, 1, List.of(),
        "process", new TreeMap<>(Map.of("command", "sleep 1000")));
    ManagerState ms = new ManagerState(7, 5, 0, new TreeMap<>(Map.of(
        "node1", new NodeStatus(NodeState.ONLINE, 3, null),
        "node2", new NodeStatus(NodeState.FENCED, 2, new FenceConfirmation(ConfirmKind.MANUAL, "alice (admin)", 2)))),
        new TreeMap<>(Map.of("vm:101", new ServiceStatus(ServiceState.STARTED, "node1", null, 4, 0, new TreeSet<>(),
            null))), new TreeMap<>(), new SpmRole("node1", 6, false));
    try (Admin a = store.admin(); Admin node = store.node()) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, cur -> new ClusterConfig(nodes, groups,
          new TreeMap<>(Map.of("vm:101", vm)), ShutdownPolicy.CONDITIONAL));
      node.update(StorePaths.MANAGER_STATE, ManagerState.class, cur -> ms);
      node.update(StorePaths.node("node1"), NodeRecord.class, cur -> NodeRecord.fresh("node1"));
    }
    return ms;
  }

  @Test
  void eventsAreTheApisBody() throws Exception {
    try (Admin node = store.node()) {
      for (int i = 1; i <= 4; i++) {
        assertThat(node.record("node1", "node1/daemon", "json test event " + i)).isTrue();
      }
      JsonNode out = ok("events", "-o", "json", "-n", "3");
      assertThat(out).isEqualTo(tree(Api.events(node.events(null, 3))));
      assertThat(fields(out)).containsExactly("events");
      assertThat(out.get("events")).hasSize(3);
      assertThat(fields(out.at("/events/2"))).containsExactly("id", "t", "node", "source", "message");
      assertThat(out.at("/events/2/message").asText()).isEqualTo("json test event 4");
      assertThat(out.at("/events/2/id").asText()).matches(palisade.runtime.store.Admin.EVENT_ID);
    }
  }

  @Test
  void eventsFollowPrintsOneApiEventALine() throws Exception {
    try (Admin node = store.node()) {
      assertThat(node.record("node1", "node1/daemon", "before the follow")).isTrue();
      List<String> lines = follow("1", "before", () -> node.record("node1", "node1/daemon", "during the follow"),
          "during");
      assertThat(lines).hasSize(2);
      List<Admin.Event> last = node.events(null, 2);
      for (int i = 0; i < 2; i++) assertThat(JSON.readTree(lines.get(i))).isEqualTo(tree(Api.event(last.get(i))));
    }
  }

  @Test
  void eventsFollowWithNoPastShowsOnlyWhatHappensNext() throws Exception {
    try (Admin node = store.node()) {
      assertThat(node.record("node1", "node1/daemon", "old news")).isTrue();
      List<String> lines = follow("0", null, () -> node.record("node1", "node1/daemon", "fresh news"), "fresh");
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0)).contains("fresh news").doesNotContain("old news");
    }
  }

  /**
   * Runs `events --follow -o json -n LAST` as a viewer until it printed SHOWN (if not null), then does ACTION and
   * waits for NEXT; returns the lines it printed.
   */
  private List<String> follow(String last, String shown, java.util.concurrent.Callable<Boolean> action, String next)
      throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    Thread follow = new Thread(() -> PalisadeCommand.execute("events", "--follow", "-o", "json", "-n", last,
        "--store", store.connect, "--cluster", store.cluster, "--credential",
        Credentials.operatorDir(store.creds, TlsStore.VIEWER).toString()), "events-follow");
    try {
      follow.start();
      if (shown != null) {
        await().atMost(Duration.ofSeconds(15)).until(() -> buf.toString(StandardCharsets.UTF_8).contains(shown));
      } else { // nothing to see first: wait until it polls (its first poll follows its first read)
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> true);
      }
      assertThat(action.call()).isTrue();
      await().atMost(Duration.ofSeconds(15)).until(() -> buf.toString(StandardCharsets.UTF_8).contains(next));
    } finally {
      follow.interrupt(); // its poll's sleep ends the command
      follow.join(15_000);
      System.setOut(out);
      System.setErr(err);
    }
    assertThat(follow.isAlive()).isFalse();
    return buf.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void fenceHistoryIsTheApisBodyAndNodeFilters() throws Exception {
    List<FenceEntry> entries = List.of(
        new FenceEntry("node2", 1, 1, "bmc-node2", "off", FenceEntry.OFF_CONFIRMED, "node1", 1_000, 1_400),
        new FenceEntry("node3", 1, 1, "bmc-node3", "off", "error: timed out", "node1", 2_000, 7_000),
        new FenceEntry("node2", 2, 0, null, FenceEntry.SUMMARY, FenceEntry.MANUAL, "alice (admin)", 8_000, 8_000));
    try (Admin node = store.node()) {
      node.update(StorePaths.FENCE_HISTORY, FenceHistory.class, cur -> new FenceHistory(entries));
    }
    JsonNode all = ok("fence", "history", "-o", "json");
    assertThat(all).isEqualTo(tree(Api.fenceHistory(new Telemetry.Tick(true, true, ManagerState.empty(),
        new FenceHistory(entries)))));
    assertThat(fields(all)).containsExactly("entries");
    assertThat(fields(all.at("/entries/0"))).containsExactly("target", "kind", "attempt", "level", "device",
        "action", "result", "executor", "started_ms", "ended_ms");
    assertThat(all.at("/entries/2/kind").asText()).isEqualTo("manual");

    JsonNode only = ok("fence", "history", "--node", "node2", "-o", "json");
    assertThat(only.get("entries")).hasSize(2);
    assertThat(only.get("entries").get(0)).isEqualTo(all.get("entries").get(0));
    assertThat(only.get("entries").get(1)).isEqualTo(all.get("entries").get(2));
  }

  @Test
  void notifyShowIsRedacted() throws Exception {
    try (Admin a = store.admin()) {
      a.update(StorePaths.NOTIFY, NotifySettings.class, cur -> new NotifySettings(
          "https://hooks.example.org:8443/services/T0K3N?key=s3cret", new NotifySettings.Smtp("smtp.example.org",
          587, "pal@example.org", List.of("ops@example.org"), "alerts", "pa55word")));
    }
    Run r = store.palisade(TlsStore.ADMIN, "notify", "show", "-o", "json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("T0K3N", "s3cret", "pa55word", "services");
    JsonNode out = JSON.readTree(r.out());
    assertThat(out.get("webhook").asText()).isEqualTo("https://hooks.example.org:8443/…");
    ObjectNode smtp = (ObjectNode) out.get("smtp");
    assertThat(fields(smtp)).containsExactly("host", "port", "from", "to", "username");
    assertThat(smtp.get("port").asInt()).isEqualTo(587);
    assertThat(smtp.get("username").asText()).isEqualTo("alerts");

    Run viewer = store.palisade(TlsStore.VIEWER, "notify", "show", "-o", "json");
    assertThat(viewer.exit()).isEqualTo(2);
    assertThat(viewer.out()).isEmpty();
  }

  /**
   * `palisade` with no store flags on a node: the node's configuration file (--config, or $PALISADE_CONFIG) gives the
   * store, the cluster and the CLI's credential (here a viewer's: reads need no more).
   */
  @Test
  void theCliFindsItsClusterInTheNodesConfigFile() throws Exception {
    String host = store.connect.substring(0, store.connect.lastIndexOf(':'));
    Path yaml = java.nio.file.Files.writeString(dir.resolve("palisade.yaml"), "cluster: " + store.cluster + "\n"
        + "node: node1\nstore:\n  connect: " + store.connect + "\n  credential: "
        + Credentials.nodeDir(store.creds, TlsStore.NODE) + "\ncli:\n  credential: "
        + Credentials.operatorDir(store.creds, TlsStore.VIEWER) + "\nwatchdog:\n  driver: process\n"
        + "nodes:\n  - name: node1\n    address: " + host + "\n");
    try (Admin node = store.node()) {
      assertThat(node.record("node1", "node1/daemon", "found through the node's file")).isTrue();
    }
    PrintStream out = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = PalisadeCommand.execute("events", "-n", "1", "--config", yaml.toString());
    } finally {
      System.setOut(out);
    }
    assertThat(rc).isZero();
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("node1/daemon: found through the node's file");

    // no flag at all: $PALISADE_CONFIG, in a process of its own (the environment is the process's)
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), "palisade.Main", "events", "-n", "1");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    for (String v : List.of("PALISADE_STORE", "PALISADE_CLUSTER", "PALISADE_CREDENTIAL", "PALISADE_CLUSTER_DIR")) {
      pb.environment().remove(v);
    }
    pb.environment().put("PALISADE_CONFIG", yaml.toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isZero();
    assertThat(printed).contains("node1/daemon: found through the node's file");

  }

  @Test
  void aBadOutputIsRefusedNamingTheOption() {
    for (String[] cmd : List.of(new String[] {"status"}, new String[] {"events"},
        new String[] {"fence", "history"}, new String[] {"notify", "show"})) {
      List<String> args = new ArrayList<>(List.of(cmd));
      args.addAll(List.of("-o", "yaml"));
      Run r = store.palisade(TlsStore.ADMIN, args.toArray(String[]::new));
      assertThat(r.exit()).as(String.join(" ", cmd)).isEqualTo(2);
      assertThat(r.err()).isEqualTo("palisade: Invalid value for option '--output': 'yaml' is not an output format "
          + "(table or json)\n");
      assertThat(r.out()).isEmpty();
    }
    Run upper = store.palisade(TlsStore.ADMIN, "events", "--output", "JSON", "-n", "1");
    assertThat(upper.exit()).as(upper.err()).isZero();
  }
}
