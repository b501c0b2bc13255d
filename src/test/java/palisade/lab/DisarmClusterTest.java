package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.Command;
import palisade.core.HaMode;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.ServiceState;
import palisade.core.StorePaths;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;

/**
 * HA disarm with real daemons and real process watchdogs (DESIGN "HA disarm"): a 2-node local cluster (node1 runs the
 * only store peer, node2 is the victim), each daemon under its process-watchdog supervisor. Disarmed, node2's daemon
 * is SIGSTOPped for longer than W + L, which armed would have its supervisor reset node2 and the manager fence it:
 * nothing is reset, fenced or moved; then node2's daemon restarts (an upgrade) and its resource keeps running. Armed
 * again, the watchdogs are armed and every resource runs where it was, the same instance. The trace checker in tearDown asserts that no resource ever had two instances alive at once.
 */
@Tag("cluster")
class DisarmClusterTest {
  static final long W_MS = RealWatchdogFaultTest.W_MS;
  static final long L_MS = RealWatchdogFaultTest.L_MS;
  static final Duration CHANGE = Duration.ofSeconds(30);
  static final String VICTIM = "node2";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;

  @AfterEach
  void tearDown() throws Exception {
    DemoLab.stopAndCheck(cluster, admin);
  }

  private ManagerState state() throws Exception {
    return admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
  }

  private NodeRecord record(String node) throws Exception {
    return admin.value(StorePaths.node(node), NodeRecord.class);
  }

  private Instance running(String id) throws Exception {
    var alive = Traces.alive(Traces.read(cluster.traceDir()), id, System.currentTimeMillis());
    assertThat(alive).as("%s runs exactly once", id).hasSize(1);
    return alive.get(0);
  }

  private void awaitPhase(HaMode.Phase phase) {
    await().ignoreExceptions().atMost(CHANGE).pollInterval(Duration.ofMillis(200))
        .until(() -> state().ha().phase() == phase);
  }

  @Test
  void disarmedNodeIsNeitherResetNorFencedWhileItsDaemonIsStoppedAndArmMovesNothing() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 2, new LocalCluster.Options(RealWatchdogFaultTest.TIMING, 1,
        false, Set.of(), Map.of()));
    admin = DemoLab.start(cluster);
    Instance vm101 = running("vm:101");
    Instance vm102 = running("vm:102");
    assertThat(vm102.node()).isEqualTo(VICTIM);
    long supervisor = cluster.supervisorPid(VICTIM).orElseThrow();

    admin.command(seq -> new Command.Disarm(seq, HaMode.Kind.FREEZE));
    awaitPhase(HaMode.Phase.DISARMED);
    assertThat(record(VICTIM).released()).isTrue();
    assertThat(state().services().get("vm:102").state()).isEqualTo(ServiceState.FREEZE);
    await().atMost(CHANGE).pollInterval(Duration.ofMillis(200))
        .until(() -> Files.readString(cluster.nodeLog(VICTIM)).contains("watchdog released for the cluster's disarm"));

    // Armed, the supervisor would reset node2 W after the stop and the manager fence it after L.
    long pauseMs = W_MS + L_MS + 3_000;
    long stoppedAt = System.currentTimeMillis();
    cluster.pause(VICTIM, true);
    try {
      while (System.currentTimeMillis() - stoppedAt < pauseMs) {
        ManagerState ms = state();
        NodeState st = ms.nodes().get(VICTIM).state();
        assertThat(st).as("node2 while its daemon is stopped").isIn(NodeState.ONLINE, NodeState.UNKNOWN);
        assertThat(ms.ha().phase()).isEqualTo(HaMode.Phase.DISARMED);
        assertThat(running("vm:102").pid()).as("vm:102 is the same instance").isEqualTo(vm102.pid());
        Thread.sleep(250); // the test's edge: sampling the real cluster
      }
      assertThat(state().nodes().get(VICTIM).state()).as("silent past W + L, and still only unknown")
          .isEqualTo(NodeState.UNKNOWN);
    } finally {
      cluster.pause(VICTIM, false);
    }
    await().ignoreExceptions().atMost(CHANGE).pollInterval(Duration.ofMillis(200))
        .until(() -> state().nodes().get(VICTIM).state() == NodeState.ONLINE);
    assertThat(cluster.supervisorPid(VICTIM)).as("the same supervisor: no reset").contains(supervisor);
    assertThat(Files.readString(cluster.nodeLog(VICTIM))).doesNotContain("watchdog expired");

    // An upgrade of Palisade while disarmed: SIGTERM to node2's daemon alone. The released watchdog is armed only to
    // hold across the restart, so the supervisor restarts the daemon with vm:102 untouched; the new one releases it.
    long daemon = cluster.daemonPid(VICTIM).orElseThrow();
    ProcessHandle.of(daemon).orElseThrow().destroy(); // SIGTERM to the daemon's JVM alone, by pid
    await().atMost(CHANGE).pollInterval(Duration.ofMillis(200)).until(() -> Files.readString(cluster.nodeLog(VICTIM))
        .contains("restart hold released: the watchdog is released again"));
    await().ignoreExceptions().atMost(CHANGE).pollInterval(Duration.ofMillis(200))
        .until(() -> state().nodes().get(VICTIM).state() == NodeState.ONLINE && record(VICTIM).released()
        && record(VICTIM).holdMs() == 0);
    assertThat(cluster.daemonPid(VICTIM)).as("a new daemon").isPresent().get().isNotEqualTo(daemon);
    assertThat(cluster.supervisorPid(VICTIM)).as("the same supervisor: no reset").contains(supervisor);
    assertThat(running("vm:102").pid()).as("vm:102 kept running through the restart").isEqualTo(vm102.pid());
    assertThat(state().ha().phase()).isEqualTo(HaMode.Phase.DISARMED);

    long armAt = System.currentTimeMillis();
    admin.command(Command.Arm::new);
    awaitPhase(HaMode.Phase.ARMED);
    System.out.printf("disarmed node2 stopped %d ms (W + L = %d ms): not reset, not fenced; armed again %d ms after "
        + "the arm%n", pauseMs, W_MS + L_MS, System.currentTimeMillis() - armAt);
    NodeRecord rec = record(VICTIM);
    assertThat(rec.released()).isFalse();
    assertThat(rec.armed()).as("node2's watchdog is armed again").isTrue();
    assertThat(rec.generation()).as("never fenced").isZero();
    await().ignoreExceptions().atMost(CHANGE).pollInterval(Duration.ofMillis(200))
        .until(() -> state().services().get("vm:102").state() == ServiceState.STARTED);
    ManagerState ms = state();
    assertThat(ms.services().get("vm:101").node()).isEqualTo(vm101.node());
    assertThat(ms.services().get("vm:102").node()).isEqualTo(VICTIM);
    assertThat(running("vm:101").pid()).as("vm:101 never moved or restarted").isEqualTo(vm101.pid());
    assertThat(running("vm:102").pid()).as("vm:102 never moved or restarted").isEqualTo(vm102.pid());
    assertThat(Files.readString(cluster.nodeLog(VICTIM)))
        .contains("the watchdog is armed again before the store is told");
  }
}
