package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.cli.PalisadeCommand;

/** Bad scenario input is refused with FILE:LINE and what is wrong; `sim run` exits 2 for it. */
class ScenarioParserTest {
  private static void refused(String expectedMessage, String... lines) {
    assertThatThrownBy(() -> Scenario.parse("t.scn", List.of(lines)))
        .isInstanceOf(Scenario.ScenarioException.class).hasMessageContaining(expectedMessage);
  }

  @Test
  void errorsNameTheFileAndLine() {
    refused("t.scn:2: resource vm:1: unknown node 'node9'", "nodes node1", "resource vm:1 node=node9", "run 1s");
    refused("t.scn:2: unknown directive 'nodez'", "nodes node1", "nodez node2", "run 1s");
    refused("t.scn:3: expect: unknown resource 'vm:2'", "nodes node1", "resource vm:1 node=node1",
        "expect at 1s vm:2 running on node1", "run 2s");
    refused("t.scn:2: at: '5x' is not a duration", "nodes node1", "at 5x heal", "run 10s");
    refused("t.scn:2: node node1: unknown key 'watchdgo'", "nodes node1", "node node1 watchdgo=no", "run 1s");
    refused("no run line", "nodes node1");
    refused("t.scn:2: unknown option 'lease'", "nodes node1", "option lease=8s", "run 1s");
    refused("t.scn:2: expect node: unknown state 'dead'", "nodes node1", "expect at 1s node node1 dead", "run 2s");
    refused("t.scn:2: expect spm: expected spm on NODE[|NODE...] or spm none", "nodes node1",
        "expect at 1s spm at node1", "run 2s");
    refused("t.scn:2: node node1 spm_priority=11 is out of range", "nodes node1", "node node1 spm_priority=11",
        "run 1s");
  }

  @Test
  void unsafeTimingIsRefusedNamingTheParameters() {
    refused("lease_timeout=6s breaks the safety inequality", "nodes node1", "option lease_timeout=6s", "run 1s");
  }

  @Test
  void aNodeWithoutWatchdogOrFenceDeviceIsRefused() {
    refused("without a watchdog it needs a fence device", "nodes node1", "node node1 watchdog=no", "run 1s");
  }

  @Test
  void cliExitCodes(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.scn");
    Files.writeString(bad, "nodes node1\nresource vm:1 node=nodeX\nrun 1s\n");
    Path failing = dir.resolve("failing.scn");
    Files.writeString(failing, "nodes node1 node2 node3\nresource vm:1 node=node1\n"
        + "expect at 10s vm:1 running on node2\nrun 20s\n");
    Path good = dir.resolve("good.scn");
    Files.writeString(good, "nodes node1 node2 node3\nresource vm:1 node=node1\n"
        + "expect at 10s vm:1 running on node1\nrun 20s\n");
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true));
      System.setErr(new PrintStream(captured, true));
      assertThat(PalisadeCommand.execute("sim", "run", bad.toString())).isEqualTo(2);
      assertThat(PalisadeCommand.execute("sim", "run", failing.toString())).isEqualTo(1);
      assertThat(PalisadeCommand.execute("sim", "run", good.toString(), "--quiet")).isEqualTo(0);
      assertThat(PalisadeCommand.execute("sim", "run", good.toString(), "--seed", "x")).isEqualTo(2);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String text = captured.toString();
    assertThat(text).contains(bad + ":2: resource vm:1: unknown node 'nodeX'");
    assertThat(text).contains(failing + ":3: expectation failed at 10.000s");
  }
}
