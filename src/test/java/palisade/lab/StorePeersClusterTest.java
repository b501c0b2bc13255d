package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;
import palisade.runtime.store.EmbeddedPeer;
import palisade.runtime.store.PeerPlan;
import palisade.runtime.store.StorePeers;

/**
 * The store grows and shrinks live (ZooKeeper's dynamic reconfiguration, `palisade store peer add|remove`): five
 * nodes, three voting peers and two standby peers (node4, node5, {@code store.peer: yes}). Adding both makes five
 * voters while the cluster keeps working; a restarted original peer comes back with the five-peer membership (not
 * its YAML's three); two of the original three stopped leave a quorum (3 of 5) that still recovers their
 * resources; removing those two brings the store back to three voters, and a removed peer's node that comes back
 * runs as a standby (a non-voting follower) with its daemon online. Every change is an event naming the admin.
 */
@Tag("cluster")
class StorePeersClusterTest {
  static final Duration FORM = Duration.ofSeconds(90);
  static final Duration FAILOVER = Duration.ofSeconds(60);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;

  @AfterEach
  void tearDown() throws Exception {
    DemoLab.stopAndCheck(cluster, admin);
  }

  private String mode(String node) {
    return EmbeddedPeer.mode(cluster.layout().address(Layout.index(node)), cluster.layout().clientPort(),
        cluster.adminCredential());
  }

  private void awaitServing(String... nodes) {
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> List.of(nodes).stream().allMatch(n -> List.of("leader", "follower").contains(mode(n))));
  }

  private List<Integer> voters() throws Exception {
    return StorePeers.membership(admin).voters().stream().map(StorePeers.Server::id).toList();
  }

  /** The membership file node's peer starts with next time: the newest dynamic configuration in its data dir. */
  private long serverLines(String node) throws Exception {
    Path zk = cluster.dir().resolve(node).resolve("data").resolve("zookeeper");
    try (var files = java.nio.file.Files.list(zk)) {
      Path newest = files.filter(f -> f.getFileName().toString().matches(".+\\.dynamic\\.[0-9a-f]+"))
          .max(java.util.Comparator.comparingLong(f -> Long.parseUnsignedLong(f.getFileName().toString()
              .replaceAll(".*\\.dynamic\\.", ""), 16))).orElseThrow();
      return java.nio.file.Files.readAllLines(newest).stream().filter(l -> l.startsWith("server.")).count();
    }
  }

  private void addResource(String id, String node) throws Exception {
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withResource(cluster.demoResource(id, node)));
    DemoLab.awaitRunning(cluster, id);
  }

  @Test
  void threePeersGrowToFiveAndBackWhileTheClusterRuns() throws Exception {
    long t0 = System.currentTimeMillis();
    cluster = LabPeers.createDirect(dir.resolve("c"), 5, 3, RealClusterFaultTest.TIMING);
    admin = DemoLab.start(cluster);
    awaitServing("node4", "node5"); // standby peers sync as non-voting followers
    assertThat(voters()).containsExactly(1, 2, 3);
    await().atMost(FORM).until(() -> StorePeers.offers(admin).size() == 5);
    System.out.printf("formed in %.1fs%n", (System.currentTimeMillis() - t0) / 1000.0);

    // One at a time would make four voters: refused (exit 2), nothing changed.
    assertThat(LabCli.run(cluster, "store", "peer", "add", "node4")).isEqualTo(2);
    assertThat(voters()).containsExactly(1, 2, 3);
    long t1 = System.currentTimeMillis();
    String added = LabCli.output(cluster, "store", "peer", "add", "node4", "node5");
    System.out.printf("3 -> 5 peers in %d ms%n", System.currentTimeMillis() - t1);
    assertThat(added).contains("voting peers now node1, node2, node3, node4, node5");
    assertThat(voters()).containsExactly(1, 2, 3, 4, 5);
    assertThat(LabCli.output(cluster, "status")).contains("store peers: 5 voting (node1, node2, node3, node4, "
        + "node5)");
    assertThat(LabCli.output(cluster, "status", "-o", "json")).contains("\"store_peers\"").contains("\"node5\" ]");
    addResource("vm:201", "node4"); // the cluster keeps working
    assertThat(admin.events(null, 1000)).anyMatch(e -> e.source().startsWith("operator admin (admin)")
        && e.message().startsWith("added store peers node4, node5"));

    // A restarted original peer comes back with the current membership (five), not its YAML's three.
    cluster.powerOff("node3");
    cluster.powerOn("node3");
    awaitServing("node3");
    assertThat(serverLines("node3")).isEqualTo(5);
    List<String> starts = java.nio.file.Files.readAllLines(cluster.nodeLog("node3")).stream()
        .filter(l -> l.contains("store peer 3 starts with")).toList();
    assertThat(starts).as("the first start, then the restart").hasSizeGreaterThanOrEqualTo(2);
    assertThat(starts.get(0)).contains("the configured peers");
    assertThat(starts.get(starts.size() - 1)).contains("starts with 5 servers (membership version");

    // Two of the original three stopped: 3 of 5 are a quorum, which fences them and recovers their resources.
    cluster.powerOff("node1");
    cluster.powerOff("node2");
    await().ignoreExceptions().atMost(FAILOVER).pollInterval(Duration.ofMillis(250)).until(() -> {
      long now = System.currentTimeMillis();
      List<Traces.Instance> t = Traces.read(cluster.traceDir());
      return List.of("vm:101", "vm:102").stream().allMatch(id -> Traces.alive(t, id, now).size() == 1);
    });
    addResource("vm:202", "node5");

    // Only an admin may reconfigure: a node's credential is refused by the store itself, nothing changes.
    PeerPlan.Plan shrink = PeerPlan.plan(StorePeers.membership(admin), StorePeers.offers(admin),
        Set.of("node1", "node2", "node3", "node4", "node5"), Set.of(), new PeerPlan.Ask(List.of(),
            List.of("node1", "node2"), false));
    try (Admin node = new Admin(cluster.connectString(), LocalCluster.CLUSTER, Credential.load(
        Credentials.nodeDir(cluster.credentialsDir(), "node3")))) {
      assertThat(node.connect(15_000)).isTrue();
      assertThatThrownBy(() -> StorePeers.apply(node, shrink)).isInstanceOf(KeeperException.NoAuthException.class);
    }
    assertThat(voters()).containsExactly(1, 2, 3, 4, 5);

    // Back to three: the stopped peers leave.
    LabCli.output(cluster, "store", "peer", "remove", "node1", "node2");
    assertThat(voters()).containsExactly(3, 4, 5);
    String peers = LabCli.output(cluster, "store", "peers");
    assertThat(peers).contains("3 voting peers").containsPattern("1 +node1 .* standby +no");

    // A removed peer's node comes back: its peer follows without a vote (standby), and its daemon works on it.
    cluster.powerOn("node1");
    awaitServing("node1");
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250)).until(() -> admin.value(
        StorePaths.MANAGER_STATE, palisade.core.ManagerState.class).nodes().get("node1").state()
        == palisade.core.NodeState.ONLINE);
    assertThat(voters()).containsExactly(3, 4, 5);
    assertThat(LabCli.output(cluster, "store", "peers")).containsPattern("1 +node1 .* standby +yes");
    System.out.printf("whole run %.1fs%n", (System.currentTimeMillis() - t0) / 1000.0);
  }
}
