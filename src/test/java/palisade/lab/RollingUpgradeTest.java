package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.StorePaths;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;

/**
 * A rolling upgrade on a real 3-node lab (docs/INSTALL.md "Upgrading"): every daemon starts from the previous
 * release's build, then one node at a time its daemon's class path is replaced by this build's (as a package upgrade
 * replaces the jar) and the daemon restarted cleanly (SIGTERM: restart hold, same supervisor, adoption), the
 * manager's node last. Old and new daemons run together meanwhile. Every process resource keeps its process and its token, nothing starts anywhere,
 * no node is fenced; the manager role may move. The watchdog supervisors are this build's throughout (the lab
 * starts them; their protocol with the daemon is the same in both).
 */
@Tag("cluster")
class RollingUpgradeTest {
  /**
   * The previous release: a commit of main (the project has no release tags, which a clean checkout may not carry
   * anyway). Bump it at each release to the commit that was released.
   */
  static final String PREVIOUS_RELEASE = "9e47e4a";
  static final Duration BACK = Duration.ofSeconds(60);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;

  @AfterEach
  void tearDown() throws Exception {
    DemoLab.stopAndCheck(cluster, admin);
  }

  /**
   * The previous release built from this repository's history into target/ (kept there: a second run reuses it):
   * its jar and its own lib/ (right even when the dependencies changed since).
   */
  static Path previousRelease() throws Exception {
    Path root = Path.of("").toAbsolutePath();
    Path out = root.resolve("target").resolve("previous-release-" + PREVIOUS_RELEASE);
    Path jar = out.resolve("target").resolve("palisade.jar");
    if (Files.exists(jar)) return out.resolve("target");
    if (run(root, List.of("git", "-C", root.toString(), "rev-parse", "--verify", "--quiet", PREVIOUS_RELEASE
        + "^{commit}")) != 0) {
      throw new AssertionError("the previous release " + PREVIOUS_RELEASE + " is not in this checkout's git history "
          + "(a shallow clone? run git fetch --unshallow): the rolling-upgrade test builds it from there");
    }
    Path src = out.resolve("src.tmp");
    deleteTree(src);
    Files.createDirectories(src);
    assertThat(run(root, List.of("bash", "-c", "git -C '" + root + "' archive " + PREVIOUS_RELEASE + " | tar -x -C '"
        + src + "'"))).as("git archive %s", PREVIOUS_RELEASE).isZero();
    assertThat(run(src, List.of("mvn", "-o", "-q", "-B", "package", "-DskipTests", "-Dpalisade.package.skip=true")))
        .as("building %s (mvn package in %s)", PREVIOUS_RELEASE, src).isZero();
    deleteTree(out.resolve("target"));
    Files.move(src.resolve("target"), out.resolve("target"));
    deleteTree(src);
    return out.resolve("target");
  }

  private static int run(Path in, List<String> argv) throws Exception {
    Process p = new ProcessBuilder(argv).directory(in.toFile()).inheritIO().start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", argv) + ": no end after 5 minutes");
    }
    return p.exitValue();
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }

  /** The node's daemon class path file: rewritten whole (a new file renamed over it), read at the next start. */
  private void classPath(String node, String cp) throws IOException {
    Path f = cluster.dir().resolve(node).resolve(LabPower.CLASS_PATH_FILE);
    Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
    Files.writeString(tmp, "-cp \"" + cp + "\"\n");
    Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Whether the daemon's JVM has the previous release's jar open (it runs the old build). */
  private static boolean runsOld(long pid, Path old) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.anyMatch(fd -> {
        try {
          return Files.readSymbolicLink(fd).startsWith(old);
        } catch (IOException e) {
          return false; // closed meanwhile
        }
      });
    }
  }

  private NodeRecord record(String node) throws Exception {
    return admin.value(StorePaths.node(node), NodeRecord.class);
  }

  private ManagerState state() throws Exception {
    return admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
  }

  @Test
  void upgradingOneNodeAtATimeMovesNothingFencesNothingAndKeepsEveryProcess() throws Exception {
    Path old = previousRelease();
    cluster = LocalCluster.create(dir.resolve("c"), 3, RealDaemonRestartTest.TIMING);
    for (String n : cluster.nodeNames()) classPath(n, old.resolve("palisade.jar") + ":" + old.resolve("lib") + "/*");
    admin = DemoLab.start(cluster);
    for (String n : cluster.nodeNames()) {
      assertThat(runsOld(cluster.daemonPid(n).orElseThrow(), old)).as("%s starts on the old build", n).isTrue();
      await().ignoreExceptions().atMost(BACK).until(() -> record(n).armed());
    }
    Map<String, Long> pids = new TreeMap<>();
    Map<String, Long> tokens = new TreeMap<>();
    ManagerState before = state();
    for (String id : List.of("vm:101", "vm:102", "vm:103")) {
      List<Instance> alive = Traces.alive(Traces.read(cluster.traceDir()), id, System.currentTimeMillis());
      assertThat(alive).as("%s runs once", id).hasSize(1);
      pids.put(id, alive.get(0).pid());
      tokens.put(id, before.services().get(id).token());
    }
    Map<String, Long> generations = new TreeMap<>();
    for (String n : cluster.nodeNames()) generations.put(n, record(n).generation());
    long t0 = System.currentTimeMillis();

    // As INSTALL.md says: the manager's node last, so that no old daemon takes the manager role over from a new one.
    String manager = admin.value(StorePaths.MANAGER_LEASE, palisade.core.ManagerLease.class).holder();
    List<String> order = new java.util.ArrayList<>(cluster.nodeNames());
    order.remove(manager);
    order.add(manager);
    for (String n : order) {
      long daemon = cluster.daemonPid(n).orElseThrow();
      long counter = record(n).counter();
      long t = System.currentTimeMillis();
      classPath(n, LabProcesses.classPath()); // this build: what the test runs
      ProcessHandle.of(daemon).orElseThrow().destroy(); // a clean restart, by pid (systemctl restart palisade)
      await().ignoreExceptions().atMost(BACK).pollInterval(Duration.ofMillis(250)).until(() ->
          cluster.daemonPid(n).filter(p -> p != daemon).isPresent() && record(n).holdMs() == 0 && record(n).armed()
              && record(n).counter() > counter + 2 && state().nodes().get(n).state() == NodeState.ONLINE);
      assertThat(runsOld(cluster.daemonPid(n).orElseThrow(), old)).as("%s runs the new build", n).isFalse();
      System.out.printf("upgraded %s: renewing again %.1fs after SIGTERM; manager on %s%n", n,
          (System.currentTimeMillis() - t) / 1000.0, admin.value(StorePaths.MANAGER_LEASE,
          palisade.core.ManagerLease.class).holder());
      if (n.equals(order.get(0))) Thread.sleep(10_000); // one new daemon beside two old ones for a while
      checkNothingMoved(pids, tokens, generations, t0);
    }
  }

  private void checkNothingMoved(Map<String, Long> pids, Map<String, Long> tokens, Map<String, Long> generations,
      long t0) throws Exception {
    List<Instance> traces = Traces.read(cluster.traceDir());
    long now = System.currentTimeMillis();
    ManagerState ms = state();
    for (var e : pids.entrySet()) {
      List<Instance> alive = Traces.alive(traces, e.getKey(), now);
      assertThat(alive).as("%s runs once", e.getKey()).hasSize(1);
      assertThat(alive.get(0).pid()).as("%s kept its process", e.getKey()).isEqualTo(e.getValue());
      assertThat(ms.services().get(e.getKey()).token()).as("%s kept its token", e.getKey())
          .isEqualTo(tokens.get(e.getKey()));
    }
    assertThat(traces).filteredOn(i -> i.startMs() > t0).as("nothing started anywhere since the upgrade began")
        .isEmpty();
    for (String n : cluster.nodeNames()) {
      assertThat(record(n).generation()).as("%s never fenced", n).isEqualTo(generations.get(n));
      assertThat(ms.nodes().get(n).state()).as("%s", n).isEqualTo(NodeState.ONLINE);
    }
  }
}
