package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfirmKind;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeStatus;
import palisade.core.StorePaths;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;

/**
 * The kdump level on a real 3-node local cluster: node3 runs without a watchdog, with its mock BMC as fence device
 * and {@code kdump: yes}. Its "kernel crash" is the lab's power loss of its processes (all of them die at once),
 * and this test plays its capture kernel: Debian's fence_kdump_send repeating the kdump message every second to
 * the proxies' port. The proxy's real fence_kdump hears it: the fence is confirmed by kdump, vm:103 runs elsewhere,
 * and no power action is ever sent to node3's BMC. On loopback the kernel sends from 127.0.0.1 whatever the
 * destination, so node3's kdump_address is 127.0.0.1 (RUNTIME "Soft fencing and kdump").
 */
@Tag("cluster")
class KdumpClusterTest {
  static final Map<String, String> TIMING = Map.of("renew_interval", "1s", "ack_timeout", "1s",
      "watchdog_timeout", "4s", "lease_timeout", "6.5s");
  static final Duration FORM = Duration.ofSeconds(90);
  private static final Path SEND = Path.of("/usr/libexec/fence-agents/fence_kdump_send");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;
  private Process sender;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (sender != null) {
        sender.destroyForcibly();
        sender.waitFor(5, TimeUnit.SECONDS);
      }
      if (admin != null) admin.close();
    } finally {
      if (cluster != null) cluster.down();
    }
    List<String> bad = Traces.overlaps(Traces.read(dir.resolve("c").resolve("trace")));
    assertThat(bad).as("never two instances of a resource alive at once").isEmpty();
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private NodeStatus node(String n) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null ? null : ms.nodes().get(n);
  }

  private List<FenceEntry> history() throws Exception {
    FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    return h == null ? List.of() : h.entries();
  }

  private Optional<Instance> running(String id) throws Exception {
    List<Instance> alive = Traces.alive(Traces.read(cluster.traceDir()), id, now());
    return alive.size() == 1 ? Optional.of(alive.get(0)) : Optional.empty();
  }

  @Test
  void aDumpingNodeIsConfirmedByKdumpWithoutPowerActions() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/fence_kdump")) && Files.isExecutable(SEND),
        "fence-agents is needed (bin/test installs it)");
    int port;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    cluster = LocalCluster.create(dir.resolve("c"), 3, new LocalCluster.Options(TIMING, 1, true, Set.of("node3"),
        Map.of()));
    for (String n : cluster.nodeNames()) {
      Path yaml = dir.resolve("c").resolve(n).resolve("node.yaml");
      String text = Files.readString(yaml);
      Files.writeString(yaml, text.replace("    watchdog: none\n", "    watchdog: none\n    kdump: yes\n"
          + "    kdump_port: " + port + "\n    kdump_address: 127.0.0.1\n"));
    }
    cluster.attachNetwork();
    cluster.startBmcs();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> admin.read(StorePaths.CONFIG) != null);
    cluster.addDemoResources(admin, 3);
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250)).until(() ->
        List.of("vm:101", "vm:102", "vm:103").stream().allMatch(id -> {
          try {
            return running(id).isPresent();
          } catch (Exception e) {
            return false;
          }
        }));
    Instance before = running("vm:103").orElseThrow();
    long t0 = now();
    cluster.powerOff("node3"); // the kernel crash: every process of node3 dies at once
    sender = new ProcessBuilder(SEND.toString(), "-p", Integer.toString(port), "-f", "ipv4", "-i", "1",
        "127.0.0.1").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> running("vm:103").filter(i -> !i.node().equals("node3") && i.token() > before.token())
            .isPresent());
    long moved = now();
    await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> node("node3").confirmation() != null);
    assertThat(node("node3").confirmation().kind()).isEqualTo(ConfirmKind.KDUMP);
    List<FenceEntry> h = history();
    FenceEntry confirmed = h.stream().filter(e -> e.target().equals("node3")
        && e.result().equals(FenceEntry.KDUMP_CONFIRMED)).findFirst().orElseThrow();
    assertThat(confirmed.kind()).isEqualTo("kdump");
    assertThat(h).as("no power action was sent to node3's BMC").noneMatch(e -> e.target().equals("node3")
        && List.of("off", "on", "status").contains(e.action()));
    Instance after = running("vm:103").orElseThrow();
    assertThat(after.startMs()).as("recovery only after the kdump confirmation")
        .isGreaterThanOrEqualTo(confirmed.endedMs());
    System.out.printf("kdump: node3 crashed at 0; kdump confirmed +%.1fs by %s; vm:103 on %s +%.1fs; %s%n",
        (confirmed.endedMs() - t0) / 1e3, confirmed.executor(), after.node(), (moved - t0) / 1e3,
        node("node3").confirmation());
  }
}
