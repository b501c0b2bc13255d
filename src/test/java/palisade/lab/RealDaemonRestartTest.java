package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.StorePaths;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.EmbeddedPeer;
import palisade.runtime.store.Admin;

/**
 * A daemon restart (an upgrade) on a real 3-node cluster: SIGTERM to one node's daemon JVM, by pid. The daemon
 * writes its restart hold and has its watchdog supervisor hold; the supervisor starts a new daemon at once without
 * a reset; the new daemon adopts the processes that still run (three on that node). Every resource keeps its
 * process (same pid, no new instance anywhere), nothing is fenced, and the node renews again, with the hold
 * cleared once it armed at W.
 */
@Tag("cluster")
class RealDaemonRestartTest {
  /** The fault tests' timing, with a restart hold of 30 s (L_H = 6.5 s + 26 s * 1.0201 = 33.0 s). */
  static final Map<String, String> TIMING = Map.of("renew_interval", "1s", "ack_timeout", "1s",
      "watchdog_timeout", "4s", "lease_timeout", "6.5s", "restart_hold", "30s");
  static final Duration BACK = Duration.ofSeconds(60);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;

  @AfterEach
  void tearDown() throws Exception {
    DemoLab.stopAndCheck(cluster, admin);
  }

  private NodeRecord record(String node) throws Exception {
    return admin.value(StorePaths.node(node), NodeRecord.class);
  }

  private NodeState nodeState(String node) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null || ms.nodes().get(node) == null ? null : ms.nodes().get(node).state();
  }

  /** A node whose embedded peer follows: its daemon's restart takes no store leader along. */
  static String follower(LocalCluster cluster) {
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> cluster.nodeNames().stream()
        .anyMatch(n -> "leader".equals(zkMode(cluster, n))));
    return cluster.nodeNames().stream().filter(n -> "follower".equals(zkMode(cluster, n))).reduce((a, b) -> b)
        .orElseThrow();
  }

  private static String zkMode(LocalCluster cluster, String node) {
    int i = Layout.index(node);
    return EmbeddedPeer.mode(cluster.layout().address(i), cluster.layout().clientPort(), cluster.adminCredential());
  }

  @Test
  void aDaemonRestartMovesNothingFencesNothingAndKeepsEveryProcess() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 3, TIMING);
    admin = DemoLab.start(cluster);
    String victim = follower(cluster);
    // Under load: the victim runs three resources, the others one each.
    admin.update(StorePaths.CONFIG, ClusterConfig.class, cfg -> cfg.withResource(cluster.demoResource("vm:201",
        victim)).withResource(cluster.demoResource("vm:202", victim)));
    DemoLab.awaitRunning(cluster, "vm:201", "vm:202");
    await().ignoreExceptions().atMost(BACK).until(() -> record(victim).armed());
    Map<String, Long> pids = new TreeMap<>();
    for (String id : List.of("vm:101", "vm:102", "vm:103", "vm:201", "vm:202")) {
      List<Instance> alive = Traces.alive(Traces.read(cluster.traceDir()), id, System.currentTimeMillis());
      assertThat(alive).as("%s runs once", id).hasSize(1);
      pids.put(id, alive.get(0).pid());
    }
    Map<String, Long> generations = new HashMap<>();
    for (String n : cluster.nodeNames()) generations.put(n, record(n).generation());
    long daemon = cluster.daemonPid(victim).orElseThrow();
    long supervisor = cluster.supervisorPid(victim).orElseThrow();
    long counter = record(victim).counter();
    long t0 = System.currentTimeMillis();

    ProcessHandle.of(daemon).orElseThrow().destroy(); // SIGTERM to the daemon's JVM alone, by pid

    // The hold is written, the old daemon exits, a new one (same supervisor) renews and clears the hold.
    await().ignoreExceptions().atMost(BACK).pollInterval(Duration.ofMillis(200)).until(() ->
        record(victim).holdMs() > 0);
    await().atMost(BACK).until(() -> ProcessHandle.of(daemon).map(h -> !h.isAlive()).orElse(true));
    await().ignoreExceptions().atMost(BACK).pollInterval(Duration.ofMillis(250)).until(() ->
        cluster.daemonPid(victim).filter(p -> p != daemon).isPresent() && record(victim).holdMs() == 0
            && record(victim).armed() && record(victim).counter() > counter + 2
            && nodeState(victim) == NodeState.ONLINE);
    long backMs = System.currentTimeMillis() - t0;
    System.out.printf("daemon restart of %s: renewing again, hold cleared, %.1fs after SIGTERM%n", victim,
        backMs / 1000.0);
    assertThat(cluster.supervisorPid(victim)).as("the same supervisor").contains(supervisor);

    List<Instance> traces = Traces.read(cluster.traceDir());
    long now = System.currentTimeMillis();
    for (var e : pids.entrySet()) {
      List<Instance> alive = Traces.alive(traces, e.getKey(), now);
      assertThat(alive).as("%s runs once", e.getKey()).hasSize(1);
      assertThat(alive.get(0).pid()).as("%s kept its process", e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(traces).filteredOn(i -> i.startMs() > t0).as("nothing started anywhere after the SIGTERM").isEmpty();
    for (String n : cluster.nodeNames()) {
      assertThat(record(n).generation()).as("%s never fenced", n).isEqualTo(generations.get(n));
      assertThat(nodeState(n)).isEqualTo(NodeState.ONLINE);
    }
    String log = Files.readString(cluster.nodeLog(victim));
    String own = "vm:10" + Layout.index(victim);
    assertThat(log).contains("restart hold written; the watchdog holds for 30s")
        .contains("while held for a restart: restarting it now")
        .contains("resource " + own + ": adopted pid " + pids.get(own))
        .contains("resource vm:201: adopted pid " + pids.get("vm:201"))
        .contains("resource vm:202: adopted pid " + pids.get("vm:202"))
        .contains("hold released: armed again").doesNotContain("watchdog expired");
  }
}
