package palisade.runtime.watchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A supervisor that is a systemd unit's main process gets the host's SIGTERM. With {@code --term-child-first} the
 * daemon alone hears it first and its resources still run while it decides (a clean shutdown's policy, a restart
 * hold); only then is the rest of the group stopped.
 */
class SupervisorStopTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  /** Starts a "resource", writes its pid; on TERM records whether that resource still runs, then exits. */
  static final String CHILD = "trap 'if kill -0 $r 2>/dev/null; then echo alive > \"$2\"; else echo dead > \"$2\"; "
      + "fi; exit 0' TERM; sleep 600 & r=$!; echo $r > \"$1\"; wait";

  @TempDir Path dir;

  @AfterEach
  void cleanUp() throws IOException {
    Cgroup cgroup = Cgroup.named(Cgroup.v2Root().orElseThrow(), SupervisorConfig.defaultCgroup(dir.resolve("s")));
    cgroup.kill();
    cgroup.remove();
  }

  @Test
  void theChildHearsTheStopAloneFirstAndItsResourcesGoAfterIt() throws Exception {
    Path resource = dir.resolve("resource.pid");
    Path seen = dir.resolve("seen");
    WatchdogSupervisor s = new WatchdogSupervisor(SupervisorConfig.parse("--socket", dir.resolve("s").toString(),
        "--stop-grace-ms", "10000", "--term-child-first", "--", "/bin/sh", "-c", CHILD, "child", resource.toString(),
        seen.toString()));
    int[] exit = {-1};
    Thread loop = new Thread(() -> {
      try {
        exit[0] = s.run();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }, "test-supervisor");
    loop.start();
    await().atMost(WAIT).until(() -> Files.exists(resource) && !Files.readString(resource).isBlank());
    long pid = Long.parseLong(Files.readString(resource).trim());
    assertThat(ProcessHandle.of(pid)).isPresent();
    assertThat(s.requestStop()).isTrue();
    loop.join(WAIT.toMillis());
    assertThat(loop.isAlive()).isFalse();
    assertThat(exit[0]).isZero();
    assertThat(Files.readString(seen).trim()).as("the resource still ran when the child was told").isEqualTo("alive");
    // stopped after the child (a zombie until its new parent reaps it counts as stopped)
    await().atMost(WAIT).until(() -> !running(pid));
  }

  private static boolean running(long pid) throws IOException {
    Path stat = Path.of("/proc/" + pid + "/stat");
    if (!Files.exists(stat)) return false;
    String text = Files.readString(stat);
    return !text.substring(text.lastIndexOf(')') + 2).startsWith("Z");
  }

  @Test
  void theOptionIsParsed() {
    assertThat(SupervisorConfig.parse("--socket", "/tmp/x", "--", "true").termChildFirst()).isFalse();
    assertThat(SupervisorConfig.parse("--socket", "/tmp/x", "--term-child-first", "--", "true").termChildFirst())
        .isTrue();
  }
}
