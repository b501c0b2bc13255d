package palisade.runtime.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessResourceDriverTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  @TempDir Path dir;
  /** Where commands write: resources run as nobody by default, so it is world-writable (and dir traversable). */
  private Path out;
  private ProcessResourceDriver driver;
  /** Every pid a test learns about; all must be dead when the test ends. */
  private final List<Long> pids = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    out = Files.createDirectory(dir.resolve("out"));
    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx"));
    driver = new ProcessResourceDriver(dir.resolve("logs"));
  }

  @AfterEach
  void noProcessOutlivesTheTest() {
    driver.killAll();
    for (long pid : pids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    await().atMost(WAIT).until(() -> pids.stream().noneMatch(ProcessResourceDriverTest::alive));
  }

  /**
   * Alive and not a zombie: here PID 1 may reap orphans only every second or two, and a zombie
   * already is dead for our purposes (ProcessHandle counts it as alive).
   */
  static boolean alive(long pid) {
    if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false; // gone between the two checks
    }
  }

  private static ResourceSpec spec(String id, String command) {
    return new ResourceSpec(id, "process", Map.of("command", command));
  }

  /** Waits for a file the command writes and returns its trimmed content. */
  private String awaitFile(String name) {
    Path file = out.resolve(name);
    await().atMost(WAIT).until(() -> Files.exists(file) && Files.readString(file).endsWith("\n"));
    return read(file);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private long awaitPid(String name) {
    long pid = Long.parseLong(awaitFile(name));
    pids.add(pid);
    return pid;
  }

  @Test
  void commandSeesItsEnvironmentAndLogsToItsFile() throws Exception {
    driver.start(spec("web", "echo $$ > " + out + "/pid; "
        + "echo \"$PALISADE_RESOURCE $PALISADE_NODE $PALISADE_TOKEN\" > " + out + "/env; "
        + "echo to-stdout; echo to-stderr >&2; exec sleep 30"), 42, "node-1");
    long pid = awaitPid("pid");
    assertThat(awaitFile("env")).isEqualTo("web node-1 42");
    assertThat(driver.isRunning("web")).isTrue();
    assertThat(driver.running()).containsExactly("web");
    await().atMost(WAIT).until(() -> read(driver.logFile("web")).contains("to-stderr"));
    assertThat(read(driver.logFile("web"))).contains("to-stdout");

    driver.stop("web", Duration.ofSeconds(5));
    assertThat(alive(pid)).isFalse();
    assertThat(driver.isRunning("web")).isFalse();
    assertThat(driver.running()).isEmpty();
  }

  @Test
  void aResourceGetsTheStorageAndItsDisks() throws Exception {
    ProcessResourceDriver withStorage = new ProcessResourceDriver(dir.resolve("logs2"), Path.of("/srv/storage"));
    try {
      withStorage.start(new ResourceSpec("db", "process", java.util.Map.of("command", "echo $$ > " + out
          + "/pid; echo \"$PALISADE_STORAGE $PALISADE_DISKS\" > " + out + "/env; exec sleep 30", "user", "root"),
          List.of("db-data", "/var/lib/images/db.qcow2")), 3, "node-1");
      awaitPid("pid");
      assertThat(awaitFile("env")).isEqualTo("/srv/storage db-data,/var/lib/images/db.qcow2");
    } finally {
      withStorage.killAll();
    }
  }

  /**
   * A daemon restart: a new driver on the same directory adopts the process the old one started (same pid, its
   * token), does not start it again, and stops it (with its descendants) like its own. A recorded pid whose start
   * time differs (a reused pid) is not adopted.
   */
  @Test
  void aNewDriverAdoptsWhatTheOldOneLeftRunningAndNothingElse() throws Exception {
    driver.start(spec("vm:1", "sleep 30 & echo $! > " + out + "/child; echo $$ > " + out + "/pid; wait"), 7, "n1");
    long pid = awaitPid("pid");
    long child = awaitPid("child");
    pids.add(pid);
    pids.add(child);
    Path table = dir.resolve("logs").resolve("processes.state");
    assertThat(Files.getPosixFilePermissions(table)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    // a second entry whose pid is alive but started at another instant: a reused pid, not ours
    Files.writeString(table, Files.readString(table) + "vm:2 " + child + " 12345 9\n");

    ProcessResourceDriver next = new ProcessResourceDriver(dir.resolve("logs"));
    assertThat(next.running()).containsExactly("vm:1");
    assertThat(next.token("vm:1")).isEqualTo(7);
    assertThat(next.token("vm:2")).isEqualTo(-1);
    next.start(spec("vm:1", "echo $$ > " + out + "/second; exec sleep 30"), 7, "n1");
    assertThat(out.resolve("second")).as("adopted: a start is a no-op").doesNotExist();
    assertThat(Files.readString(table)).doesNotContain("vm:2");
    next.stop("vm:1", Duration.ofSeconds(5));
    assertThat(alive(pid)).isFalse();
    await().atMost(WAIT).until(() -> !alive(child));
    assertThat(next.running()).isEmpty();
    assertThat(new ProcessResourceDriver(dir.resolve("logs")).running()).isEmpty();
  }

  @Test
  void aNewDriverAdoptsWhatRunsAfterStartsAndStopsWereAppended() throws Exception {
    for (String id : List.of("a", "b", "c")) driver.start(spec(id, "exec sleep 30"), 5, "n1");
    driver.stop("b", Duration.ofSeconds(5));
    Path table = dir.resolve("logs").resolve("processes.state");
    assertThat(Files.readAllLines(table)).contains("- b");
    ProcessResourceDriver next = new ProcessResourceDriver(dir.resolve("logs"));
    assertThat(next.running()).containsExactly("a", "c");
    assertThat(Files.readAllLines(table)).as("rewritten whole at adoption").hasSize(2);
    next.killAll();
  }

  @Test
  void startOfARunningResourceIsANoOp() throws Exception {
    ResourceSpec spec = spec("db", "echo $$ >> " + out + "/pids; exec sleep 30");
    driver.start(spec, 1, "n1");
    awaitPid("pids");
    driver.start(spec, 1, "n1");
    Thread.sleep(300); // give a wrongly started second copy time to show up
    assertThat(Files.readAllLines(out.resolve("pids"))).hasSize(1);
  }

  @Test
  void stopTermsGracefullyAndTakesTheDescendantsAlong() throws Exception {
    driver.start(spec("svc", "sleep 30 & echo $! > " + out + "/child; echo $$ > " + out + "/pid; wait"),
        7, "n1");
    long pid = awaitPid("pid");
    long child = awaitPid("child");
    long start = System.nanoTime();
    driver.stop("svc", Duration.ofSeconds(5));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    assertThat(alive(pid)).isFalse();
    await().atMost(WAIT).until(() -> !alive(child));
  }

  @Test
  void stopEscalatesToKillForAProcessThatIgnoresTerm() throws Exception {
    driver.start(spec("stubborn", "trap '' TERM; echo $$ > " + out + "/pid; "
        + "while :; do sleep 0.1; done"), 3, "n1");
    long pid = awaitPid("pid");
    long start = System.nanoTime();
    driver.stop("stubborn", Duration.ofMillis(700));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
    assertThat(alive(pid)).isFalse();
    assertThat(driver.isRunning("stubborn")).isFalse();
  }

  @Test
  void killAllKillsEveryResourceAndItsChildrenAtOnce() throws Exception {
    for (String id : List.of("a", "b", "c")) {
      driver.start(spec(id, "trap '' TERM; sleep 30 & echo $! > " + out + "/" + id + ".child; "
          + "echo $$ > " + out + "/" + id + ".pid; wait"), 1, "n1");
    }
    List<Long> mine = new ArrayList<>();
    for (String id : List.of("a", "b", "c")) {
      mine.add(awaitPid(id + ".pid"));
      mine.add(awaitPid(id + ".child"));
    }
    assertThat(driver.running()).containsExactly("a", "b", "c");
    long start = System.nanoTime();
    driver.killAll();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(driver.running()).isEmpty();
    await().atMost(WAIT).until(() -> mine.stream().noneMatch(ProcessResourceDriverTest::alive));
  }

  @Test
  void aProcessThatExitsByItselfIsNotRunningAndCanBeStartedAgain() throws Exception {
    ResourceSpec spec = spec("once", "echo run >> " + out + "/runs");
    driver.start(spec, 1, "n1");
    await().atMost(WAIT).until(() -> !driver.isRunning("once"));
    assertThat(driver.running()).isEmpty();
    driver.stop("once", Duration.ofSeconds(1)); // stopping a stopped resource is fine
    driver.start(spec, 2, "n1");
    await().atMost(WAIT).until(() -> Files.exists(out.resolve("runs"))
        && Files.readAllLines(out.resolve("runs")).size() == 2);
  }

  @Test
  void refusesASpecWithoutCommandOrWithAnUnsafeId() {
    assertThatThrownBy(() -> driver.start(new ResourceSpec("x", "process", Map.of()), 1, "n1"))
        .isInstanceOf(ResourceException.class).hasMessageContaining("'command' is required");
    assertThatThrownBy(() -> driver.start(spec("../etc", "true"), 1, "n1"))
        .isInstanceOf(ResourceException.class).hasMessageContaining("id must match");
    assertThat(new ResourceSpec("x", "process", null).option("command")).isEqualTo(Optional.empty());
  }

  private static ResourceSpec spec(String id, String command, String user) {
    return new ResourceSpec(id, "process", Map.of("command", command, "user", user));
  }

  /** Resources run as nobody unless root is asked for; the daemon's files and logs are out of their reach. */
  @Test
  void runsAsNobodyByDefaultAndAsRootOnlyWhenAsked() throws Exception {
    driver.start(spec("plain", "echo \"ids $(id -u) $(id -g) [$(id -G)] $(pwd)\"; ls " + dir.resolve("logs")
        + " || echo no-logs; exec sleep 30"), 1, "n1");
    driver.start(spec("privileged", "echo \"ids $(id -u)\"; exec sleep 30", "root"), 1, "n1");
    await().atMost(WAIT).until(() -> read(driver.logFile("plain")).contains("no-logs")
        && read(driver.logFile("privileged")).contains("ids"));
    String plain = read(driver.logFile("plain"));
    assertThat(plain).contains("ids 65534 65534 [65534] /").contains("Permission denied");
    assertThat(read(driver.logFile("privileged"))).contains("ids 0");
    assertThat(Files.getPosixFilePermissions(dir.resolve("logs"))).isEqualTo(PosixFilePermissions.fromString(
        "rwx------"));
  }

  @Test
  void anUnknownUserIsRefusedWithTheOptionNamed() {
    assertThatThrownBy(() -> driver.start(spec("x", "true", "no-such-user"), 1, "n1"))
        .isInstanceOf(ResourceException.class).hasMessage("resource x: option user: no user 'no-such-user' in "
            + "/etc/passwd");
    assertThat(driver.running()).isEmpty();
  }

  /**
   * No descriptor of the daemon reaches a resource (the JDK launcher closes every descriptor above 2 before
   * exec), so an open watchdog connection or socket cannot be inherited; and the socket's old variable is not in
   * its environment.
   */
  @Test
  void aResourceInheritsNoDescriptorAndNoWatchdogVariable() throws Exception {
    try (java.nio.channels.ServerSocketChannel open = java.nio.channels.ServerSocketChannel.open(
        java.net.StandardProtocolFamily.UNIX)) {
      open.bind(java.net.UnixDomainSocketAddress.of(dir.resolve("held.sock")));
      // ls (a child) lists the shell's descriptors, so its own directory descriptor does not show.
      driver.start(spec("fds", "ls -l /proc/$$/fd; "
          + "echo \"env [${PALISADE_WATCHDOG_SOCKET-unset}]\"; exec sleep 30", "root"), 1, "n1");
      await().atMost(WAIT).until(() -> read(driver.logFile("fds")).contains("env"));
    }
    String log = read(driver.logFile("fds"));
    java.util.regex.Pattern fd = java.util.regex.Pattern.compile(".* (\\d+) -> .*");
    assertThat(log.lines().map(fd::matcher).filter(java.util.regex.Matcher::matches).map(m -> m.group(1)))
        .containsExactly("0", "1", "2");
    assertThat(log).doesNotContain("socket:");
    assertThat(log).contains("env [unset]");
  }

  @Test
  void samplesCountTheWholeProcessTreeAndNothingOnceStopped() throws Exception {
    // a shell whose child burns CPU: the child's time counts for the resource
    driver.start(spec("burner", "sh -c 'while :; do :; done' & echo $! > " + out.resolve("child") + "; wait"), 1,
        "n1");
    pids.add(Long.parseLong(awaitFile("child")));
    ResourceSample first = driver.samples().get("burner");
    assertThat(first).isNotNull();
    assertThat(first.memBytes()).as("two resident processes").isPositive();
    await().atMost(WAIT).until(() -> driver.samples().get("burner").cpuNanos() > first.cpuNanos() + 50_000_000L);
    driver.stop("burner", WAIT);
    assertThat(driver.samples()).doesNotContainKey("burner");
  }
}
