package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.StorePaths;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;
import palisade.runtime.store.EmbeddedPeer;

/**
 * Two nodes and a witness, with real processes: node1 and node2 each run a store peer, the witness
 * ({@code palisade witness}) the third; no mock BMCs, so a node is fenced by its watchdog alone. One lab for every
 * case, in order: (a) power loss of node2: node1 recovers its resource after the watchdog fence; (b) loss of the
 * witness: nothing is fenced and nothing moves for longer than L; (c) a node cut off from both others: its watchdog
 * kills its resources before the other node starts them. After all: no resource ever ran twice.
 */
@Tag("cluster")
class RealWitnessTest {
  static final Map<String, String> TIMING = RealClusterFaultTest.TIMING;
  static final long R_MS = 1_000;
  static final long L_MS = 6_500;
  static final Duration FAILOVER = Duration.ofSeconds(60);
  static final Duration FORM = Duration.ofSeconds(90);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;

  @AfterEach
  void tearDown() throws Exception {
    DemoLab.stopAndCheck(cluster, admin);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private Optional<Instance> running(String id) throws Exception {
    List<Instance> alive = Traces.alive(Traces.read(cluster.traceDir()), id, now());
    return alive.size() == 1 ? Optional.of(alive.get(0)) : Optional.empty();
  }

  private ManagerState state() throws Exception {
    return admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
  }

  private NodeState nodeState(String node) throws Exception {
    ManagerState ms = state();
    return ms == null || ms.nodes().get(node) == null ? null : ms.nodes().get(node).state();
  }

  private int fences() throws Exception {
    FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    return h == null ? 0 : h.entries().size();
  }

  private String mode(int peer) {
    return EmbeddedPeer.mode(cluster.layout().address(peer), cluster.layout().clientPort(),
        cluster.adminCredential());
  }

  private void awaitWitnessInQuorum() {
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> List.of("leader", "follower").contains(mode(3)));
  }

  private void awaitOnline(String node) {
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> nodeState(node) == NodeState.ONLINE);
  }

  @Test
  void twoNodesAndAWitnessSurviveTheLossOfAnyOneOfThem() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 2, new LocalCluster.Options(TIMING, 3, false, Set.of(),
        Map.of()));
    assertThat(cluster.layout().witness()).isTrue();
    admin = DemoLab.start(cluster); // node1 and node2 are a quorum of the three peers on their own
    cluster.powerOn(Layout.WITNESS);
    awaitWitnessInQuorum();
    // The witness is no cluster node: not in /config, not in the manager's view.
    assertThat(admin.value(StorePaths.CONFIG, ClusterConfig.class).nodes().keySet())
        .containsExactly("node1", "node2");
    assertThat(state().nodes().keySet()).containsExactly("node1", "node2");

    // (a) power loss of node2: node1 (with the witness, a quorum) fences it by its watchdog and recovers vm:102.
    Instance before = running("vm:102").orElseThrow();
    long t0 = now();
    cluster.powerOff("node2");
    await().ignoreExceptions().atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> running("vm:102")
        .filter(i -> i.node().equals("node1") && i.token() > before.token()).isPresent());
    Instance after = running("vm:102").orElseThrow();
    System.out.printf("(a) power loss of node2: vm:102 on node1 (token %d) %.1fs after the power-off%n",
        after.token(), (after.startMs() - t0) / 1000.0);
    assertThat(nodeState("node2")).isEqualTo(NodeState.FENCED);
    // The manager waits L from the last renewal it saw, at most R before the power-off.
    assertThat(after.startMs() - t0).as("not before L - R").isGreaterThan(L_MS - R_MS);
    cluster.powerOn("node2");
    awaitOnline("node2");

    // (b) loss of the witness: the nodes keep a quorum of two peers; nothing is fenced, nothing moves, for > L.
    Instance a101 = running("vm:101").orElseThrow();
    Instance a102 = running("vm:102").orElseThrow();
    int fencesBefore = fences();
    long w0 = now();
    cluster.powerOff(Layout.WITNESS);
    Thread.sleep(L_MS + 4_000); // the observation window of a negative fact
    assertThat(running("vm:101").map(Instance::pid)).as("vm:101 untouched").contains(a101.pid());
    assertThat(running("vm:102").map(Instance::pid)).as("vm:102 untouched").contains(a102.pid());
    assertThat(fences()).as("no fence operation").isEqualTo(fencesBefore);
    assertThat(nodeState("node1")).isEqualTo(NodeState.ONLINE);
    assertThat(nodeState("node2")).isEqualTo(NodeState.ONLINE);
    assertThat(Traces.read(cluster.traceDir())).filteredOn(i -> i.startMs() > w0).isEmpty();
    System.out.printf("(b) witness lost for %.1fs: nothing fenced, nothing moved%n", (now() - w0) / 1000.0);
    cluster.powerOn(Layout.WITNESS);
    awaitWitnessInQuorum();

    // (c) a node cut off from both others: no quorum, so its watchdog kills its resources; the other recovers them.
    // The victim is a node whose peer follows: the fault proxy cannot cut a leader's dialled-back election links.
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> "follower".equals(mode(1))
        || "follower".equals(mode(2)));
    String victim = "follower".equals(mode(1)) ? "node1" : "node2";
    String other = victim.equals("node1") ? "node2" : "node1";
    List<Instance> victims = List.of(running("vm:101").orElseThrow(), running("vm:102").orElseThrow()).stream()
        .filter(i -> i.node().equals(victim)).toList();
    assertThat(victims).as("resources on %s", victim).isNotEmpty();
    long c0 = now();
    cluster.isolate(victim);
    for (Instance v : victims) {
      await().ignoreExceptions().atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> running(v.resource())
          .filter(i -> i.node().equals(other) && i.token() > v.token()).isPresent());
      Instance moved = running(v.resource()).orElseThrow();
      Instance old = Traces.read(cluster.traceDir()).stream().filter(i -> i.pid() == v.pid()).findFirst()
          .orElseThrow();
      System.out.printf("(c) %s cut off: %s on %s %.1fs after, old instance last beat %d ms before it started%n",
          victim, v.resource(), other, (moved.startMs() - c0) / 1000.0, moved.startMs() - old.lastMs());
      assertThat(moved.startMs()).as("new instance starts after the old one is dead")
          .isGreaterThan(old.lastMs() + 2 * Traces.BEAT_MS);
    }
    cluster.heal();
    awaitOnline(victim);
  }

  /**
   * Without a witness, for comparison (what INSTALL.md says): two nodes have one store peer, on node1. Losing node1
   * leaves node2 without a store: its watchdog kills its resource (it self-fences) and nothing runs anywhere.
   */
  @Test
  void twoNodesWithoutAWitnessLoseEverythingWithTheirOnlyPeer() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 2, new LocalCluster.Options(TIMING, 0, false, Set.of(),
        Map.of()));
    assertThat(cluster.layout().peers()).isEqualTo(1);
    admin = DemoLab.start(cluster);
    Instance survivor = running("vm:102").orElseThrow();
    long t0 = now();
    cluster.powerOff("node1");
    await().atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> running("vm:102").isEmpty());
    Instance dead = Traces.read(cluster.traceDir()).stream().filter(i -> i.pid() == survivor.pid()).findFirst()
        .orElseThrow();
    System.out.printf("no witness, node1 (the only peer) powered off: node2's vm:102 dead %d ms after%n",
        dead.lastMs() - t0);
    Thread.sleep(L_MS); // the observation window of a negative fact: nothing starts again without the store
    assertThat(Traces.alive(Traces.read(cluster.traceDir()), "vm:101", now())).isEmpty();
    assertThat(Traces.alive(Traces.read(cluster.traceDir()), "vm:102", now())).isEmpty();
  }
}
