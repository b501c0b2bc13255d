package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.NodeRecord;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.lab.LocalCluster;
import palisade.runtime.store.Admin;

/**
 * One source of truth, with real daemons: the store's /config holds the cluster's timing and every node's watchdog;
 * each agent's record shows the watchdog it really has and the timing it runs under; a daemon whose local facts
 * contradict /config refuses to start, naming both values; a stale timing in a node's file does not matter.
 */
@Tag("cluster")
class ClusterTruthTest {
  static final Map<String, String> TIMING = Map.of("renew_interval", "1s", "ack_timeout", "1s",
      "watchdog_timeout", "4s", "lease_timeout", "6.5s");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;
  private Process stray;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (stray != null && stray.isAlive()) {
        stray.destroyForcibly();
        stray.waitFor(10, TimeUnit.SECONDS);
      }
      if (admin != null) admin.close();
    } finally {
      if (cluster != null) cluster.down();
    }
  }

  private NodeRecord record(String node) throws Exception {
    return admin.value(StorePaths.node(node), NodeRecord.class);
  }

  @Test
  void theStoreIsTheTruthAndAContradictingNodeRefusesToStart() throws Exception {
    // Every node has a (mock) BMC as fence device; nobody is fenced here, so the BMCs need not run.
    cluster = LocalCluster.create(dir.resolve("c"), 3, new LocalCluster.Options(TIMING, 0, true, Set.of(), Map.of()));
    cluster.attachNetwork();
    cluster.powerOn("node1");
    cluster.powerOn("node2");
    admin = cluster.admin();
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() ->
        record("node1") != null && record("node1").counter() > 2 && record("node2") != null
            && record("node2").counter() > 2);

    ClusterConfig config = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    Timing t = config.timing();
    assertThat(List.of(t.renewMs(), t.ackMs(), t.watchdogMs(), t.leaseMs())).as("seeded from the first node's file")
        .containsExactly(1_000L, 1_000L, 4_000L, 6_500L);
    assertThat(config.nodes().get("node3").watchdog()).isTrue();
    for (String n : List.of("node1", "node2")) {
      NodeRecord r = record(n);
      assertThat(r.watchdog()).as("%s's watchdog, as its agent drives it", n).isEqualTo("process");
      assertThat(NodeRecord.sameTerms(r.timing(), t)).as("%s runs under the cluster's timing: %s", n, r.timing())
          .isTrue();
      assertThat(r.watchdogProtects(t)).isTrue();
    }

    // node3's file says it runs without a watchdog (a consistent file on its own: driver none, watchdog none, a
    // fence device), but the cluster counts on node3's watchdog: the daemon must refuse, naming both values.
    Path good = dir.resolve("c").resolve("node3").resolve("node.yaml");
    String yaml = Files.readString(good, StandardCharsets.UTF_8);
    String bad = yaml.replaceFirst("watchdog:\\n  driver: process\\n  socket: [^\\n]*\\n", "watchdog:\n  driver: none\n")
        .replace("    fence_levels: [[bmc-node3]]\n", "    fence_levels: [[bmc-node3]]\n    watchdog: none\n");
    assertThat(bad).contains("driver: none").contains("watchdog: none");
    Path badFile = dir.resolve("c").resolve("node3").resolve("node-without-watchdog.yaml");
    Files.createFile(badFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(badFile, bad);
    List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath(), "palisade.Main", "daemon",
        "--config", badFile.toString()));
    Path out = dir.resolve("node3-refused.log");
    stray = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(stray.waitFor(120, TimeUnit.SECONDS)).as("the daemon gave up; its output: %s",
        Files.readString(out)).isTrue();
    String said = Files.readString(out);
    assertThat(stray.exitValue()).as(said).isEqualTo(2);
    assertThat(said).contains("palisade: refusing to start: this node's local facts contradict the cluster's "
        + "/config").contains("watchdog.driver is 'none' here, but the cluster's /config says node3 is "
        + "watchdog-protected (watchdog: yes)");
    assertThat(said).doesNotContain("Exception");
    NodeRecord r3 = record("node3");
    assertThat(r3 == null || r3.watchdog() == null).as("the refused daemon never wrote its record: %s", r3).isTrue();

    // The same node with a stale timing in its file joins under the cluster's timing, and says so.
    String stale = yaml.replace("watchdog_timeout: 4s", "watchdog_timeout: 5s").replace("lease_timeout: 6.5s",
        "lease_timeout: 8s");
    assertThat(stale).contains("watchdog_timeout: 5s");
    Files.writeString(good, stale);
    cluster.powerOn("node3");
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() ->
        record("node3").watchdog() != null && !record("node3").fenced());
    assertThat(record("node3").watchdog()).isEqualTo("process");
    assertThat(NodeRecord.sameTerms(record("node3").timing(), t)).as("node3 runs under %s", record("node3").timing())
        .isTrue();
    assertThat(Files.readString(cluster.nodeLog("node3"))).contains("is not the cluster's; running under the "
        + "cluster's (R=1s X=1s W=4s L=6.5s");
  }

  /** Our class path; under Maven Surefire the real test class path (java.class.path may be a manifest jar). */
  private static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }
}
