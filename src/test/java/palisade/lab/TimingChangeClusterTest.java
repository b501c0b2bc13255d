package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.NodeRecord;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;

/**
 * Timings changed live on a real 2-node lab (process watchdogs, DESIGN "Changing timings live"): a refused target
 * writes nothing; W and L raised with `palisade config timing --wait` reach the manager and both watchdogs without a
 * restart; a node whose daemon is then stopped (SIGSTOP, and cut off) is reset and its resource recovered after the
 * NEW lease, not the old one, never running twice (the trace check after the test); then they are lowered back.
 */
@Tag("cluster")
class TimingChangeClusterTest {
  static final Map<String, String> TIMING = RealClusterFaultTest.TIMING; // R 1s, X 1s, W 4s, L 6.5s
  static final long OLD_L_MS = 6_500;
  static final long NEW_R_MS = 2_000;
  static final long NEW_L_MS = 13_000;
  static final Duration FAILOVER = Duration.ofSeconds(60);
  static final String VICTIM = "node2";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;

  @AfterEach
  void tearDown() throws Exception {
    DemoLab.stopAndCheck(cluster, admin);
  }

  private List<Instance> alive(String id) throws Exception {
    return Traces.alive(Traces.read(cluster.traceDir()), id, System.currentTimeMillis());
  }

  private String logs() throws Exception {
    return Files.readString(cluster.nodeLog("node1")) + Files.readString(cluster.nodeLog(VICTIM));
  }

  @Test
  void raisedLiveAStoppedNodeIsRecoveredAfterTheNewLeaseThenLoweredBack() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 2, new LocalCluster.Options(TIMING, 1, false, Set.of(),
        Map.of()));
    admin = DemoLab.start(cluster);

    // W raised without L: breaks the inequality, refused (exit 2), nothing written.
    assertThat(LabCli.run(cluster, "config", "timing", "--watchdog", "8s")).isEqualTo(2);
    assertThat(admin.read(StorePaths.TIMING)).isNull();
    assertThat(admin.value(StorePaths.CONFIG, ClusterConfig.class).timing().watchdogMs()).isEqualTo(4_000);

    LabCli.output(cluster, "config", "timing", "--renew", "2s", "--watchdog", "8s", "--lease", "13s", "--wait",
        "--timeout", "60s");
    assertThat(admin.value(StorePaths.TIMING, Timing.class).leaseMs()).isEqualTo(NEW_L_MS);
    for (String n : List.of("node1", VICTIM)) {
      NodeRecord r = admin.value(StorePaths.node(n), NodeRecord.class);
      assertThat(r.timing().watchdogMs()).as("%s claims the new W", n).isEqualTo(8_000);
      assertThat(r.timing().renewMs()).as("%s renews every new R", n).isEqualTo(NEW_R_MS);
    }
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> logs().contains(
        "timing: lease 6.5s -> 13s (raised before watchdog)") && logs().contains("timing: watchdog 4s -> 8s"));
    assertThat(LabCli.output(cluster, "config", "timing")).contains("lease 13s").doesNotContain("changing");

    Instance before = alive("vm:102").get(0);
    assertThat(before.node()).isEqualTo(VICTIM);
    long daemon = cluster.daemonPid(VICTIM).orElseThrow();
    long stoppedAt = System.currentTimeMillis();
    cluster.pause(VICTIM, true);
    // Cut off too: the supervisor restarts a reset daemon within a few seconds, sooner than the new L (W + ~3 s <
    // 13 s), and a daemon that renews again is rightly never fenced. Cut off, it stays silent for the manager.
    cluster.isolate(VICTIM);
    try {
      await().ignoreExceptions().atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> alive("vm:102")
          .stream().anyMatch(i -> i.node().equals("node1") && i.token() > before.token()));
    } finally {
      cluster.heal();
      ProcessHandle.of(daemon).filter(ProcessHandle::isAlive).ifPresent(h -> {
        try {
          cluster.pause(VICTIM, false);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }
    Instance after = alive("vm:102").get(0);
    long recoveredMs = after.startMs() - stoppedAt;
    System.out.printf("timing raised live to R 2s, W 8s, L 13s: vm:102 recovered on node1 %d ms after %s's daemon "
        + "stopped (old L %d ms)%n", recoveredMs, VICTIM, OLD_L_MS);
    // The last renewal came at most R before the stop: the new L ends no sooner than L - R after it.
    assertThat(recoveredMs).as("recovered after the NEW lease").isGreaterThanOrEqualTo(NEW_L_MS - NEW_R_MS);
    assertThat(Traces.read(cluster.traceDir()).stream().filter(i -> i.pid() == before.pid()).findFirst()
        .orElseThrow().lastMs()).as("the old instance died before the new one started").isLessThan(after.startMs());

    // Lowered back: every live member lowers W first, the manager lowers L after (the fenced node counts as done).
    LabCli.output(cluster, "config", "timing", "--renew", "1s", "--watchdog", "4s", "--lease", "6.5s", "--wait",
        "--timeout", "60s");
    assertThat(admin.value(StorePaths.TIMING, Timing.class).leaseMs()).isEqualTo(OLD_L_MS);
    assertThat(logs()).contains("timing: watchdog 8s -> 4s").contains("timing: lease 13s -> 6.5s (lowered after "
        + "watchdog");
  }
}
