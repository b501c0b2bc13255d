package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.cli.TlsStore.Run;
import palisade.core.AutoRebalanceConfig;
import palisade.core.ClusterConfig;
import palisade.core.Crs;
import palisade.core.FenceDeviceDef;
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
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.runtime.store.Admin;

/**
 * Reconfiguring a live cluster through the command line against a real (standalone TLS) store without daemons:
 * `config set|show`, `node add|remove|set`, `fence device add|set|remove|list`. Bad input exits 2, names the key or
 * argument and writes nothing; each change is an event naming the operator; no secret is ever stored.
 */
class ReconfigureCliTest {
  @TempDir
  static Path dir;

  static TlsStore store;

  @BeforeAll
  static void start() throws Exception {
    store = new TlsStore(dir, "reconf", "127.0.2.5", 38_000);
  }

  @AfterAll
  static void stop() {
    if (store != null) store.close();
  }

  @BeforeEach
  void threeNodes() throws Exception {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : List.of("node1", "node2", "node3")) nodes.put(n, NodeConfig.standard(n));
    try (Admin a = store.admin(); Admin node = store.node()) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, cur -> new ClusterConfig(nodes, new TreeMap<>(),
          new TreeMap<>(), ShutdownPolicy.CONDITIONAL, Timing.defaults()));
      node.update(StorePaths.MANAGER_STATE, ManagerState.class, cur -> ManagerState.empty());
    }
  }

  static Run palisade(String... args) {
    return store.palisade(TlsStore.ADMIN, args);
  }

  static ClusterConfig config() throws Exception {
    try (Admin a = store.admin()) {
      return a.value(StorePaths.CONFIG, ClusterConfig.class);
    }
  }

  static String events() throws Exception {
    try (Admin a = store.admin()) {
      return a.events(null, 200).stream().map(e -> e.source() + ": " + e.message())
          .collect(Collectors.joining("\n"));
    }
  }

  static void refused(Run r, String... named) {
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains(named).doesNotContain("Exception");
  }

  @Test
  void configSetIsAllOrNothingAndShowPrintsWhatSetTakes() throws Exception {
    Run set = palisade("config", "set", "repair_after=10m", "fence_grace=60s", "fence_grace_spm=20s",
        "fence_grace_per_resource=500ms", "fence_device_check=off", "crs=static", "crs_rebalance_on_start=yes",
        "crs_auto_rebalance=yes", "crs_auto_rebalance_method=topsis", "crs_auto_rebalance_threshold=0.2",
        "crs_auto_rebalance_hold=1m", "crs_auto_rebalance_margin=0.15", "shutdown_policy=migrate");
    assertThat(set.exit()).as(set.err()).isZero();
    ClusterConfig c = config();
    assertThat(c.repairAfterMs()).isEqualTo(600_000);
    assertThat(c.fence().graceMs()).isEqualTo(60_000);
    assertThat(c.fence().graceSpmMs()).isEqualTo(20_000);
    assertThat(c.fence().gracePerResourceMs()).isEqualTo(500);
    assertThat(c.fence().deviceCheckMs()).isZero();
    assertThat(c.placement().crs()).isEqualTo(Crs.STATIC);
    assertThat(c.placement().rebalanceOnStart()).isTrue();
    assertThat(c.placement().autoRebalance()).isEqualTo(new AutoRebalanceConfig(true,
        AutoRebalanceConfig.Method.TOPSIS, 0.2, 60_000, 0.15));
    assertThat(c.shutdownPolicy()).isEqualTo(ShutdownPolicy.MIGRATE);
    assertThat(c.nodes()).hasSize(3); // nothing else touched
    assertThat(events()).contains("operator alice (admin) on ").contains("config set repair_after=10m fence_grace=1m");

    Run show = palisade("config", "show");
    assertThat(show.out()).contains("repair_after=10m\n", "fence_device_check=off\n", "crs=static\n",
        "crs_auto_rebalance_margin=0.15\n", "shutdown_policy=migrate\n");
    Run json = palisade("config", "show", "-o", "json");
    assertThat(json.out()).contains("\"fence_grace_per_resource\" : \"500ms\"", "\"crs_auto_rebalance_hold\" : \"1m\"");

    // One bad value among good ones: refused naming it, and nothing is written.
    refused(palisade("config", "set", "fence_grace=5s", "crs=fastest"), "crs", "fastest", "nothing was written");
    refused(palisade("config", "set", "repair_after=25h"), "repair_after");
    refused(palisade("config", "set", "crs_auto_rebalance_margin=2"), "crs_auto_rebalance_margin");
    refused(palisade("config", "set", "fence_grace"), "KEY=VALUE");
    refused(palisade("config", "set", "crs=basic", "crs=static"), "crs is given twice");
    refused(palisade("config", "set", "lease_timeout=20s"), "lease_timeout", "palisade config timing");
    refused(palisade("config", "set", "colour=blue"), "unknown key 'colour'", "shutdown_policy, repair_after");
    assertThat(config()).isEqualTo(c);
    Run viewer = store.palisade(TlsStore.VIEWER, "config", "set", "crs=basic");
    assertThat(viewer.exit()).isEqualTo(2);
    assertThat(config()).isEqualTo(c);
  }

  @Test
  void fenceDevicesLiveInConfigWithoutSecrets() throws Exception {
    Run add = palisade("fence", "device", "add", "bmc4", "--type", "redfish", "--address", "10.0.1.4", "--port",
        "8443", "--user", "root", "--option", "ssl_insecure=true", "--secret-file-name", "bmc4");
    assertThat(add.exit()).as(add.err()).isZero();
    FenceDeviceDef d = config().fence().devices().get("bmc4");
    assertThat(d).isEqualTo(new FenceDeviceDef("redfish", new TreeMap<>(Map.of("host", "10.0.1.4", "port", "8443",
        "username", "root", "ssl_insecure", "true")), 10_000, "bmc4"));
    assertThat(palisade("fence", "device", "add", "pdu4", "--type", "agent", "--agent", "fence_ipmilan",
        "--address", "10.0.1.14", "--option", "lanplus=1", "--secret-file-name", "pdu4").exit()).isZero();
    assertThat(config().fence().devices().get("pdu4").options()).containsEntry("ip", "10.0.1.14")
        .containsEntry("agent", "fence_ipmilan");
    assertThat(events()).contains("fence device bmc4 added (redfish");

    ClusterConfig before = config();
    refused(palisade("fence", "device", "add", "bmc4", "--type", "ipmi", "--address", "h", "--user", "u",
        "--secret-file-name", "x"), "bmc4 exists");
    refused(palisade("fence", "device", "add", "leaky", "--type", "ipmi", "--address", "h", "--user", "u",
        "--option", "password=hunter2"), "secret");
    refused(palisade("fence", "device", "add", "leaky", "--type", "agent", "--agent", "fence_x", "--option",
        "passwd=hunter2"), "secret");
    refused(palisade("fence", "device", "add", "nopw", "--type", "ipmi", "--address", "h", "--user", "u"),
        "--secret-file-name");
    refused(palisade("fence", "device", "add", "odd", "--type", "ipmi", "--address", "h", "--user", "u",
        "--option", "colour=red", "--secret-file-name", "odd"), "unknown option 'colour'");
    refused(palisade("fence", "device", "add", "odd", "--type", "tesla"), "tesla");
    refused(palisade("fence", "device", "add", "Bad Name", "--type", "ipmi"), "NAME");
    refused(palisade("fence", "device", "add", "noagent", "--type", "agent"), "agent");
    refused(palisade("fence", "device", "set", "bmc4", "--secret-file-name", "../etc/shadow"), "secret");
    assertThat(config()).isEqualTo(before);
    assertThat(store.palisade(TlsStore.VIEWER, "fence", "device", "list", "-o", "json").out())
        .doesNotContain("hunter2");

    Run set = palisade("fence", "device", "set", "bmc4", "--address", "10.0.1.40", "--option", "ssl_insecure=");
    assertThat(set.exit()).as(set.err()).isZero();
    assertThat(config().fence().devices().get("bmc4").options()).containsEntry("host", "10.0.1.40")
        .doesNotContainKey("ssl_insecure");

    // A device in a node's fence levels cannot go.
    assertThat(palisade("node", "set", "node3", "--fence-level", "bmc4", "--fence-level", "pdu4").exit()).isZero();
    assertThat(config().nodes().get("node3").fenceLevels()).isEqualTo(List.of(List.of("bmc4"), List.of("pdu4")));
    refused(palisade("fence", "device", "remove", "bmc4"), "node3");
    Run list = palisade("fence", "device", "list");
    assertThat(list.out()).contains("NAME", "bmc4", "redfish", "node3", "host=10.0.1.40");
    Run json = palisade("fence", "device", "list", "-o", "json");
    assertThat(json.out()).contains("\"usedBy\" : [ \"node3\" ]", "\"secret\" : \"bmc4\"");
    assertThat(palisade("node", "set", "node3", "--fence-level", "pdu4").exit()).isZero();
    assertThat(palisade("fence", "device", "remove", "bmc4").exit()).isZero();
    assertThat(config().fence().devices()).containsOnlyKeys("pdu4");
    refused(palisade("fence", "device", "remove", "bmc4"), "no fence device 'bmc4'");
  }

  @Test
  void nodesAreAddedChangedAndRemovedOnlyWhenStoppedAndHoldingNothing() throws Exception {
    refused(palisade("node", "add", "node4", "--watchdog", "no", "--fence-level", "bmc9"), "no fence device 'bmc9'");
    refused(palisade("node", "add", "node4", "--watchdog", "no"), "node4", "fence device");
    refused(palisade("node", "add", "node4", "--spm-priority", "11"), "spm_priority=11");
    refused(palisade("node", "add", "node4", "--watchdog", "maybe"), "--watchdog");
    refused(palisade("node", "add", "Node 4"), "NAME");
    refused(palisade("node", "add", "node1"), "node1 exists");
    assertThat(config().nodes()).containsOnlyKeys("node1", "node2", "node3");

    assertThat(palisade("fence", "device", "add", "bmc4", "--type", "ipmi", "--address", "10.0.1.4", "--user",
        "admin", "--secret-file-name", "bmc4").exit()).isZero();
    Run add = palisade("node", "add", "node4", "--watchdog", "no", "--fence-level", "bmc4", "--spm-priority", "3",
        "--shutdown-policy", "failover", "--site", "dc2");
    assertThat(add.exit()).as(add.err()).isZero();
    assertThat(config().nodes().get("node4")).isEqualTo(new NodeConfig("node4", false, List.of(List.of("bmc4")), 3,
        false, ShutdownPolicy.FAILOVER, false, false, "dc2"));
    assertThat(events()).contains("operator alice (admin) on ").contains("node node4 added (watchdog=no");

    Run set = palisade("node", "set", "node4", "--spm-priority", "5", "--shutdown-policy", "default", "--site",
        "none");
    assertThat(set.exit()).as(set.err()).isZero();
    NodeConfig n4 = config().nodes().get("node4");
    assertThat(n4.spmPriority()).isEqualTo(5);
    assertThat(n4.shutdownPolicy()).isNull();
    assertThat(n4.site()).isNull();
    refused(palisade("node", "set", "node4"), "give at least one");
    refused(palisade("node", "set", "node9", "--spm-priority", "1"), "no node 'node9'");

    // node4 comes up: its watchdog kind and its membership are now out of reach.
    manager(Map.of("node4", NodeState.ONLINE), Map.of());
    refused(palisade("node", "set", "node4", "--watchdog", "yes"), "node4 is online", "stop the node first");
    refused(palisade("node", "remove", "node4"), "node4 is online", "stop the node first");
    assertThat(palisade("node", "set", "node4", "--spm-priority", "2").exit()).isZero(); // live: fine
    // Stopped, but still holding a resource: refused naming it.
    manager(Map.of("node4", NodeState.OFFLINE), Map.of("vm:104", "node4"));
    refused(palisade("node", "remove", "node4"), "vm:104");
    assertThat(config().nodes()).containsKey("node4");

    manager(Map.of("node4", NodeState.FENCED), Map.of("vm:104", "node1"));
    try (Admin node = store.node()) {
      node.update(StorePaths.node("node4"), NodeRecord.class, cur -> NodeRecord.fresh("node4"));
    }
    refused(palisade("node", "remove", "node4"), "node4 is starting again"); // its record says it runs
    try (Admin node = store.node()) {
      node.update(StorePaths.node("node4"), NodeRecord.class, cur -> cur.fence());
    }
    assertThat(palisade("node", "set", "node4", "--watchdog", "yes").exit()).isZero();
    assertThat(config().nodes().get("node4").watchdog()).isTrue();
    // A group naming it is the operator's to change; a resource first added there and running elsewhere now is not.
    try (Admin a = store.admin()) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withGroups(new TreeMap<>(Map.of("g4",
          new GroupConfig("g4", new TreeMap<>(Map.of("node4", 1, "node1", 2)), false, false)))).withResource(
          ResourceConfig.sim("vm:104", "node4", RequestState.STARTED, null, 0, 1, 1, List.of())));
    }
    refused(palisade("node", "remove", "node4"), "group g4 name it");
    try (Admin a = store.admin()) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withGroups(new TreeMap<>()));
    }
    Run remove = palisade("node", "remove", "node4");
    assertThat(remove.exit()).as(remove.err()).isZero();
    assertThat(config().nodes()).containsOnlyKeys("node1", "node2", "node3");
    assertThat(config().resources().get("vm:104").node()).as("as if added where it runs").isEqualTo("node1");
    try (Admin a = store.admin()) {
      assertThat(a.read(StorePaths.node("node4"))).as("its record goes with it").isNull();
    }
    assertThat(events()).contains("node node4 removed");
    refused(palisade("node", "remove", "node4"), "no node 'node4'");
  }

  @Test
  void agentOnlyNodesAreSetLiveAndTheLastCandidateIsKept() throws Exception {
    assertThat(palisade("node", "set", "node2", "--agent-only", "yes").exit()).isZero();
    Run set = palisade("node", "set", "node3", "--agent-only", "yes");
    assertThat(set.exit()).as(set.err()).isZero();
    assertThat(set.out()).contains("node node3 set (", "agent_only=yes");
    assertThat(config().nodes().values().stream().filter(n -> !n.agentOnly()).map(NodeConfig::name))
        .containsExactly("node1");
    refused(palisade("node", "set", "node1", "--agent-only", "yes"), "every node is agent-only",
        "at least one node");
    assertThat(config().managerCandidate("node1")).as("the refusal wrote nothing").isTrue();
    refused(palisade("node", "set", "node1", "--agent-only", "maybe"), "--agent-only");
    Run list = palisade("node", "list");
    assertThat(list.out().lines().filter(l -> l.startsWith("node3")).findFirst().orElseThrow()).contains("never");
    assertThat(list.out().lines().filter(l -> l.startsWith("node1")).findFirst().orElseThrow())
        .contains("candidate");
    assertThat(palisade("node", "set", "node3", "--agent-only", "no").exit()).isZero();
    assertThat(config().managerCandidate("node3")).isTrue();
  }

  /** The manager's state as a test wants it: node states and which node each resource is on. */
  private static void manager(Map<String, NodeState> nodes, Map<String, String> services) throws Exception {
    TreeMap<String, NodeStatus> ns = new TreeMap<>();
    nodes.forEach((n, s) -> ns.put(n, new NodeStatus(s, 1, null)));
    TreeMap<String, ServiceStatus> ss = new TreeMap<>();
    services.forEach((id, n) -> ss.put(id, new ServiceStatus(ServiceState.STARTED, n, null, 4, 0, new TreeSet<>(),
        null)));
    try (Admin node = store.node()) {
      node.update(StorePaths.MANAGER_STATE, ManagerState.class, cur -> new ManagerState(1, 10, 0, ns, ss));
    }
  }
}
