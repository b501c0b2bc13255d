package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.EmbeddedPeer;

/**
 * The documented procedure for a permanent loss of store quorum (docs/INSTALL.md), on a 3-node lab: two of the three
 * peers are destroyed with their data; the daemons are stopped; every peer starts empty without its daemon
 * ({@code palisade store serve}); the last backup is restored; the daemons start again and run every resource once.
 */
@Tag("cluster")
class RealQuorumLossTest {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;
  private final List<Process> peers = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : peers) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    DemoLab.stopAndCheck(cluster, admin);
  }

  private static void delete(Path p) throws Exception {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }

  private Path peerData(String node) {
    return cluster.dir().resolve(node).resolve("data").resolve("zookeeper");
  }

  @Test
  void aBackupRestoredIntoANewEnsembleBringsTheClusterBack() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 3, RealClusterFaultTest.TIMING);
    admin = DemoLab.start(cluster);
    Path backup = dir.resolve("store-backup.json");
    LabCli.output(cluster, "store", "backup", backup.toString()); // what a cron job of the operator's keeps
    ClusterConfig before = admin.value(StorePaths.CONFIG, ClusterConfig.class);

    // Two of three peers destroyed with their disks: node1 keeps running without a quorum (and self-fences).
    cluster.powerOff("node2");
    cluster.powerOff("node3");
    delete(peerData("node2"));
    delete(peerData("node3"));
    // The procedure: stop palisade on every node; move the survivor's peer data aside.
    cluster.powerOff("node1");
    admin.close();
    admin = null;
    Files.move(peerData("node1"), cluster.dir().resolve("node1").resolve("zookeeper.lost"));
    // Every peer, empty, without its daemon.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (String n : cluster.nodeNames()) {
      peers.add(new ProcessBuilder(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
          LabProcesses.classPath(), "palisade.Main", "store", "serve", "--config",
          cluster.dir().resolve(n).resolve("node.yaml").toString()).redirectErrorStream(true)
          .redirectOutput(cluster.dir().resolve(n).resolve("store-peer.log").toFile()).start());
    }
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
        .until(() -> cluster.nodeNames().stream().anyMatch(n -> "leader".equals(EmbeddedPeer.mode(
            cluster.layout().address(Layout.index(n)), cluster.layout().clientPort(), cluster.adminCredential()))));
    String said = LabCli.output(cluster, "store", "restore", backup.toString());
    assertThat(said).contains("restored");
    for (Process p : peers) {
      p.destroy(); // SIGTERM: the peer closes
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    peers.clear();

    // The daemons start under the restored store: the same configuration, every resource running once.
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(DemoLab.FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> admin.read(StorePaths.CONFIG) != null);
    assertThat(admin.value(StorePaths.CONFIG, ClusterConfig.class)).isEqualTo(before);
    DemoLab.awaitRunning(cluster, "vm:101", "vm:102", "vm:103");
    System.out.println("quorum loss: restored " + backup + " into a new ensemble; vm:101..103 running again");
  }
}
