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
 * A child that exits disarmed ended a clean shutdown: with {@code --reboot-exit-code} that exit status boots it
 * again (its cgroup emptied first, as a rebooting machine would), any other status ends the supervisor with it.
 */
class SupervisorRebootTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  /** First run: exits 10 (a clean reboot); second run: exits 0 (a clean power-off). */
  static final String CHILD = "n=$(cat \"$1\" 2>/dev/null || echo 0); echo $((n+1)) > \"$1\"; echo $$ >> \"$2\"; "
      + "if [ \"$n\" = 0 ]; then exit 10; fi; exit 0";

  @TempDir Path dir;

  @AfterEach
  void cleanUp() throws IOException {
    Cgroup cgroup = Cgroup.named(Cgroup.v2Root().orElseThrow(), SupervisorConfig.defaultCgroup(dir.resolve("s")));
    cgroup.kill();
    cgroup.remove();
  }

  @Test
  void aCleanRebootBootsTheChildAgainAndAPowerOffEndsTheSupervisor() throws Exception {
    Path count = dir.resolve("runs");
    Path pids = dir.resolve("pids");
    WatchdogSupervisor s = new WatchdogSupervisor(SupervisorConfig.parse("--socket", dir.resolve("s").toString(),
        "--restart-delay-ms", "100", "--reboot-exit-code", "10", "--", "/bin/sh", "-c", CHILD, "child",
        count.toString(), pids.toString()));
    int[] exit = {-1};
    Thread loop = new Thread(() -> {
      try {
        exit[0] = s.run();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }, "test-supervisor");
    loop.start();
    loop.join(WAIT.toMillis());
    assertThat(loop.isAlive()).as("the supervisor ended").isFalse();
    assertThat(Files.readString(count).trim()).as("booted twice: once more after the reboot").isEqualTo("2");
    assertThat(Files.readAllLines(pids)).hasSize(2).doesNotHaveDuplicates();
    assertThat(exit[0]).as("ended with the power-off's status").isZero();
  }

  @Test
  void withoutTheOptionEveryDisarmedExitEndsTheSupervisor() throws Exception {
    Path count = dir.resolve("runs");
    WatchdogSupervisor s = new WatchdogSupervisor(SupervisorConfig.parse("--socket", dir.resolve("s").toString(),
        "--", "/bin/sh", "-c", CHILD, "child", count.toString(), dir.resolve("pids").toString()));
    assertThat(s.run()).isEqualTo(10);
    await().atMost(WAIT).until(() -> Files.readString(count).trim().equals("1"));
  }
}
