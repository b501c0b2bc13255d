package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
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
import palisade.core.Command;
import palisade.core.Commands;
import palisade.core.DiskLease;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.SpmRole;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;

/**
 * `disk list`, `spm status|move`, the SPM line of `status` and `resource add --disk` against a TLS store in this JVM;
 * a thread stands in for the manager where a command must be applied or refused.
 */
class DiskSpmCliTest {
  @TempDir
  static Path dir;

  static TlsStore store;
  static final ObjectMapper JSON = new ObjectMapper();
  static final long SINCE_MS = 1_764_864_000_000L; // 2025-12-04T16:00:00Z

  @BeforeAll
  static void start() throws Exception {
    store = new TlsStore(dir, "diskcli", "127.0.2.21", 43_000);
    seed();
  }

  @AfterAll
  static void stop() {
    if (store != null) store.close();
  }

  /** node1 online holds vm:101's disk and the SPM role; node3 is silent and keeps vm:103's; d-free is wanted. */
  private static void seed() throws Exception {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : List.of("node1", "node2", "node3")) {
      nodes.put(n, new NodeConfig(n, true, List.of(), n.equals("node3") ? -1 : n.equals("node1") ? 5 : 3, false));
    }
    TreeMap<String, ResourceConfig> res = new TreeMap<>();
    res.put("vm:101", rc("vm:101", "node1", List.of("/img/101.qcow2")));
    res.put("vm:103", rc("vm:103", "node3", List.of("/img/103.qcow2", "d-shared")));
    res.put("vm:104", rc("vm:104", "node2", List.of("d-shared")));
    res.put("vm:105", rc("vm:105", "node2", List.of("d-free")));
    TreeMap<String, DiskLease> disks = new TreeMap<>(Map.of(
        "/img/101.qcow2", new DiskLease("node1", "vm:101", 4, SINCE_MS),
        "/img/103.qcow2", new DiskLease("node3", "vm:103", 5, SINCE_MS),
        "d-shared", new DiskLease("node3", "vm:103", 5, SINCE_MS)));
    ManagerState ms = new ManagerState(7, 9, 0, new TreeMap<>(Map.of(
        "node1", new NodeStatus(NodeState.ONLINE, 3, null), "node2", new NodeStatus(NodeState.ONLINE, 2, null),
        "node3", new NodeStatus(NodeState.FENCING, 2, null))),
        new TreeMap<>(Map.of("vm:101", new ServiceStatus(ServiceState.STARTED, "node1", null, 4, 0, new TreeSet<>(),
            null))), new TreeMap<>(), new SpmRole("node1", 6, false, null, SINCE_MS), null, null, null, null, disks);
    try (Admin a = store.admin(); Admin node = store.node()) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, cur -> new ClusterConfig(nodes, new TreeMap<>(), res,
          ShutdownPolicy.CONDITIONAL));
      node.update(StorePaths.MANAGER_STATE, ManagerState.class, cur -> ms);
    }
  }

  private static ResourceConfig rc(String id, String node, List<String> disks) {
    return new ResourceConfig(id, node, RequestState.STARTED, null, 0, 1, 1, disks, "process",
        new TreeMap<>(Map.of("command", "sleep 1000")));
  }

  private static Run ok(String... args) {
    Run r = store.palisade(TlsStore.ADMIN, args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isZero();
    return r;
  }

  @Test
  void diskListShowsHoldersTokensAndWhoWaits() throws Exception {
    String table = ok("disk", "list").out();
    assertThat(table.lines().toList()).containsExactly(
        "DISK            STATE              NODE   RESOURCE  TOKEN  SINCE                     LISTED-BY      NOTE",
        "/img/101.qcow2  held               node1  vm:101    4      2025-12-04T16:00:00.000Z  vm:101         -",
        "/img/103.qcow2  waiting for fence  node3  vm:103    5      2025-12-04T16:00:00.000Z  vm:103         "
            + "waiting for fence of node3",
        "d-free          free               -      -         -      -                         vm:105         "
            + "free; wanted by vm:105",
        "d-shared        waiting for fence  node3  vm:103    5      2025-12-04T16:00:00.000Z  vm:103,vm:104  "
            + "waiting for fence of node3; then for vm:104");
    JsonNode json = JSON.readTree(ok("disk", "list", "-o", "json").out());
    assertThat(json.get("disks")).hasSize(4);
    JsonNode shared = json.at("/disks/3");
    assertThat(shared.get("disk").asText()).isEqualTo("d-shared");
    assertThat(shared.get("state").asText()).isEqualTo("waiting_for_fence");
    assertThat(shared.get("token").asLong()).isEqualTo(5);
    assertThat(shared.get("since_ms").asLong()).isEqualTo(SINCE_MS);
    assertThat(shared.get("node_state").asText()).isEqualTo("fencing");
    assertThat(shared.get("waiting").toString()).isEqualTo("[\"vm:104\"]");
    JsonNode free = json.at("/disks/2");
    assertThat(free.get("node").isNull()).isTrue();
    assertThat(free.get("resources").toString()).isEqualTo("[\"vm:105\"]");
  }

  @Test
  void spmStatusAndTheStatusLineShowTokenAndSince() throws Exception {
    assertThat(ok("spm", "status").out()).contains("holder      node1 (online)", "token       6",
        "since       2025-12-04T16:00:00.000Z", "state       acting", "candidates  node1 (5), node2 (3)");
    JsonNode json = JSON.readTree(ok("spm", "status", "-o", "json").out());
    assertThat(json.get("node").asText()).isEqualTo("node1");
    assertThat(json.get("since_utc").asText()).isEqualTo("2025-12-04T16:00:00.000Z");
    assertThat(json.get("move_to").isNull()).isTrue();
    assertThat(ok("status").out()).contains("spm: node1 (token 6) since 2025-12-04T16:00:00.000Z");
  }

  @Test
  void spmMoveQueuesTheCommandAndWaitShowsTheManagersRefusal() throws Exception {
    Run none = store.palisade(TlsStore.ADMIN, "spm", "move", "node9");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("no node 'node9'");
    Thread manager = new Thread(() -> refuseNext("node3 has spm_priority -1: it may never hold the SPM role"));
    manager.start();
    Run refused = store.palisade(TlsStore.ADMIN, "spm", "move", "node3", "--wait", "--timeout", "20s");
    manager.join(25_000);
    assertThat(refused.exit()).as(refused.err()).isEqualTo(1);
    assertThat(refused.err()).contains("the manager refused command", "node3 has spm_priority -1");
    try (Admin a = store.admin()) {
      Commands c = a.value(StorePaths.COMMANDS, Commands.class);
      assertThat(c.pending().get(c.pending().size() - 1)).isInstanceOfSatisfying(Command.SpmMove.class,
          m -> assertThat(m.by()).startsWith("alice (admin) on "));
    }
  }

  /** The stub manager: waits for the next queued command, logs its refusal, marks it applied. */
  private static void refuseNext(String why) {
    try (Admin node = store.node()) {
      for (int i = 0; i < 200; i++) {
        Commands c = node.value(StorePaths.COMMANDS, Commands.class);
        ManagerState ms = node.value(StorePaths.MANAGER_STATE, ManagerState.class);
        if (c != null && c.lastSeq() > ms.commandSeq()) {
          long seq = c.lastSeq();
          node.record("node1", "manager", "command " + seq + " refused: " + why);
          node.update(StorePaths.MANAGER_STATE, ManagerState.class, cur -> new ManagerState(cur.epoch(),
              cur.nextToken(), seq, cur.nodes(), cur.services(), cur.fencing(), cur.spm(), cur.maintenance(),
              cur.softFences(), cur.deviceCheck(), cur.ha(), cur.disks()));
          return;
        }
        Thread.sleep(50);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void resourceAddKeepsGivenDisksAddsTheDomainsAndRefusesBadNames() throws Exception {
    Path xml = dir.resolve("vm201.xml");
    Files.writeString(xml, "<domain type='kvm'><name>vm201</name><devices>"
        + "<disk type='file' device='disk'><source file='/img/201.qcow2'/><target dev='vda'/></disk>"
        + "<disk type='block' device='disk'><source dev='/dev/vg0/vm201-data'/></disk>"
        + "<disk type='volume' device='disk'><source pool='pool1' volume='vm201-b'/></disk>"
        + "<disk type='file' device='cdrom'><target dev='hdc'/></disk>"
        + "</devices></domain>");
    Run added = ok("resource", "add", "vm:201", "--node", "node2", "--type", "libvirt", "--state", "stopped",
        "--option", "domain=vm201", "--option", "xml_file=" + xml, "--disk", "/img/shared-iso", "--disk",
        "/img/201.qcow2");
    assertThat(added.out()).contains("vm:201: added on node2 with disks");
    try (Admin a = store.admin()) {
      assertThat(a.value(StorePaths.CONFIG, ClusterConfig.class).resources().get("vm:201").disks()).containsExactly(
          "/img/shared-iso", "/img/201.qcow2", "/dev/vg0/vm201-data", "pool1/vm201-b");
    }
    ok("resource", "remove", "vm:201"); // the other tests read the seeded cluster
    Run bad = store.palisade(TlsStore.ADMIN, "resource", "add", "vm:202", "--node", "node2", "--option",
        "command=sleep 1", "--disk", "../etc/passwd");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--disk '../etc/passwd': has a '..' path step");
    Run space = store.palisade(TlsStore.ADMIN, "resource", "add", "vm:202", "--node", "node2", "--option",
        "command=sleep 1", "--disk", "a b");
    assertThat(space.err()).contains("--disk 'a b': character ' ' is not allowed");
    try (Admin a = store.admin()) {
      assertThat(a.value(StorePaths.CONFIG, ClusterConfig.class).resources()).doesNotContainKey("vm:202");
    }
  }
}
