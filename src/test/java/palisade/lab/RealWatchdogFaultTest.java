package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.StorePaths;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;

/**
 * The watchdog path with real processes: a 2-node local cluster (node1 runs the only store peer, node2 is the
 * victim), each daemon under its process-watchdog supervisor, demo resources running as {@code nobody}. Each test
 * attacks the path by which node2 is reset — its supervisor stopped, a resource that escapes its process group, a
 * resource that tries to feed — and asserts that node2's resources die before L and that, by the trace checker
 * after every test, no resource ever ran twice. Every process is stopped by PID afterwards.
 */
@Tag("cluster")
class RealWatchdogFaultTest {
  static final Map<String, String> TIMING = RealClusterFaultTest.TIMING;
  static final long R_MS = 1_000;
  static final long W_MS = 4_000;
  static final long L_MS = 6_500;
  static final Duration FORM = Duration.ofSeconds(90);
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

  /** Two nodes, vm:101 on node1 and vm:102 on node2, both running. */
  private void up() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 2, new LocalCluster.Options(TIMING, 1, false, Set.of(),
        Map.of()));
    admin = DemoLab.start(cluster);
  }

  private void awaitRunning(String... ids) {
    DemoLab.awaitRunning(cluster, ids);
  }

  private void addResource(String id, String node, Map<String, String> options) throws Exception {
    ResourceConfig rc = new ResourceConfig(id, node, RequestState.STARTED, null, 0, 1, 1, List.of(), "process",
        new TreeMap<>(options));
    admin.update(StorePaths.CONFIG, ClusterConfig.class, cfg -> cfg.withResource(rc));
  }

  private List<Instance> traces() throws Exception {
    return Traces.read(cluster.traceDir());
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private Optional<Instance> running(String id) throws Exception {
    List<Instance> alive = Traces.alive(traces(), id, now());
    return alive.size() == 1 ? Optional.of(alive.get(0)) : Optional.empty();
  }

  private Instance instance(long pid) throws Exception {
    return traces().stream().filter(i -> i.pid() == pid).findFirst().orElseThrow();
  }

  private String nodeLog() throws Exception {
    return Files.readString(cluster.nodeLog(VICTIM));
  }

  private Path resourceLog(String id) {
    return cluster.dir().resolve(VICTIM).resolve("data").resolve("resources").resolve(id + ".log");
  }

  private static boolean runnable(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** A resource whose work runs in a process that double-forked and called setsid: no longer the driver's child. */
  private void addEscapingResource(String id) throws Exception {
    String demo = "TRACE_DIR='" + cluster.traceDir() + "' setsid -f bash '" + cluster.dir().resolve(
        "demo-resource.sh") + "' </dev/null; exec sleep 100000";
    addResource(id, VICTIM, Map.of("command", demo));
    awaitRunning(id);
  }

  /**
   * SIGSTOP of node2's supervisor alone: the daemon's next call to it (the check every R, or a feed) misses its
   * deadline, so the daemon kills its resources — the escaped one through its cgroup — and halts, well before L,
   * when node1 may start them.
   */
  @Test
  void aStoppedSupervisorIsNoticedAndTheNodesResourcesDieBeforeL() throws Exception {
    up();
    addEscapingResource("vm:201");
    Instance escaped = running("vm:201").orElseThrow();
    Instance before = running("vm:102").orElseThrow();
    long daemon = cluster.daemonPid(VICTIM).orElseThrow();
    long stoppedAt = now();
    cluster.pauseSupervisor(VICTIM, true);
    try {
      await().atMost(Duration.ofMillis(L_MS)).pollInterval(Duration.ofMillis(50))
          .until(() -> !instance(before.pid()).alive(now()));
      await().ignoreExceptions().atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> running("vm:102")
          .filter(i -> i.node().equals("node1") && i.token() > before.token()).isPresent());
      Instance old = instance(before.pid());
      Instance after = running("vm:102").orElseThrow();
      System.out.printf("supervisor of %s stopped: vm:102 last beat %d ms after the stop, restarted on %s "
          + "(token %d) %d ms after the stop%n", VICTIM, old.lastMs() - stoppedAt, after.node(), after.token(),
          after.startMs() - stoppedAt);
      // The last renewal may have come up to R before the stop: dead within L - R of the stop is dead within L.
      assertThat(old.lastMs() - stoppedAt).as("resource dead well before L").isLessThan(L_MS - R_MS);
      assertThat(instance(escaped.pid()).lastMs() - stoppedAt).as("escaped resource dead well before L")
          .isLessThan(L_MS - R_MS);
      assertThat(runnable(escaped.pid())).isFalse();
      assertThat(runnable(daemon)).as("the daemon halted").isFalse();
      assertThat(nodeLog()).contains("FATAL: watchdog").contains("no answer")
          .containsPattern("SIGKILL to [1-9]\\d* other processes in cgroup");
    } finally {
      cluster.pauseSupervisor(VICTIM, false);
    }
  }

  /**
   * A resource whose work runs in a process that double-forked and called setsid (its own session and group, an
   * orphan): when node2 stops feeding (its daemon SIGSTOPped), the supervisor's reset kills it through the cgroup.
   */
  @Test
  void aResourceThatEscapesItsProcessGroupDiesOnReset() throws Exception {
    up();
    addEscapingResource("vm:201");
    Instance escaped = running("vm:201").orElseThrow();
    assertThat(escaped.node()).isEqualTo(VICTIM);
    long daemon = cluster.daemonPid(VICTIM).orElseThrow();
    String stat = Files.readString(Path.of("/proc/" + escaped.pid() + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    assertThat(Long.parseLong(f[2])).as("the escaped process leads its own group").isEqualTo(escaped.pid());
    long stoppedAt = now();
    cluster.pause(VICTIM, true);
    try {
      await().atMost(Duration.ofMillis(L_MS)).pollInterval(Duration.ofMillis(50))
          .until(() -> !runnable(escaped.pid()));
      long deadAt = now();
      await().ignoreExceptions().atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> running("vm:201")
          .filter(i -> i.startMs() > stoppedAt).isPresent());
      Instance old = instance(escaped.pid());
      Instance after = running("vm:201").orElseThrow();
      System.out.printf("daemon of %s stopped: escaped vm:201 dead %d ms after the stop (last beat %d ms), "
          + "recovered on %s (token %d)%n", VICTIM, deadAt - stoppedAt, old.lastMs() - stoppedAt, after.node(),
          after.token());
      assertThat(old.lastMs() - stoppedAt).as("escaped process dead at the reset, before L").isLessThan(L_MS - R_MS);
      assertThat(nodeLog()).contains("watchdog expired").containsPattern("cgroup \\S+ killed \\([1-9]");
    } finally {
      ProcessHandle.of(daemon).filter(ProcessHandle::isAlive).ifPresent(h -> {
        try {
          cluster.pause(VICTIM, false);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }

  /**
   * Resources that try to feed node2's watchdog, told its socket path by this test (it is not in their
   * environment): as nobody the socket refuses them (0600 in a 0700 dir), as root the supervisor's peer check
   * does. When the daemon stops feeding (SIGSTOP), the watchdog still fires and node2's resources die before L.
   */
  @Test
  void aResourceCannotFeedTheWatchdog() throws Exception {
    up();
    Path script = cluster.dir().resolve("feeder.pl");
    Files.writeString(script, """
        use strict; use IO::Socket::UNIX; $| = 1;
        print "env ", ($ENV{PALISADE_WATCHDOG_SOCKET} // "none"), "\\n";
        while (1) {
          my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]);
          if (!$s) { print "connect failed: $!\\n"; }
          else { print $s "FEED\\n"; my $r = <$s>; print "reply ", (defined $r ? $r : "none\\n"); close $s; }
          select(undef, undef, undef, 0.2);
        }
        """);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
    String feed = "exec perl '" + script + "' '" + cluster.watchdogSocket(VICTIM) + "'";
    addResource("feeder-nobody", VICTIM, Map.of("command", feed));
    addResource("feeder-root", VICTIM, Map.of("command", feed, "user", "root"));
    await().atMost(FORM).pollInterval(Duration.ofMillis(250)).until(() -> Files.exists(resourceLog("feeder-root"))
        && Files.readString(resourceLog("feeder-root")).contains("reply")
        && Files.exists(resourceLog("feeder-nobody"))
        && Files.readString(resourceLog("feeder-nobody")).contains("connect failed"));
    String nobody = Files.readString(resourceLog("feeder-nobody"));
    String root = Files.readString(resourceLog("feeder-root"));
    assertThat(nobody).contains("env none").contains("connect failed: Permission denied").doesNotContain("reply");
    assertThat(root).contains("env none").contains("reply none").doesNotContain("reply OK");
    assertThat(nodeLog()).contains("refused connection from pid");

    Instance before = running("vm:102").orElseThrow();
    long daemon = cluster.daemonPid(VICTIM).orElseThrow();
    long stoppedAt = now();
    cluster.pause(VICTIM, true);
    try {
      await().atMost(Duration.ofMillis(L_MS)).pollInterval(Duration.ofMillis(50))
          .until(() -> !instance(before.pid()).alive(now()));
      await().ignoreExceptions().atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> running("vm:102")
          .filter(i -> i.startMs() > stoppedAt).isPresent());
      Instance old = instance(before.pid());
      System.out.printf("daemon of %s stopped while resources tried to feed: vm:102 last beat %d ms after%n",
          VICTIM, old.lastMs() - stoppedAt);
      assertThat(old.lastMs() - stoppedAt).as("reset by the watchdog, before L").isLessThan(L_MS - R_MS);
      assertThat(nodeLog()).contains("watchdog expired");
      assertThat(Files.readString(resourceLog("feeder-root"))).doesNotContain("reply OK");
    } finally {
      ProcessHandle.of(daemon).filter(ProcessHandle::isAlive).ifPresent(h -> {
        try {
          cluster.pause(VICTIM, false);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }
  }
}
