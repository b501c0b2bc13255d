package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.Capacity;
import palisade.core.ClusterConfig;
import palisade.core.Crs;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.PlacementConfig;
import palisade.core.PowerSavingConfig;
import palisade.core.StorePaths;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;

/**
 * Power saving with real processes: a 3-node local cluster with a Redfish mock BMC per node (its power switch kills
 * or starts the node's processes), one demo resource per node, crs=static with capacities and demands so that the
 * load is low, power saving on with a short hold. The manager empties one node (a migration), puts it in standby
 * and a proxy powers it off through its mock BMC; `status` shows it standby and `fence history` the power action.
 * Then power_saving_high is lowered in /config below the load: the proxy powers the node on through the same BMC,
 * its daemon boots, and it goes online. The store runs on node1 alone. Every process is stopped by PID; the trace
 * checker asserts never two instances.
 */
@Tag("cluster")
class PowerSavingClusterTest {
  static final Map<String, String> TIMING = Map.of("renew_interval", "1s", "ack_timeout", "1s",
      "watchdog_timeout", "4s", "lease_timeout", "6.5s");
  static final Duration FORM = Duration.ofSeconds(90);
  static final Duration STEP = Duration.ofSeconds(60);

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

  private Optional<Instance> running(String id) throws Exception {
    List<Instance> alive = Traces.alive(traces(), id, System.currentTimeMillis());
    return alive.size() == 1 ? Optional.of(alive.get(0)) : Optional.empty();
  }

  private NodeStatus node(String n) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null ? null : ms.nodes().get(n);
  }

  private NodeState state(String n) throws Exception {
    NodeStatus st = node(n);
    return st == null ? null : st.state();
  }

  private List<FenceEntry> saving(String target) throws Exception {
    FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    return h == null ? List.of() : h.entries().stream().filter(e -> e.target().equals(target)
        && e.action().equals(FenceEntry.SAVING)).toList();
  }

  private void placement(PowerSavingConfig ps) throws Exception {
    admin.update(StorePaths.CONFIG, ClusterConfig.class, cfg -> {
      TreeMap<String, Capacity> caps = new TreeMap<>();
      for (String n : cfg.nodes().keySet()) caps.put(n, new Capacity(8, 8L << 30));
      TreeMap<String, Capacity> demand = new TreeMap<>();
      for (String id : cfg.resources().keySet()) demand.put(id, new Capacity(1, 512L << 20));
      return cfg.withPlacement(new PlacementConfig(cfg.placement().rules(), Crs.STATIC, false, caps, demand,
          cfg.placement().autoRebalance(), ps));
    });
  }

  @Test
  void lowLoadPowersAnEmptiedNodeOffThroughItsBmcAndARiseBringsItBack() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 3, new LocalCluster.Options(TIMING, 1, true, Set.of(), Map.of()));
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
    long t0 = System.currentTimeMillis();
    // load 3 CPUs of 24 = 0.125: below low; without one node 3 of 16, still below high
    placement(new PowerSavingConfig(true, 2, 0.3, 0.75, 3_000));
    await().ignoreExceptions().atMost(STEP).pollInterval(Duration.ofMillis(250)).until(() ->
        cluster.nodeNames().stream().anyMatch(n -> {
          try {
            return state(n) == NodeState.STANDBY && !cluster.powered(n);
          } catch (Exception e) {
            return false;
          }
        }));
    String off = cluster.nodeNames().stream().filter(n -> !cluster.powered(n)).findFirst().orElseThrow();
    long offAt = System.currentTimeMillis();
    assertThat(off).as("the manager's node (node1, which holds the store) is never chosen").isNotEqualTo("node1");
    // the proxy's status poll confirms the off, then its history line is written
    await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> saving(off).stream()
        .anyMatch(e -> e.result().equals(FenceEntry.SAVING_OFF)));
    for (String id : List.of("vm:101", "vm:102", "vm:103")) {
      assertThat(running(id)).as(id + " runs, and not on the standby node").isPresent().get()
          .extracting(Instance::node).isNotEqualTo(off);
    }
    assertThat(LabCli.output(cluster, "status")).contains("standby");
    assertThat(LabCli.output(cluster, "fence", "history")).contains(FenceEntry.SAVING_OFF);

    // the load rises above power_saving_high: the standby node is powered on again and rejoins
    long riseAt = System.currentTimeMillis();
    placement(new PowerSavingConfig(true, 2, 0.05, 0.1, 3_000));
    await().ignoreExceptions().atMost(STEP).pollInterval(Duration.ofMillis(250))
        .until(() -> state(off) == NodeState.ONLINE);
    long onlineAt = System.currentTimeMillis();
    assertThat(cluster.powered(off)).isTrue();
    await().ignoreExceptions().atMost(Duration.ofSeconds(20)).until(() -> saving(off).stream()
        .anyMatch(e -> e.result().equals(FenceEntry.SAVING_ON)));
    assertThat(LabCli.output(cluster, "fence", "history")).contains(FenceEntry.SAVING_ON);
    FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    assertThat(h.entries()).as("a standby node is never fenced").noneMatch(e -> e.target().equals(off)
        && e.action().equals(FenceEntry.SUMMARY));
    System.out.printf("power saving: %s standby and off %.1fs after power_saving=on; online %.1fs after the rise%n",
        off, (offAt - t0) / 1e3, (onlineAt - riseAt) / 1e3);
  }
}
