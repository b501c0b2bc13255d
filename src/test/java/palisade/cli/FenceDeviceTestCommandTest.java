package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.FenceOptions;
import palisade.core.FenceTask;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.SpmRole;
import palisade.core.Timing;
import palisade.lab.InMemoryPowerSwitch;
import palisade.lab.RedfishMockBmc;

/**
 * `fence device test DEV` asks one device of the node's configuration for its status from this host: ok with the
 * power state, or failed with the device's error and exit 1, never the password; and the status line of a node in
 * fencing shows its grace as the manager computes it.
 */
class FenceDeviceTestCommandTest {
  @TempDir
  Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = PalisadeCommand.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void testsOneDeviceNowAndFailsWithExitOneWithoutThePassword() throws Exception {
    InMemoryPowerSwitch power = new InMemoryPowerSwitch(true);
    try (RedfishMockBmc bmc = new RedfishMockBmc(0, "admin", "right-pw", power)) {
      bmc.start();
      Path f = tmp.resolve("node.yaml");
      Files.writeString(f, "cluster: c\nnode: node1\nwatchdog: {driver: none}\nnodes:\n"
          + "  - {name: node1, address: 127.0.0.1, fence_levels: [[good, bad]], watchdog: none}\nfence_devices:\n"
          + "  good: {type: redfish, host: 127.0.0.1, port: " + bmc.port() + ", username: admin, password: right-pw, "
          + "ssl_insecure: true}\n"
          + "  bad: {type: redfish, host: 127.0.0.1, port: " + bmc.port() + ", username: admin, password: expired-pw, "
          + "ssl_insecure: true}\n");
      Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

      Run ok = run("fence", "device", "test", "good", "--config", f.toString());
      assertThat(ok.code()).isZero();
      assertThat(ok.out()).startsWith("good: ok (power on, ");
      assertThat(power.isOn()).as("a test never switches power").isTrue();

      Run bad = run("fence", "device", "test", "bad", "--config", f.toString());
      assertThat(bad.code()).isEqualTo(1);
      assertThat(bad.out()).startsWith("bad: failed: ").doesNotContain("expired-pw");

      Run unknown = run("fence", "device", "test", "nosuch", "--config", f.toString());
      assertThat(unknown.code()).isEqualTo(2);
      assertThat(unknown.err()).contains("no fence device 'nosuch'").contains("good").doesNotContain("Exception");
    }
  }

  @Test
  void aFencingNodeShowsItsGraceAsTheManagerComputesIt() {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : List.of("node1", "node2")) nodes.put(n, NodeConfig.standard(n));
    nodes.put("node3", new NodeConfig("node3", false, List.of(List.of("bmc3")), 5, false));
    ClusterConfig cfg = new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL,
        Timing.defaults(), 0, new FenceOptions(60_000, 20_000, 500, 600_000));
    TreeMap<String, ServiceStatus> services = new TreeMap<>();
    for (String id : List.of("vm:1", "vm:2")) {
      services.put(id, new ServiceStatus(ServiceState.FENCE, "node3", null, 4, 0, new java.util.TreeSet<>(), null));
    }
    ManagerState ms = new ManagerState(1, 10, 0, new TreeMap<>(Map.of("node3", new NodeStatus(NodeState.FENCING, 1,
        null))), services, new TreeMap<>(), new SpmRole("node3", 3, false));
    // RHEV: L 8s + 60s + 20s (SPM) + 2 x 0.5s = 89s
    assertThat(FenceStatusSection.grace(cfg, ms, "node3", 30_000)).startsWith("fencing node3: grace 89s (L 8s + 81s")
        .endsWith("; silent about 30s, power fence due in 59s");
    ManagerState ordered = new ManagerState(1, 10, 0, ms.nodes(), services, new TreeMap<>(Map.of("node3",
        new FenceTask("node3", 9, 1, "node2", List.of(List.of("bmc3"))))), ms.spm());
    assertThat(FenceStatusSection.grace(cfg, ordered, "node3", 95_000))
        .endsWith("; power fence ordered via node2, attempt 9");
  }
}
