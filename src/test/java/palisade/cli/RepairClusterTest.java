package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.ConfirmKind;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.StorePaths;
import palisade.lab.LocalCluster;
import palisade.lab.Traces;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;

/**
 * Repair after a watchdog fence with real processes: the 3-node local cluster of {@link PowerFencingClusterTest}
 * (store on node1 alone, a mock Redfish BMC per node), every node under its process watchdog, and the cluster's
 * {@code repair_after} set to 10 s in {@code /config} by {@code palisade fence repair-after 10s}. node3 loses power;
 * its fence is confirmed by the watchdog and vm:103 recovered at once; node3 stays down, so 10 s after its fence a
 * proxy power-cycles it through its mock BMC (which starts node3 again); node3 boots and rejoins. {@code fence
 * history} shows the watchdog line and the cycle.
 */
@Tag("cluster")
class RepairClusterTest {
  static final long REPAIR_AFTER_MS = 10_000;
  static final Duration FORM = Duration.ofSeconds(90);
  /** Generous on a loaded 2-core machine: L + repair_after + a cycle + a JVM's boot and rejoin are about 30 s. */
  static final Duration REPAIR = Duration.ofSeconds(120);

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
    List<String> bad = Traces.overlaps(Traces.read(dir.resolve("c").resolve("trace")));
    assertThat(bad).as("never two instances of a resource alive at once").isEmpty();
  }

  private List<Instance> traces() throws Exception {
    return Traces.read(cluster.traceDir());
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private Optional<Instance> running(String id) throws Exception {
    List<Instance> alive = Traces.alive(traces(), id, now());
    return alive.size() == 1 ? Optional.of(alive.get(0)) : Optional.empty();
  }

  private List<FenceEntry> history() throws Exception {
    FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    return h == null ? List.of() : h.entries();
  }

  private Optional<FenceEntry> line(String action, String result) throws Exception {
    return history().stream().filter(e -> e.target().equals("node3") && e.action().equals(action)
        && e.result().startsWith(result)).findFirst();
  }

  private NodeStatus node(String n) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null ? null : ms.nodes().get(n);
  }

  private String cli(String... args) {
    return palisade.lab.LabCli.output(cluster, args);
  }

  @Test
  void aWatchdogFencedNodeLeftDownIsPowerCycledThroughItsBmcAfterRepairAfter() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 3, new LocalCluster.Options(PowerFencingClusterTest.TIMING, 1,
        true, Set.of(), Map.of()));
    cluster.attachNetwork();
    cluster.startBmcs();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> admin.read(StorePaths.CONFIG) != null);
    // The cluster option, as an operator sets it in /config; the active manager reads it every round.
    assertThat(cli("fence", "repair-after")).contains("repair_after: off");
    cli("fence", "repair-after", "10s");
    assertThat(admin.value(StorePaths.CONFIG, ClusterConfig.class).repairAfterMs()).isEqualTo(REPAIR_AFTER_MS);
    cluster.addDemoResources(admin, 3);
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250)).until(() -> {
      List<Instance> t = traces();
      return List.of("vm:101", "vm:102", "vm:103").stream().allMatch(id -> Traces.alive(t, id, now()).size() == 1);
    });
    Instance before = running("vm:103").orElseThrow();
    assertThat(before.node()).isEqualTo("node3");

    long t0 = now();
    cluster.powerOff("node3");
    await().ignoreExceptions().atMost(REPAIR).pollInterval(Duration.ofMillis(250)).until(() -> running("vm:103")
        .filter(i -> !i.node().equals("node3") && i.token() > before.token()).isPresent());
    Instance after = running("vm:103").orElseThrow();
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).until(() -> line(FenceEntry.SUMMARY,
        FenceEntry.WATCHDOG).isPresent());
    FenceEntry watchdog = line(FenceEntry.SUMMARY, FenceEntry.WATCHDOG).orElseThrow();
    assertThat(watchdog.kind()).isEqualTo("watchdog");
    assertThat(watchdog.executor()).isIn("node1", "node2");
    assertThat(watchdog.startedMs()).as("a wall-clock time").isBetween(t0, now());
    assertThat(node("node3").confirmation().kind()).isEqualTo(ConfirmKind.WATCHDOG);

    // node3 stays down: the repair orders a power cycle, a proxy runs it through bmc-node3, which starts node3.
    await().ignoreExceptions().atMost(REPAIR).pollInterval(Duration.ofMillis(250))
        .until(() -> line(FenceEntry.CYCLE, FenceEntry.ON_CONFIRMED).isPresent());
    FenceEntry ordered = line(FenceEntry.CYCLE, "ordered via").orElseThrow();
    FenceEntry on = line(FenceEntry.CYCLE, FenceEntry.ON_CONFIRMED).orElseThrow();
    assertThat(ordered.startedMs() - watchdog.startedMs()).as("repair_after counts from the fence")
        .isGreaterThanOrEqualTo(REPAIR_AFTER_MS - 1_000);
    assertThat(after.startMs()).as("recovery did not wait for the repair").isLessThan(ordered.startedMs());
    assertThat(on.device()).isEqualTo("bmc-node3");
    assertThat(on.executor()).isIn("node1", "node2");
    await().ignoreExceptions().atMost(REPAIR).pollInterval(Duration.ofMillis(250))
        .until(() -> node("node3").state() == NodeState.ONLINE);
    assertThat(cluster.powered("node3")).isTrue();
    assertThat(running("vm:103").orElseThrow().node()).as("nothing moved back").isNotEqualTo("node3");
    assertThat(history().stream().filter(e -> e.action().equals(FenceEntry.CYCLE)
        && e.result().startsWith("ordered via")).count()).as("once per fence").isEqualTo(1);
    System.out.printf("repair: power off at 0; watchdog confirm +%.1fs, vm:103 on %s +%.1fs, cycle ordered +%.1fs, "
            + "on confirmed +%.1fs, node3 online by +%.1fs%n", (watchdog.startedMs() - t0) / 1e3, after.node(),
        (after.startMs() - t0) / 1e3, (ordered.startedMs() - t0) / 1e3, (on.endedMs() - t0) / 1e3,
        (now() - t0) / 1e3);
    String table = cli("fence", "history", "--node", "node3");
    assertThat(table).contains("watchdog confirm", "cycle", "ordered via", "on confirmed", "bmc-node3");
  }
}
