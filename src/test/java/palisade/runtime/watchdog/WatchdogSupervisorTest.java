package palisade.runtime.watchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor with real processes: it runs as its own JVM, and its child is {@link FeedingAgent}
 * (another JVM) with a {@code sleep} grandchild. Every pid a test learns is killed by pid at the end.
 */
class WatchdogSupervisorTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  private static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m");
  @TempDir Path dir;
  private Process supervisor;
  private final List<Long> pids = new ArrayList<>();

  @AfterEach
  void noProcessOutlivesTheTest() throws InterruptedException, IOException {
    if (supervisor != null && supervisor.isAlive()) {
      supervisor.destroyForcibly();
      supervisor.waitFor(10, TimeUnit.SECONDS);
    }
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    await().atMost(WAIT).until(() -> pids.stream().noneMatch(ProcessGroup::runnable));
    // A supervisor killed by the test leaves its cgroup behind (empty by now, or emptied here).
    Cgroup cgroup = Cgroup.named(Cgroup.v2Root().orElseThrow(), SupervisorConfig.defaultCgroup(socket()));
    cgroup.kill();
    cgroup.remove();
  }

  private static List<String> java(String mainClass, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(JAVA);
    argv.addAll(JVM_FLAGS);
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add(mainClass);
    argv.addAll(List.of(args));
    return argv;
  }

  private Path socket() {
    return dir.resolve("wd.sock");
  }

  private Path log() {
    return dir.resolve("supervisor.log");
  }

  private void startSupervisor(String mode, int feeds, int restartsMax) throws IOException {
    startSupervisor(mode, feeds, restartsMax, 600_000);
  }

  private void startSupervisor(String mode, int feeds, int restartsMax, long windowMs) throws IOException {
    List<String> argv = java(WatchdogSupervisor.class.getName(), "--socket", socket().toString(),
        "--restarts-max", Integer.toString(restartsMax), "--restart-window-ms", Long.toString(windowMs),
        "--restart-delay-ms", "200", "--stop-grace-ms", "3000", "--");
    argv.addAll(java(FeedingAgent.class.getName(), dir.toString(), mode, "1000", Integer.toString(feeds),
        socket().toString()));
    supervisor = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log().toFile()).start();
    pids.add(supervisor.pid());
  }

  /** Waits for the n-th agent generation to report "pid grandchildPid escapedPid". */
  private long[] awaitAgent(int generation) throws IOException {
    await().atMost(WAIT).until(() -> pidFiles().size() >= generation);
    List<Path> files = pidFiles();
    // Generations by pid order would be fragile; by modification time they are not.
    files.sort((a, b) -> lastModified(a).compareTo(lastModified(b)));
    String[] words = Files.readString(files.get(generation - 1)).trim().split(" ");
    long[] agent = {Long.parseLong(words[0]), Long.parseLong(words[1]), Long.parseLong(words[2])};
    pids.add(agent[0]);
    pids.add(agent[1]);
    pids.add(agent[2]);
    return agent;
  }

  private static java.nio.file.attribute.FileTime lastModified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private List<Path> pidFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return new ArrayList<>(files.filter(p -> p.getFileName().toString().endsWith(".pids")).toList());
    }
  }

  private String logText() throws IOException {
    return Files.readString(log());
  }

  /** The "started child" line names the command without its class path (kilobytes of jar names in the log). */
  @Test
  void theChildsCommandIsLoggedWithoutItsClassPath() {
    String cp = String.join(java.io.File.pathSeparator, java.util.Collections.nCopies(120,
        "/usr/share/palisade/lib/a.jar"));
    assertThat(WatchdogSupervisor.brief(java.util.List.of("java", "-Xmx192m", "-cp", cp, "palisade.Main", "daemon")))
        .isEqualTo("java -Xmx192m -cp <120 class path entries> palisade.Main daemon");
  }

  @Test
  void anAgentThatStopsFeedingLosesItsWholeGroupAndIsRestarted() throws Exception {
    startSupervisor("stop-feeding", 3, 1);
    long[] first = awaitAgent(1);
    int supervisorGroup = ProcessGroup.pgidOf(Math.toIntExact(supervisor.pid()));
    assertThat(ProcessGroup.pgidOf((int) first[0])).as("agent leads its group").isEqualTo((int) first[0]);
    assertThat(ProcessGroup.pgidOf((int) first[1])).as("grandchild in the agent's group").isEqualTo((int) first[0]);
    assertThat(supervisorGroup).as("supervisor outside the agent's group").isNotEqualTo((int) first[0]);
    assertThat(ProcessGroup.pgidOf((int) first[2])).as("escaped its group").isEqualTo((int) first[2]);
    assertThat(Cgroup.of(first[2])).as("but not its cgroup").isEqualTo(Cgroup.of(first[0])).isPresent()
        .isNotEqualTo(Cgroup.of(supervisor.pid()));

    await().atMost(WAIT).until(() -> !ProcessGroup.runnable(first[0]) && !ProcessGroup.runnable(first[1])
        && !ProcessGroup.runnable(first[2]));
    // The supervisor logs once it has seen the whole group gone, which may be after we did.
    await().atMost(WAIT).until(() -> logText().contains("restarting child"));
    assertThat(supervisor.isAlive()).as("the supervisor survives the reset").isTrue();
    assertThat(logText()).contains("armed, timeout 1000 ms").contains("watchdog expired")
        .contains("SIGKILL to process group " + first[0]).contains("restarting child").contains("cgroup ");

    long[] second = awaitAgent(2);
    assertThat(second[0]).isNotEqualTo(first[0]);
    assertThat(ProcessGroup.pgidOf((int) second[1])).isEqualTo((int) second[0]);

    // The second generation stops feeding too; with one restart allowed the supervisor gives up.
    assertThat(supervisor.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(supervisor.exitValue()).isEqualTo(WatchdogSupervisor.EXIT_RESTARTS_EXHAUSTED);
    assertThat(logText()).contains("restart limit 1 per 600000 ms reached");
    for (long pid : new long[] {first[0], first[1], first[2], second[0], second[1], second[2]}) {
      assertThat(ProcessGroup.runnable(pid)).as("pid %d", pid).isFalse();
    }
    assertThat(socket()).doesNotExist();
    assertThat(pidFiles()).hasSize(2);
  }

  /**
   * A daemon restart: the child holds the watchdog and exits. The supervisor starts the next child at once and kills
   * nothing (the first generation's resources, in its group and escaped, keep running); the countdown keeps
   * running until the new child arms. That child then stops feeding: the reset takes everything, the first
   * generation's resources included, and the held restart counted in the budget (1), so the supervisor gives up.
   */
  @Test
  void aChildThatExitsHeldIsRestartedAtOnceWithoutAReset() throws Exception {
    startSupervisor("hold", 8, 1); // 8 feeds: the second child stops feeding 2 s after it armed
    long[] first = awaitAgent(1);
    long[] second = awaitAgent(2);
    assertThat(second[0]).isNotEqualTo(first[0]);
    assertThat(ProcessGroup.runnable(first[0])).as("the held child exited").isFalse();
    assertThat(logText()).contains("held for a daemon restart: timeout 8000 ms")
        .contains("while held for a restart: restarting it now").doesNotContain("watchdog expired");
    assertThat(ProcessGroup.runnable(first[1])).as("the first generation's resource survives").isTrue();
    assertThat(ProcessGroup.runnable(first[2])).as("and so does the one that escaped its group").isTrue();
    await().atMost(WAIT).until(() -> logText().contains("hold released: armed again, timeout 1000 ms"));
    await().atMost(WAIT).until(() -> !ProcessGroup.runnable(first[1]) && !ProcessGroup.runnable(first[2])
        && !ProcessGroup.runnable(second[0]) && !ProcessGroup.runnable(second[1]));
    assertThat(supervisor.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(supervisor.exitValue()).isEqualTo(WatchdogSupervisor.EXIT_RESTARTS_EXHAUSTED);
    assertThat(logText()).contains("watchdog expired: no feed for").doesNotContain(", held for a restart)");
    for (long pid : new long[] {first[0], first[1], first[2], second[0], second[1], second[2]}) {
      assertThat(ProcessGroup.runnable(pid)).as("pid %d", pid).isFalse();
    }
  }

  /** The new child never arms: the held countdown runs out and the reset takes both generations' processes. */
  @Test
  void aHeldRestartWhoseSuccessorNeverArmsIsResetWhenTheHoldRunsOut() throws Exception {
    startSupervisor("hold-silent", 2, 1);
    long[] first = awaitAgent(1);
    long[] second = awaitAgent(2);
    await().atMost(WAIT).until(() -> logText().contains("never arms"));
    assertThat(ProcessGroup.runnable(first[1])).as("held: the first generation's resource still runs").isTrue();
    await().atMost(WAIT).until(() -> !ProcessGroup.runnable(first[1]) && !ProcessGroup.runnable(first[2])
        && !ProcessGroup.runnable(second[0]) && !ProcessGroup.runnable(second[1]));
    assertThat(logText()).contains(", held for a restart); SIGKILL to process group " + second[0]);
    assertThat(supervisor.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(supervisor.exitValue()).isEqualTo(WatchdogSupervisor.EXIT_RESTARTS_EXHAUSTED);
  }

  @Test
  void disarmStopsTheTimerAndSigtermLeavesNoProcessBehind() throws Exception {
    startSupervisor("disarm", 2, 1);
    long[] agent = awaitAgent(1);
    await().atMost(WAIT).until(() -> Files.exists(dir.resolve("agent-" + agent[0] + ".disarmed")));
    Thread.sleep(2_500); // 2.5 timeouts without a feed
    assertThat(ProcessGroup.runnable(agent[0])).isTrue();
    assertThat(ProcessGroup.runnable(agent[1])).isTrue();
    assertThat(logText()).contains("disarmed (magic close)").doesNotContain("expired");
    assertThat(pidFiles()).hasSize(1);

    supervisor.destroy(); // SIGTERM
    assertThat(supervisor.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(ProcessGroup.runnable(agent[0])).isFalse();
    assertThat(ProcessGroup.runnable(agent[1])).isFalse();
    assertThat(ProcessGroup.runnable(agent[2])).as("escaped process").isFalse();
    assertThat(logText()).contains("stopping: SIGTERM to process group " + agent[0]).contains("stopped");
    assertThat(socket()).doesNotExist();
  }

  @Test
  void clientSpeaksTheProtocolToAnInProcessSupervisor() throws Exception {
    WatchdogSupervisor inProcess = new WatchdogSupervisor(
        SupervisorConfig.parse("--socket", socket().toString(), "--stop-grace-ms", "2000", "--", "sleep", "600"));
    int[] exit = {-1};
    Thread loop = new Thread(() -> {
      try {
        exit[0] = inProcess.run();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }, "test-supervisor");
    loop.start();
    try {
      await().atMost(WAIT).until(() -> inProcess.childPid() > 0 && Files.exists(socket()));
      long child = inProcess.childPid();
      pids.add(child);
      assertThat(ProcessGroup.pgidOf((int) child)).isEqualTo((int) child);

      try (ProcessWatchdogClient refused = new ProcessWatchdogClient(socket(), Duration.ofSeconds(5))) {
        assertThatThrownBy(refused::status).as("this JVM is not the supervisor's child")
            .isInstanceOf(IOException.class); // closed (or reset) by the supervisor
      }
      inProcess.allowPeerForTest(ProcessHandle.current().pid());
      try (ProcessWatchdogClient client = new ProcessWatchdogClient(socket(), Duration.ofSeconds(5))) {
        assertThat(client.status()).isEqualTo("DISARMED");
        assertThatThrownBy(client::feed).isInstanceOf(IOException.class).hasMessageContaining("not armed");
        client.arm(Duration.ofSeconds(5));
        assertThat(client.armed()).isTrue();
        assertThat(client.status()).isEqualTo("ARMED 5000");
        client.feed();
        client.disarm();
        assertThat(client.armed()).isFalse();
        assertThat(client.status()).isEqualTo("DISARMED");
        // The child enters its cgroup itself right after the fork: wait for it rather than race it.
        var reported = client.cgroup();
        assertThat(reported).isPresent();
        await().atMost(WAIT).until(() -> Cgroup.of(child).equals(reported));
      }
      assertThatThrownBy(() -> SupervisorConfig.parse("--", "x")).hasMessageContaining("--socket is required");
      assertThat(inProcess.requestStop()).isTrue();
      loop.join(WAIT.toMillis());
      assertThat(loop.isAlive()).isFalse();
      assertThat(exit[0]).isZero();
      assertThat(ProcessGroup.runnable(child)).isFalse();
      assertThat(socket()).doesNotExist();
      Path cgroupDir = Cgroup.named(Cgroup.v2Root().orElseThrow(), SupervisorConfig.defaultCgroup(socket())).dir();
      assertThat(cgroupDir).as("removed on exit").doesNotExist();
    } finally {
      inProcess.requestStop();
      loop.join(WAIT.toMillis());
    }
  }

  @Test
  void clientOutsideASupervisorSaysSo() {
    ProcessWatchdogClient nowhere = new ProcessWatchdogClient(dir.resolve("none.sock"), Duration.ofSeconds(1));
    assertThatThrownBy(() -> nowhere.arm(Duration.ofSeconds(1))).isInstanceOf(IOException.class)
        .hasMessageContaining("cannot reach");
    assertThat(nowhere.armed()).isFalse();
  }

  /** Only the supervisor's own child may talk to it: another process of the same user (root) is refused. */
  @Test
  void aConnectionFromAnyOtherProcessIsRefusedAndLogged() throws Exception {
    startSupervisor("stop-feeding", 1_000_000, 0);
    long[] agent = awaitAgent(1);
    try (ProcessWatchdogClient intruder = new ProcessWatchdogClient(socket(), Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> intruder.arm(Duration.ofSeconds(60))).isInstanceOf(IOException.class);
      assertThatThrownBy(intruder::feed).isInstanceOf(IOException.class);
    }
    // The child's own arm may be logged after the refusal (a loaded machine): wait for both lines.
    await().atMost(WAIT).until(() -> logText().contains("refused connection from pid " + ProcessHandle.current()
        .pid()) && logText().contains("armed, timeout 1000 ms"));
    assertThat(logText()).contains("only the child (pid " + agent[0] + ") may feed").contains("armed, timeout 1000 ms")
        .doesNotContain("timeout 60000");
    assertThat(Files.getPosixFilePermissions(socket())).as("socket 0600")
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
  }

  /** A socket directory others may write to (and so replace the socket in) is refused before anything starts. */
  @Test
  void aSocketDirectoryWritableByOthersIsRefused() throws Exception {
    Path open = Files.createDirectory(dir.resolve("open"));
    Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    Path sock = open.resolve("wd.sock");
    WatchdogSupervisor refused = new WatchdogSupervisor(SupervisorConfig.parse("--socket", sock.toString(), "--",
        "sleep", "600"));
    assertThatThrownBy(refused::run).isInstanceOf(IOException.class)
        .hasMessageContaining("socket directory " + open + " is writable by group or others");
    assertThat(refused.childPid()).as("no child started").isEqualTo(-1);
    assertThat(sock).doesNotExist();
    assertThat(Cgroup.named(Cgroup.v2Root().orElseThrow(), SupervisorConfig.defaultCgroup(sock)).dir())
        .as("its cgroup removed again").doesNotExist();
  }

  /** A supervisor that accepts but never answers (stopped, hung): every call fails within its deadline. */
  @Test
  void everyCallFailsWithinItsDeadlineWhenTheSupervisorNeverAnswers() throws Exception {
    try (java.nio.channels.ServerSocketChannel mute = java.nio.channels.ServerSocketChannel.open(
        java.net.StandardProtocolFamily.UNIX)) {
      mute.bind(java.net.UnixDomainSocketAddress.of(socket()));
      try (ProcessWatchdogClient client = new ProcessWatchdogClient(socket(), Duration.ofMillis(300))) {
        for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
            () -> client.arm(Duration.ofSeconds(5)), client::feed, client::check, client::status)) {
          long start = System.nanoTime();
          assertThatThrownBy(call).isInstanceOf(IOException.class).hasMessageContaining("no answer")
              .hasMessageContaining("within 300 ms");
          long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          assertThat(ms).as("failed after the deadline, not before").isGreaterThanOrEqualTo(290);
          assertThat(ms).as("and not much later").isLessThan(2_000);
        }
        assertThat(client.armed()).isFalse();
      }
    }
  }

  /** A supervisor that answers but says DISARMED while the client armed it (restarted meanwhile): check fails. */
  @Test
  void aCheckFailsWhenTheSupervisorForgotItWasArmed() throws Exception {
    try (java.nio.channels.ServerSocketChannel fake = java.nio.channels.ServerSocketChannel.open(
        java.net.StandardProtocolFamily.UNIX)) {
      fake.bind(java.net.UnixDomainSocketAddress.of(socket()));
      Thread server = new Thread(() -> {
        try (java.nio.channels.SocketChannel c = fake.accept();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                java.nio.channels.Channels.newInputStream(c), java.nio.charset.StandardCharsets.US_ASCII))) {
          java.io.OutputStream out = java.nio.channels.Channels.newOutputStream(c);
          String line;
          while ((line = in.readLine()) != null) {
            out.write((line.startsWith("STATUS") ? "DISARMED\n" : "OK\n").getBytes(
                java.nio.charset.StandardCharsets.US_ASCII));
          }
        } catch (IOException e) {
          // the client went away
        }
      }, "fake-supervisor");
      server.setDaemon(true);
      server.start();
      try (ProcessWatchdogClient client = new ProcessWatchdogClient(socket(), Duration.ofSeconds(5))) {
        client.check(); // disarmed on both sides: fine
        client.arm(Duration.ofSeconds(5));
        assertThatThrownBy(client::check).isInstanceOf(IOException.class)
            .hasMessageContaining("says 'DISARMED' while armed");
      }
    }
  }

  /** The budget is a rate: restarts spread out over time go on; a burst inside the window is given up on. */
  @Test
  void restartBudgetIsARateNotALifetimeCount() {
    long s = 1_000_000_000L;
    RestartBudget budget = new RestartBudget(2, 60 * s);
    assertThat(budget.tryRestart(0)).isTrue();
    assertThat(budget.tryRestart(10 * s)).isTrue();
    assertThat(budget.tryRestart(59 * s)).as("third within 60 s").isFalse();
    assertThat(budget.tryRestart(60 * s)).as("the first left the window").isTrue();
    for (int i = 2; i < 100; i++) {
      assertThat(budget.tryRestart(i * 100 * s)).as("one restart every 100 s, forever").isTrue();
    }
    assertThat(new RestartBudget(0, s).tryRestart(0)).as("0: never restart").isFalse();
    SupervisorConfig c = SupervisorConfig.parse("--socket", "/x.sock", "--restarts-max", "5",
        "--restart-window-ms", "1000", "--", "true");
    assertThat(c.restartsMax()).isEqualTo(5);
    assertThat(c.restartWindow()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.cgroup()).startsWith("palisade/wd-");
    assertThatThrownBy(() -> SupervisorConfig.parse("--socket", "/x.sock", "--restart-window-ms", "0", "--", "x"))
        .hasMessageContaining("--restart-window-ms must be positive");
    assertThatThrownBy(() -> SupervisorConfig.parse("--socket", "/x.sock", "--restarts-max", "x", "--", "x"))
        .hasMessageContaining("--restarts-max: 'x' is not a whole number");
    assertThatThrownBy(() -> SupervisorConfig.parse("--socket", "/x.sock", "--cgroup", "../etc", "--", "x"))
        .hasMessageContaining("--cgroup '../etc'");
  }

  /** With a restart every ~2 s and a budget of 1 per 500 ms, the supervisor keeps restarting (old rule: gave up). */
  @Test
  void aSupervisorWithARateBudgetKeepsRestartingASlowlyFailingChild() throws Exception {
    startSupervisor("stop-feeding", 1, 1, 500);
    awaitAgent(1);
    awaitAgent(2);
    awaitAgent(3);
    assertThat(supervisor.isAlive()).isTrue();
    assertThat(logText()).doesNotContain("giving up");
  }
}
