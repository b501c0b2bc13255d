package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
  void issue16WordsAreReadAndBadOnesRefused() throws Exception {
    Scenario s = Scenario.parse("t.scn", List.of("nodes node1 node2", "option fence_grace=60s",
        "option fence_grace_spm=20s", "option fence_grace_per_resource=500ms", "option fence_device_check=off",
        "fence-device a type=sim delay=2s", "fence-device b type=sim", "node node2 watchdog=no fence=a+b site=dc1",
        "at 1s fence-device a slow 3s", "at 2s fence-device a ok", "expect at 3s fence proxy of node2 on node1",
        "expect at 3s fence-device b failed", "run 5s"));
    assertThat(s.config().fence()).isEqualTo(new palisade.core.FenceOptions(60_000, 20_000, 500, 0));
    assertThat(s.config().nodes().get("node2").site()).isEqualTo("dc1");
    assertThat(s.config().nodes().get("node2").fenceLevels()).isEqualTo(List.of(List.of("a", "b")));
    assertThat(s.text(List.of())).contains("fence-device a type=sim delay=2s", "at 1s fence-device a slow 3s",
        "at 2s fence-device a ok");
    refused("t.scn:2: option fence_grace: '-1s' is not a duration", "nodes node1", "option fence_grace=-1s",
        "run 1s");
    refused("t.scn:2: option fence_grace_per_resource: 'lots' is not a duration", "nodes node1",
        "option fence_grace_per_resource=lots", "run 1s");
    refused("t.scn:3: fence-device slow: the delay must be positive", "nodes node1", "fence-device a type=sim",
        "at 1s fence-device a slow 0ms", "run 2s");
    refused("t.scn:3: fence-device: expected fail, ok or slow DURATION, got 'broken'", "nodes node1",
        "fence-device a type=sim", "at 1s fence-device a broken", "run 2s");
    refused("t.scn:2: fence-device a delay: 'x' is not a duration", "nodes node1", "fence-device a type=sim delay=x",
        "run 1s");
    refused("t.scn:2: expected fence proxy of NODE on NODE[|NODE...], got 'fence proxy node2 on node1'",
        "nodes node1 node2",
        "expect at 1s fence proxy node2 on node1", "run 2s");
    refused("t.scn:2: expect fence proxy: unknown node 'node9'", "nodes node1 node2",
        "expect at 1s fence proxy of node2 on node9", "run 2s");
    refused("t.scn:2: expect fence-device: unknown device 'c'", "nodes node1", "expect at 1s fence-device c ok",
        "run 2s");
    refused("t.scn: node node1: site 'd/c' is not a valid name", "nodes node1", "node node1 site=d/c",
        "run 1s");
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
    refused("t.scn:2: node node1 watchdog_device: expected none or sim, got 'linux'", "nodes node1",
        "node node1 watchdog_device=linux", "run 1s");
    refused("t.scn:2: watchdog: expected missing or ok, got 'gone'", "nodes node1", "at 1s watchdog node1 gone",
        "run 2s");
    refused("t.scn:2: watchdog: unknown node 'node9'", "nodes node1", "at 1s watchdog node9 missing", "run 2s");
    refused("t.scn:3: expected service ID cleanup, got 'service vm:1 cleanup node1'", "nodes node1", "resource vm:1 node=node1",
        "at 1s service vm:1 cleanup node1", "run 2s");
    refused("t.scn:3: service: unknown resource 'vm:2'", "nodes node1", "resource vm:1 node=node1",
        "at 1s service vm:2 cleanup", "run 2s");
    refused("t.scn:2: expect fence-history: expected fence-history NODE has watchdog|power|manual|kdump|agent, got "
        + "'fence-history node1 has bmc'", "nodes node1", "expect at 1s fence-history node1 has bmc", "run 2s");
    refused("t.scn:2: expect fence-history: unknown node 'node9'", "nodes node1",
        "expect at 1s fence-history node9 has watchdog", "run 2s");
    refused("t.scn:2: option repair_after: 'soon' is not a duration", "nodes node1", "option repair_after=soon",
        "run 1s");
    refused("t.scn:2: node: expected node NODE restart-daemon [for DURATION], got 'node node1 restart'",
        "nodes node1", "at 1s node node1 restart", "run 2s");
    refused("t.scn:2: restart-daemon: unknown node 'node9'", "nodes node1", "at 1s node node9 restart-daemon",
        "run 2s");
    refused("t.scn: restart_hold=2s must be 0 (no hold) or between watchdog_timeout=5s and 3600s (the process "
        + "watchdog holds at most one hour)", "nodes node1", "option restart_hold=2s", "run 1s");
  }

  @Test
  void fenceHistoryExpectationsAndRepairAfterAreReadOnce() throws Exception {
    Scenario s = Scenario.parse("t.scn", List.of("nodes node1 node2", "option repair_after=90s",
        "expect at 5s fence-history node2 has watchdog", "expect at 5s fence-history node2 has manual", "run 10s"));
    assertThat(s.expectations()).extracting(Scenario.Expect::what).containsExactly(
        new Expectation.FenceHistoryHas("node2", palisade.core.ConfirmKind.WATCHDOG),
        new Expectation.FenceHistoryHas("node2", palisade.core.ConfirmKind.MANUAL));
    assertThat(s.options().repairAfterMs()).isEqualTo(90_000);
  }

  @Test
  void aSilentlyMissingWatchdogIsAFactOfTheMachineNotOfTheConfiguration() throws Exception {
    Scenario s = parsed("nodes node1 node2", "node node2 watchdog_device=none", "run 1s");
    assertThat(s.config().nodes().get("node2").watchdog()).as("the cluster still believes it").isTrue();
    assertThat(s.noWatchdog).containsExactly("node2");
    assertThat(s.text(List.of())).contains("node node2 watchdog_device=none");
  }

  private static Scenario parsed(String... lines) throws Scenario.ScenarioException {
    return Scenario.parse("t.scn", List.of(lines));
  }

  private static final String[] CLUSTER = {"nodes node1 node2 node3", "fence-device bmc type=sim",
      "node node3 fence=bmc", "resource vm:1 node=node1"};

  private static String[] with(String... more) {
    String[] all = java.util.Arrays.copyOf(CLUSTER, CLUSTER.length + more.length);
    System.arraycopy(more, 0, all, CLUSTER.length, more.length);
    return all;
  }

  @Test
  void disarmWordsAreReadAndBadOnesRefused() throws Exception {
    Scenario s = Scenario.parse("t.scn", List.of("nodes node1 node2", "at 1s daemon node2 restart",
        "expect at 2s cluster disarmed", "expect at 3s cluster armed", "run 5s"));
    // `daemon NODE restart` is `node NODE restart-daemon`, with its default time away
    assertThat(s.actions().get(0).action()).isEqualTo(new Action.RestartDaemon("node2",
        Action.RestartDaemon.DEFAULT_DAEMON_DOWN_MS));
    assertThat(s.expectations()).extracting(Scenario.Expect::what).containsExactly(
        new Expectation.ClusterIs(false), new Expectation.ClusterIs(true));
    refused("t.scn:2: disarm: expected freeze or ignore, got 'all'", "nodes node1", "at 1s disarm all", "run 2s");
    refused("t.scn:2: expected disarm freeze|ignore, got 'disarm'", "nodes node1", "at 1s disarm", "run 2s");
    refused("t.scn:2: expected arm, got 'arm now'", "nodes node1", "at 1s arm now", "run 2s");
    refused("t.scn:2: expect cluster: expected armed or disarmed, got 'disarming'", "nodes node1",
        "expect at 1s cluster disarming", "run 2s");
    refused("t.scn:2: daemon: expected hang, ok or restart, got 'reload'", "nodes node1", "at 1s daemon node1 reload",
        "run 2s");
  }

  @Test
  void everyActionIsReadOnceIntoItsRecordAndPrintsBackTheSameWords() throws Exception {
    Map<String, Action> expected = new LinkedHashMap<>();
    expected.put("power node1 off", new Action.Power("node1", false));
    expected.put("network @manager on", new Action.Network("@manager", true));
    expected.put("partition node1,node2 | node3", new Action.Partition(List.of(List.of("node1", "node2"),
        List.of("node3"))));
    expected.put("heal", new Action.Heal());
    expected.put("pause node2 1.5s", new Action.Pause("node2", 1_500));
    expected.put("reboot node1", new Action.Reboot("node1"));
    expected.put("shutdown node2", new Action.Shutdown("node2"));
    expected.put("service vm:1 migrate node2", new Action.Service("vm:1", Action.ServiceCommand.MIGRATE, "node2"));
    expected.put("service vm:1 relocate node3", new Action.Service("vm:1", Action.ServiceCommand.RELOCATE,
        "node3"));
    expected.put("service vm:1 disable", new Action.Service("vm:1", Action.ServiceCommand.DISABLE, null));
    expected.put("service vm:1 cleanup", new Action.Service("vm:1", Action.ServiceCommand.CLEANUP, null));
    expected.put("maintenance node2 on", new Action.Maintenance("node2", true));
    expected.put("fence confirm node3", new Action.FenceConfirm("node3", false));
    expected.put("fence confirm node3 if-off", new Action.FenceConfirm("node3", true));
    expected.put("fence-device bmc fail", new Action.FenceDevice("bmc", false));
    expected.put("drop-acks node1 on", new Action.DropAcks("node1", true));
    expected.put("slow-acks node1 300ms", new Action.SlowAcks("node1", 300));
    expected.put("watchdog node3 missing", new Action.WatchdogDevice("node3", false));
    expected.put("watchdog @manager ok", new Action.WatchdogDevice("@manager", true));
    expected.put("node node3 restart-daemon for 5s", new Action.RestartDaemon("node3", 5_000));
    expected.put("node @manager restart-daemon for 1.5s", new Action.RestartDaemon("@manager", 1_500));
    expected.put("kdump node2", new Action.HostFault("node2", Action.HostFault.Kind.KDUMP));
    expected.put("daemon node3 hang", new Action.HostFault("node3", Action.HostFault.Kind.DAEMON_HANG));
    expected.put("daemon @manager ok", new Action.HostFault("@manager", Action.HostFault.Kind.DAEMON_OK));
    expected.put("disarm freeze", new Action.Ha(palisade.core.HaMode.Kind.FREEZE));
    expected.put("disarm ignore", new Action.Ha(palisade.core.HaMode.Kind.IGNORE));
    expected.put("arm", new Action.Ha(null));
    List<String> lines = new java.util.ArrayList<>(List.of(CLUSTER));
    for (String words : expected.keySet()) lines.add("at 10s " + words);
    lines.add("run 20s");
    Scenario s = Scenario.parse("t.scn", lines);
    assertThat(s.actions()).extracting(Scenario.At::action).containsExactlyElementsOf(expected.values());
    assertThat(s.actions()).extracting(a -> a.action().words()).containsExactlyElementsOf(expected.keySet());
    assertThat(s.actions().get(0).line()).isEqualTo(CLUSTER.length + 1);
  }

  @Test
  void intervalExpectationsReadIntoTheirRecords() throws Exception {
    Scenario s = parsed(with(
        "expect from 5s to 1m vm:1 always running on node1|node2",
        "expect from 5s to 60s vm:1 never running",
        "expect  from 5s  to 60s vm:1 never running on node3",
        "expect from 0s to 60s node node3 never fenced",
        "expect from 10s to 10s spm never on node1|@manager",
        "expect at 7s vm:1 not running",
        "run 60s"));
    assertThat(s.expectations()).extracting(Scenario.Expect::what).containsExactly(
        new Expectation.RunningOn("vm:1", List.of("node1", "node2")),
        new Expectation.NotRunning("vm:1", List.of()),
        new Expectation.NotRunning("vm:1", List.of("node3")),
        new Expectation.NodeNotIn("node3", palisade.core.NodeState.FENCED),
        new Expectation.SpmNotOn(List.of("node1", "@manager")),
        new Expectation.NotRunning("vm:1", List.of()));
    Scenario.Expect first = s.expectations().get(0);
    assertThat(List.of(first.fromMs(), first.toMs())).containsExactly(5_000L, 60_000L);
    assertThat(first.interval()).isTrue();
    assertThat(s.expectations().get(5).interval()).isFalse();
  }

  @Test
  void badIntervalsAreRefusedWithFileAndLine() {
    refused("t.scn:5: expect from: the interval ends (5s) before it starts (10s)",
        with("expect from 10s to 5s vm:1 never running", "run 20s"));
    refused("t.scn:5: expect from: expected expect from TIME to TIME followed by",
        with("expect from 1s to 5s vm:1 sometimes running", "run 20s"));
    refused("t.scn:5: expect from: expected expect from TIME to TIME followed by",
        with("expect from 1s to 5s vm:1 always running", "run 20s"));
    refused("t.scn:5: expect from: expected expect from TIME to TIME followed by",
        with("expect from 1s to 5s vm:1 running on node1", "run 20s"));
    refused("t.scn:5: expect: expected expect at TIME WHAT or expect from TIME to TIME WHAT",
        with("expect from 1s until 5s vm:1 never running", "run 20s"));
    refused("t.scn:5: expect node: unknown state 'dead'", with("expect from 1s to 5s node node1 never dead",
        "run 20s"));
    refused("t.scn:5: expect running: unknown node 'node9'",
        with("expect from 1s to 5s vm:1 never running on node9", "run 20s"));
    refused("t.scn:5: expect: unknown resource 'vm:9'", with("expect from 1s to 5s vm:9 never running", "run 20s"));
    refused("t.scn:5: expect from ... to: 'soon' is not a duration",
        with("expect from 1s to soon vm:1 never running", "run 20s"));
    refused("t.scn:5: after the run time", with("expect from 1s to 30s vm:1 never running", "run 20s"));
    refused("t.scn:5: fence: expected fence confirm NODE [if-off]", with("at 1s fence confirm node3 maybe",
        "run 20s"));
    refused("t.scn:5: seed: 'x' is not a whole number", with("seed x", "run 20s"));
  }

  @Test
  void unsafeTimingIsRefusedNamingTheParameters() {
    refused("lease_timeout=6s breaks the safety inequality", "nodes node1", "option lease_timeout=6s", "run 1s");
  }

  @Test
  void softFenceAndKdumpAreReadAndCheckedOnce() throws Exception {
    Scenario s = Scenario.parse("t.scn", List.of("nodes node1 node2", "fence-device bmc2 type=sim",
        "node node2 watchdog=no fence=bmc2 soft_fence=ssh kdump=yes", "option kdump_time=30s", "run 1s"));
    assertThat(s.config().nodes().get("node2").softFence()).isTrue();
    assertThat(s.config().nodes().get("node2").kdump()).isTrue();
    assertThat(s.config().nodes().get("node1").softFence()).isFalse();
    refused("node node1: soft_fence=ssh is for a node without a watchdog", "nodes node1",
        "node node1 soft_fence=ssh", "run 1s");
    refused("t.scn:2: node node1 soft_fence: expected ssh or no, got 'telnet'", "nodes node1",
        "node node1 soft_fence=telnet", "run 1s");
    refused("t.scn:2: node node1 kdump: expected yes or no, got 'maybe'", "nodes node1", "node node1 kdump=maybe",
        "run 1s");
    refused("t.scn:2: daemon: expected hang, ok or restart, got 'stuck'", "nodes node1", "at 1s daemon node1 stuck",
        "run 2s");
    refused("t.scn:2: kdump: unknown node 'node9'", "nodes node1", "at 1s kdump node9", "run 2s");
  }

  @Test
  void aNodeWithoutWatchdogOrFenceDeviceIsRefused() {
    refused("without a watchdog it needs a fence device", "nodes node1", "node node1 watchdog=no", "run 1s");
  }

  /** Runs `sim run FILE ARGS...` capturing its output; returns exit code and output. */
  private static Map.Entry<Integer, String> simRun(Path file, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(captured, true));
      System.setErr(new PrintStream(captured, true));
      List<String> all = new java.util.ArrayList<>(List.of("sim", "run", file.toString()));
      all.addAll(List.of(args));
      code = PalisadeCommand.execute(all.toArray(String[]::new));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return Map.entry(code, captured.toString());
  }

  @Test
  void aBadIntervalExitsTwoNamingFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.scn");
    Files.writeString(file, "nodes node1 node2\nresource vm:1 node=node1\n"
        + "expect from 30s to 10s vm:1 never running on node2\nrun 40s\n");
    var r = simRun(file);
    assertThat(r.getKey()).isEqualTo(2);
    assertThat(r.getValue()).contains(file + ":3: expect from: the interval ends (10s) before it starts (30s)")
        .doesNotContain("Exception");
    Files.writeString(file, "nodes node1 node2\nresource vm:1 node=node1\n"
        + "expect from 1s to 10s vm:1 seldom running on node2\nrun 40s\n");
    r = simRun(file);
    assertThat(r.getKey()).isEqualTo(2);
    assertThat(r.getValue()).contains(file + ":3: expect from: expected expect from TIME to TIME followed by");
  }

  @Test
  void aFalseAlwaysExitsOneNamingTheLineAndTheFirstInstantItBroke(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("always.scn");
    Files.writeString(file, "nodes node1 node2 node3\nresource vm:1 node=node1\n"
        + "expect from 5s to 19s vm:1 always running on node1\n"
        + "at 20s power node1 off\n"
        + "expect from 5s to 60s vm:1 always running on node1   # false from 20s on\n"
        + "run 60s\n");
    var r = simRun(file, "--quiet");
    assertThat(r.getKey()).isEqualTo(1);
    assertThat(r.getValue()).contains(file + ":5: expectation failed at 20.000s: from 5s to 60s vm:1 always "
        + "running on node1 — it is not running");
  }

  @Test
  void intervalsAreCheckedAtBothEndsAndAtEveryEventBetween(@TempDir Path dir) throws Exception {
    // Nothing runs at 0s: the first instant of the interval already breaks it.
    Path atStart = dir.resolve("start.scn");
    Files.writeString(atStart, "nodes node1 node2 node3\nresource vm:1 node=node1\n"
        + "expect from 0s to 30s vm:1 always running on node1\nrun 30s\n");
    assertThat(simRun(atStart, "--quiet").getValue()).contains(":3: expectation failed at 0.000s");
    // node1 goes unknown some time after its power loss: the failure names that first instant, and the same
    // expectation ending one millisecond earlier holds.
    // (node2, not the manager's node1: a new manager that watched node1 fences it at once, it is never unknown)
    String cluster = "nodes node1 node2 node3\nresource vm:1 node=node2\nat 10s power node2 off\n";
    Path unknown = dir.resolve("unknown.scn");
    Files.writeString(unknown, cluster + "expect from 0s to 60s node node2 never unknown\nrun 60s\n");
    var r = simRun(unknown, "--quiet");
    assertThat(r.getKey()).isEqualTo(1);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(":4: expectation failed at (\\d+)\\.(\\d{3})s: "
        + "from 0s to 60s node node2 never unknown — node2 is unknown").matcher(r.getValue());
    assertThat(m.find()).as(r.getValue()).isTrue();
    long firstMs = Long.parseLong(m.group(1)) * 1000 + Long.parseLong(m.group(2));
    assertThat(firstMs).isBetween(10_001L, 30_000L);
    Path before = dir.resolve("before.scn");
    Files.writeString(before, cluster + "expect from 0s to " + (firstMs - 1) + "ms node node2 never unknown\n"
        + "run 60s\n");
    assertThat(simRun(before, "--quiet").getKey()).isZero();
    // Recovery onto another node breaks a "never running on" at the instant it starts there.
    Path recovery = dir.resolve("recovery.scn");
    Files.writeString(recovery, cluster + "expect from 0s to 60s vm:1 never running on node1|node3\nrun 60s\n");
    var rec = simRun(recovery, "--quiet");
    assertThat(rec.getKey()).isEqualTo(1);
    assertThat(rec.getValue()).containsPattern(":4: expectation failed at \\d+\\.\\d{3}s: from 0s to 60s vm:1 never "
        + "running on node1\\|node3 — it runs on node[13]");
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
    assertThat(text).doesNotContain("Exception");
    assertThat(text).contains(bad + ":2: resource vm:1: unknown node 'nodeX'");
    assertThat(text).contains(failing + ":3: expectation failed at 10.000s");
  }
}
