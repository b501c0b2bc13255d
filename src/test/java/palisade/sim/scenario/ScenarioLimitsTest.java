package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every value of a scenario file is bounded and checked where it is written: a refusal names FILE:LINE and the key,
 * and no accepted file can make the simulator overflow or run for ever.
 */
class ScenarioLimitsTest {
  @TempDir
  Path dir;

  private static void refused(String expectedMessage, String... lines) {
    assertThatThrownBy(() -> Scenario.parse("t.scn", List.of(lines)))
        .isInstanceOf(Scenario.ScenarioException.class).hasMessage(expectedMessage);
  }

  private static Scenario parsed(String... lines) throws Scenario.ScenarioException {
    return Scenario.parse("t.scn", List.of(lines));
  }

  @Test
  void percentagesAreNumbersWithinTheirRange() throws Exception {
    refused("t.scn:2: option drift: 'NaN' is not a percentage (example: 1%)", "nodes a", "option drift=NaN",
        "run 1s");
    refused("t.scn:2: option drift: 'Infinity%' is not a percentage (example: 1%)", "nodes a",
        "option drift=Infinity%", "run 1s");
    refused("t.scn:2: option drift: '-1%' is not a percentage (example: 1%)", "nodes a", "option drift=-1%",
        "run 1s");
    refused("t.scn:2: option ack_loss: '1e1%' is not a percentage (example: 1%)", "nodes a", "option ack_loss=1e1%",
        "run 1s");
    refused("t.scn:2: option ack_loss: '250%' must be at most 100%", "nodes a", "option ack_loss=250%", "run 1s");
    refused("t.scn:2: option drift: '20%' must be below 20%", "nodes a", "option drift=20%", "run 1s");
    parsed("nodes a", "option ack_loss=100%", "option drift=0.5%", "run 1s");
  }

  @Test
  void storePeersIsAWholeNumberNoLargerThanTheCluster() throws Exception {
    refused("t.scn:2: option store_peers: '2.5' is not a whole number", "nodes a b c", "option store_peers=2.5",
        "run 1s");
    refused("t.scn:2: option store_peers: '99999999999' is not a whole number", "nodes a b c",
        "option store_peers=99999999999", "run 1s");
    refused("t.scn:2: option store_peers=4 is more than the 3 nodes declared", "nodes a b c",
        "option store_peers=4", "run 1s");
    assertThat(parsed("nodes a b c", "option store_peers=3", "run 1s").options().storePeers()).isEqualTo(3);
  }

  @Test
  void durationsAreAtMostADaySoNoSumOverflows() {
    refused("t.scn:2: option boot_time: '2562047h' is longer than the limit of 86400s (one day)", "nodes a",
        "option boot_time=2562047h", "run 1s");
    refused("t.scn:2: option watchdog_timeout: '25h' is longer than the limit of 86400s (one day)", "nodes a",
        "option watchdog_timeout=25h", "run 1s");
    refused("t.scn:2: run: '2562047h' is longer than the limit of 86400s (one day)", "nodes a", "run 2562047h");
    refused("t.scn:2: at: '1000000h' is longer than the limit of 86400s (one day)", "nodes a",
        "at 1000000h heal", "run 1s");
    refused("t.scn:2: pause: '2562047h' is longer than the limit of 86400s (one day)", "nodes a",
        "at 1s pause a 2562047h", "run 2s");
    refused("t.scn:2: expect at: '99999h' is longer than the limit of 86400s (one day)", "nodes a",
        "expect at 99999h node a online", "run 2s");
  }

  @Test
  void aRunsWorkIsBounded() throws Exception {
    // 3 nodes ticking every 1ms for a day: 259 million ticks, hours of CPU
    refused("t.scn:5: run 86400s with 3 nodes ticking every 1ms and 0 resources is 259200000 units of work (node "
        + "ticks x (1 + resources)), more than the limit of 20000000 (shorten the run, lengthen renew_interval, or "
        + "declare fewer nodes or resources)", "nodes a b c", "option renew_interval=4ms", "option ack_timeout=4ms",
        "option watchdog_timeout=10ms", "run 24h");
    // 1,000 resources for an hour: each event's checks look at every one
    List<String> big = new ArrayList<>(List.of("nodes a b c"));
    for (int i = 0; i < 1000; i++) big.add("resource vm:" + i + " node=a");
    big.add("run 1h");
    assertThatThrownBy(() -> Scenario.parse("t.scn", big)).hasMessageStartingWith("t.scn:1002: run 3600s with 3 "
        + "nodes ticking every 250ms and 1000 resources is 43243200 units of work");
    big.set(big.size() - 1, "run 10m");
    assertThat(Scenario.parse("t.scn", big).runMs()).isEqualTo(600_000);
    // the default timing allows the longest run for a small cluster
    parsed("nodes a b c", "resource vm:1 node=a", "run 24h");
    List<String> many = new ArrayList<>();
    StringBuilder names = new StringBuilder("nodes");
    for (int i = 0; i <= Scenario.MAX_NODES; i++) names.append(" n").append(i);
    many.add(names.toString());
    many.add("run 1s");
    assertThatThrownBy(() -> Scenario.parse("t.scn", many)).hasMessage("t.scn:1: node n50: more than 50 nodes "
        + "(the limit)");
  }

  @Test
  void aFileWithAByteOrderMarkIsReadWithItsLineNumbers() throws Exception {
    Path f = dir.resolve("bom.scn");
    Files.write(f, "\uFEFF# intent\r\nnodes a\r\nat 1s heel\r\nrun 2s\r\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> Scenario.load(f)).hasMessageStartingWith(f + ":3: unknown action 'heel'");
    Files.write(f, "\uFEFFnodes a\nrun 2s\n".getBytes(StandardCharsets.UTF_8));
    assertThat(Scenario.load(f).runMs()).isEqualTo(2_000);
  }

  @Test
  void aFileThatIsNotTextIsRefusedUnread() {
    assertThatThrownBy(() -> Scenario.load(Path.of("/dev/zero")))
        .isInstanceOf(Scenario.ScenarioException.class)
        .hasMessage("/dev/zero: is not a regular file (a device, FIFO or socket)");
  }
}
