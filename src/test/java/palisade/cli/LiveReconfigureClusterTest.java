package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.StorePaths;
import palisade.lab.LabCli;
import palisade.lab.LocalCluster;
import palisade.runtime.daemon.ClusterDevices;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.store.Admin;

/**
 * A live cluster reconfigured with real daemons: a 4-node lab (store on node1, a mock Redfish BMC per node) whose
 * node4 is not started. node4 is taken out of /config and added back by `node add` while three daemons run; a fence
 * device defined only in /config (`fence device add`, its secret a file on the hosts) is built by every running
 * daemon without a restart and `fence device test` reaches it; node4 then starts, joins and comes online; after it
 * shut down cleanly, `node remove` takes it out and nobody fences it.
 */
@Tag("cluster")
class LiveReconfigureClusterTest {
  static final Duration FORM = Duration.ofSeconds(90);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (admin != null) admin.close();
    } finally {
      if (cluster != null) cluster.down();
    }
  }

  private String cli(String... args) {
    return LabCli.output(cluster, args);
  }

  private NodeStatus node(String n) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null ? null : ms.nodes().get(n);
  }

  private ClusterConfig config() throws Exception {
    return admin.value(StorePaths.CONFIG, ClusterConfig.class);
  }

  /** The CLI with no store flags (it finds the cluster in --config), as on a host; what it printed, exit 0. */
  private static String onHost(String... args) {
    java.io.PrintStream old = System.out;
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
    int rc;
    try {
      rc = PalisadeCommand.execute(args);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(java.nio.charset.StandardCharsets.UTF_8);
    System.out.print(out);
    assertThat(rc).as("palisade %s: %s", String.join(" ", args), out).isZero();
    return out;
  }

  private Path yaml(String n) {
    return cluster.dir().resolve(n).resolve("node.yaml");
  }

  private String log(String n) throws Exception {
    return Files.readString(cluster.nodeLog(n));
  }

  @Test
  void aNodeAndAFenceDeviceAreAddedLiveAndTheNodeIsRemovedAfterItStopped() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 4, new LocalCluster.Options(PowerFencingClusterTest.TIMING, 1,
        true, Set.of(), Map.of()));
    cluster.attachNetwork();
    cluster.startBmcs();
    for (String n : List.of("node1", "node2", "node3")) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250)).until(() -> List.of("node1",
        "node2", "node3").stream().allMatch(n -> {
          try {
            return node(n).state() == NodeState.ONLINE;
          } catch (Exception e) {
            return false;
          }
        }));
    assertThat(config().nodes()).containsKey("node4"); // seeded from node1's file; its host never started

    // A member whose host never ran can go, and come back by `node add`, while the cluster runs.
    cli("node", "remove", "node4");
    assertThat(config().nodes()).doesNotContainKey("node4");

    // A fence device the cluster defines: its secret is a file on each host, never in /config.
    // The lab's nodes share one host, so one `fence device secret` (stdin, never argv) serves them all.
    java.io.InputStream stdin = System.in;
    System.setIn(Files.newInputStream(cluster.bmcPasswordFile("node4")));
    try {
      onHost("fence", "device", "secret", "bmc4", "--config", yaml("node1").toString());
    } finally {
      System.setIn(stdin);
    }
    Path secrets = ClusterDevices.secretsDir(DaemonConfig.load(yaml("node1")));
    assertThat(secrets).isEqualTo(ClusterDevices.secretsDir(DaemonConfig.load(yaml("node4"))));
    cli("fence", "device", "add", "bmc4", "--type", "redfish", "--address", "127.0.0.1", "--port",
        Integer.toString(cluster.bmcPort("node4")), "--user", LocalCluster.BMC_USER, "--option", "ssl_insecure=true",
        "--secret-file-name", "bmc4");
    assertThat(new String(palisade.runtime.store.Codec.encode(config()), java.nio.charset.StandardCharsets.UTF_8))
        .doesNotContain(Files.readString(secrets.resolve("bmc4")).strip());
    for (String n : List.of("node1", "node2", "node3")) {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> log(n).contains(
          "fence device bmc4 added: this host can drive it"));
    }
    // As root on node2 would: the device from /config, the secret from node2's own secrets/.
    assertThat(onHost("fence", "device", "test", "bmc4", "--config", yaml("node2").toString()))
        .startsWith("bmc4: ok (power off, "); // node4 is not powered yet

    // node4 joins: added with the device as its fence level, then its host starts with its own file.
    cli("node", "add", "node4", "--fence-level", "bmc4", "--spm-priority", "2");
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> log("node1").contains("cluster configuration: node node4 added"));
    cluster.powerOn("node4");
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> node("node4").state() == NodeState.ONLINE);
    assertThat(log("node4")).contains("fence devices [bmc-node1, bmc-node2, bmc-node3, bmc-node4, bmc4]");

    // A node that is up cannot be removed; once it shut down cleanly it can, and nobody fences it.
    assertThat(LabCli.run(cluster, "node", "remove", "node4")).isEqualTo(2);
    cli("node", "shutdown", "node4", "--wait", "--timeout", "60s");
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> node("node4").state() == NodeState.OFFLINE);
    await().atMost(FORM).pollInterval(Duration.ofMillis(250)).until(() -> !cluster.powered("node4"));
    cli("node", "remove", "node4");
    assertThat(config().nodes()).doesNotContainKey("node4");
    await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> node("node4") == null);
    // Two lease timeouts and more: a removed node is never taken for a silent one.
    await().during(Duration.ofSeconds(14)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
          return (h == null ? List.<palisade.core.FenceEntry>of() : h.entries()).stream()
              .noneMatch(e -> e.target().equals("node4"));
        });
    assertThat(log("node1") + log("node2") + log("node3")).doesNotContain("fence write for node4");
    assertThat(cli("events", "-n", "200")).contains("node node4 removed", "node node4 added",
        "fence device bmc4 added");
  }
}
