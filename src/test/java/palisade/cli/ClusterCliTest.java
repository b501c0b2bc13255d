package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.SpmRole;
import palisade.core.StorePaths;
import palisade.core.Versioned;
import palisade.runtime.store.Admin;
import palisade.lab.LocalCluster;

/** The operator CLI against a real 3-node local cluster: edits by CAS, commands, refusals that change nothing. */
@Tag("cluster")
class ClusterCliTest {
  static final Map<String, String> TIMING = Map.of("renew_interval", "1s", "ack_timeout", "1s",
      "watchdog_timeout", "4s", "lease_timeout", "6.5s");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (admin != null) admin.close();
    } finally {
      if (cluster != null) cluster.down();
    }
  }

  private int cli(String... args) {
    String[] all = new String[args.length + 6];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--store";
    all[args.length + 1] = cluster.connectString();
    all[args.length + 2] = "--cluster";
    all[args.length + 3] = LocalCluster.CLUSTER;
    all[args.length + 4] = "--credential";
    all[args.length + 5] = LocalCluster.adminCredentialDir(cluster.dir()).toString();
    return PalisadeCommand.execute(all);
  }

  private ServiceStatus service(String id) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null ? null : ms.services().get(id);
  }

  /** Started on NODE in the manager's state, and NODE's agent reported it started under that token. */
  private boolean runs(String id, String node) throws Exception {
    ServiceStatus s = service(id);
    palisade.core.NodeRecord r = admin.value(StorePaths.node(node), palisade.core.NodeRecord.class);
    return s != null && s.state() == ServiceState.STARTED && node.equals(s.node()) && r != null
        && new palisade.core.ResourceResult(s.token(), palisade.core.RequestOutcome.STARTED).equals(
        r.results().get(id));
  }

  private SpmRole spm() throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null ? null : ms.spm();
  }

  private NodeState nodeState(String node) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null || ms.nodes().get(node) == null ? null : ms.nodes().get(node).state();
  }

  private long configVersion() throws Exception {
    Versioned<Object> v = admin.read(StorePaths.CONFIG);
    return v.version();
  }

  @Test
  void operatorCommandsWorkAndWrongInputChangesNothing() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 3, TIMING);
    cluster.attachNetwork();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() ->
        admin.value(StorePaths.MANAGER_STATE, ManagerState.class) != null
            && admin.value(StorePaths.MANAGER_STATE, ManagerState.class).nodes().values().stream()
            .filter(s -> s.state() == NodeState.ONLINE).count() == 3);

    String cmd = "command=sleep 600";
    assertThat(cli("resource", "add", "svc:1", "--node", "node2", "--option", cmd)).isZero();
    // Runs: the agent reported the start (the manager refuses a relocation of a resource still starting).
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> runs("svc:1", "node2"));

    long before = configVersion();
    assertThat(cli("resource", "add", "svc:1", "--node", "node2", "--option", cmd)).isEqualTo(2); // exists
    assertThat(cli("resource", "add", "svc:2", "--node", "node9", "--option", cmd)).isEqualTo(2); // no node
    assertThat(cli("resource", "add", "svc:2", "--node", "node1")).isEqualTo(2); // no command
    assertThat(cli("resource", "set", "svc:1", "--state", "running")).isEqualTo(2); // no such state
    assertThat(cli("resource", "stop", "nope")).isEqualTo(2);
    assertThat(cli("resource", "relocate", "svc:1", "node9")).isEqualTo(2);
    assertThat(cli("resource", "cleanup", "nope")).isEqualTo(2);
    assertThat(cli("group", "add", "g", "--nodes", "node1:x")).isEqualTo(2);
    assertThat(cli("node", "maintenance", "node1", "maybe")).isEqualTo(2);
    assertThat(cli("fence", "confirm", "node7")).isEqualTo(2);
    assertThat(cli("resource", "bogus")).isEqualTo(2);
    assertThat(configVersion()).as("refused commands wrote nothing").isEqualTo(before);
    assertThat(admin.read(StorePaths.COMMANDS)).isNull();

    assertThat(cli("group", "add", "g", "--nodes", "node1:2,node3:1")).isZero();
    assertThat(cli("resource", "set", "svc:1", "--group", "g")).isZero();
    assertThat(cli("group", "remove", "g")).as("a group in use cannot go").isEqualTo(2);
    assertThat(admin.value(StorePaths.CONFIG, ClusterConfig.class).groups()).containsKey("g");

    assertThat(cli("resource", "relocate", "svc:1", "node3")).isZero();
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() ->
        service("svc:1").state() == ServiceState.STARTED && "node3".equals(service("svc:1").node()));

    // Maintenance is applied by the manager. (It moves resources by live migration, which the process driver
    // cannot do: the core retries the migration; reported as a needed core change.)
    assertThat(cli("node", "maintenance", "node3", "on")).isZero();
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> nodeState("node3") == NodeState.MAINTENANCE);
    assertThat(cli("node", "maintenance", "node3", "off")).isZero();
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> nodeState("node3") == NodeState.ONLINE);
    assertThat(cli("fence", "confirm", "node2")).as("queued; the manager refuses it (node2 is not fencing)").isZero();
    assertThat(cli("resource", "cleanup", "svc:1")).as("queued; the manager refuses it (not in error)").isZero();

    // The SPM role (every local node has spm_priority 5): maintenance on its holder hands it over through the
    // release handshake, to another node and under a larger token.
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> spm() != null && !spm().releasing());
    SpmRole holder = spm();
    assertThat(cli("node", "maintenance", holder.node(), "on")).isZero();
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> spm() != null && !spm().releasing()
        && !spm().node().equals(holder.node()));
    assertThat(spm().token()).isGreaterThan(holder.token());
    assertThat(cli("node", "maintenance", holder.node(), "off")).isZero();
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> nodeState(holder.node()) == NodeState.ONLINE);

    assertThat(cli("resource", "disable", "svc:1")).isZero();
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() ->
        service("svc:1").state() == ServiceState.DISABLED);
    assertThat(cli("resource", "remove", "svc:1")).isZero();
    assertThat(admin.value(StorePaths.CONFIG, ClusterConfig.class).resources()).doesNotContainKey("svc:1");
    assertThat(cli("events", "-n", "5")).isZero();
    assertThat(cli("status")).isZero();
  }

  @Test
  void daemonRefusesABadConfigurationWithExitTwo() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "cluster: c\nnode: node1\nnodes: []\n");
    assertThat(PalisadeCommand.execute("daemon", "--config", bad.toString())).isEqualTo(2);
    assertThat(PalisadeCommand.execute("lab", "up", "--nodes", "12", "--dir", dir.resolve("x").toString()))
        .isEqualTo(2);
    assertThat(PalisadeCommand.execute("bench", "failover", "--mode", "flood")).isEqualTo(2);
    // the old names answer with the new ones and do nothing
    assertThat(PalisadeCommand.execute("cluster", "up", "--dir", dir.resolve("y").toString())).isEqualTo(2);
    assertThat(PalisadeCommand.execute("agent", "--config", bad.toString())).isEqualTo(2);
    assertThat(dir.resolve("y")).doesNotExist();
  }
}
