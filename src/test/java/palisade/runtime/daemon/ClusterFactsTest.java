package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.NodeConfig;
import palisade.core.ShutdownPolicy;
import palisade.core.Timing;

/** The store's /config is the truth; a node's YAML only seeds it and must not contradict it. */
class ClusterFactsTest {
  private static final Timing CLUSTER = new Timing(1_000, 1_000, 5_000, 8_000, 10_000, 250);

  private static ClusterConfig cluster(Timing t, NodeConfig... nodes) {
    TreeMap<String, NodeConfig> ns = new TreeMap<>();
    for (NodeConfig n : nodes) ns.put(n.name(), n);
    for (String n : List.of("node1", "node2", "node3")) ns.putIfAbsent(n, NodeConfig.standard(n));
    return new ClusterConfig(ns, new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL, t);
  }

  private static DaemonConfig node1(String extra) {
    return DaemonConfigTest.parse("cluster: c\nnode: node1\n" + extra + DaemonConfigTest.NODES);
  }

  @Test
  void theInitialConfigurationCarriesTheFilesSettingsAndTiming() {
    DaemonConfig local = node1("watchdog: {driver: process}\ntiming: {watchdog_timeout: 4500ms, lease_timeout: 9s}\n");
    ClusterConfig initial = ClusterFacts.initial(local);
    assertThat(initial.timing()).isEqualTo(local.timing());
    assertThat(initial.nodes().keySet()).containsExactly("node1", "node2", "node3");
    assertThat(initial.nodes().get("node1").watchdog()).isTrue();
    assertThatCode(() -> ClusterFacts.check(local, initial)).doesNotThrowAnyException();
  }

  @Test
  void runsUnderTheClustersTimingWithItsOwnTick() {
    DaemonConfig local = node1("watchdog: {driver: process}\ntiming: {watchdog_timeout: 4500ms, lease_timeout: 9s}\n");
    ClusterConfig c = cluster(CLUSTER);
    ClusterFacts.check(local, c);
    Timing t = ClusterFacts.timing(local, c);
    assertThat(List.of(t.renewMs(), t.ackMs(), t.watchdogMs(), t.leaseMs(), t.driftPpm()))
        .containsExactly(1_000L, 1_000L, 5_000L, 8_000L, 10_000L);
    assertThat(t.tickMs()).as("R/10 of the cluster's R, not the seed's tick").isEqualTo(100);
    assertThat(ClusterFacts.timingDrift(local, c)).contains("W=4.5s", "W=5s", "running under the cluster's");
    DaemonConfig ticked = node1("watchdog: {driver: process}\ntiming: {tick: 50ms}\n");
    assertThat(ClusterFacts.timing(ticked, c).tickMs()).isEqualTo(50);
    assertThat(ClusterFacts.timingDrift(ticked, c)).isEmpty();
  }

  @Test
  void aNodeWithoutAWatchdogTheClusterCountsOnIsRefusedNamingBothValues() {
    // node1's own file is consistent (driver none, watchdog: none, a fence device), but the cluster says otherwise.
    DaemonConfig local = DaemonConfigTest.parse("cluster: c\nnode: node1\nwatchdog: {driver: none}\nnodes:\n"
        + "  - {name: node1, address: a, fence_levels: [[ipmi1]], watchdog: none}\n" + DaemonConfigTest.DEVICES);
    ClusterConfig c = new ClusterConfig(new TreeMap<>(java.util.Map.of("node1", NodeConfig.standard("node1"))),
        new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL, CLUSTER);
    assertThatThrownBy(() -> ClusterFacts.check(local, c)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("refusing to start: this node's local facts contradict the cluster's /config")
        .hasMessageContaining("watchdog.driver is 'none' here, but the cluster's /config says node1 is "
            + "watchdog-protected (watchdog: yes)");
  }

  @Test
  void aWatchdogTheClusterDoesNotKnowIsRefusedToo() {
    ClusterConfig c = cluster(CLUSTER, new NodeConfig("node1", false, List.of(List.of("ipmi1")), -1, false));
    assertThatThrownBy(() -> ClusterFacts.check(node1("watchdog: {driver: process}\n"), c))
        .hasMessageContaining("watchdog.driver is 'process' here, but the cluster's /config says node1 has no "
            + "watchdog (watchdog: none)")
        .hasMessageContaining("fence_devices has no device 'ipmi1' here, but the cluster's /config names it in "
            + "node1's fence levels");
  }

  @Test
  void aDriverOrTickThatCannotHonourTheClustersTimingIsRefused() {
    Timing halfSecondW = new Timing(1_000, 1_000, 4_500, 8_000, 10_000, 250);
    assertThatThrownBy(() -> ClusterFacts.check(node1(""), cluster(halfSecondW)))
        .hasMessageContaining("watchdog.driver 'linux' counts whole seconds here, but the cluster's /config has "
            + "watchdog_timeout=4.5s");
    Timing twoHourW = new Timing(1_000, 1_000, 7_200_000, 7_400_000, 10_000, 250);
    assertThatThrownBy(() -> ClusterFacts.check(node1("watchdog: {driver: process}\n"), cluster(twoHourW)))
        .hasMessageContaining("watchdog.driver 'process' arms at most 3600s here, but the cluster's /config has "
            + "watchdog_timeout=7200s");
    assertThatThrownBy(() -> ClusterFacts.check(node1("timing: {tick: 1s}\n"),
        cluster(new Timing(500, 500, 5_000, 7_000, 10_000, 100))))
        .hasMessageContaining("timing.tick is 1s here, but the cluster's /config has renew_interval=500ms (the "
            + "tick must not exceed R)");
  }

  @Test
  void aStrangerOrATimelessConfigIsRefused() {
    DaemonConfig node4 = DaemonConfigTest.parse("cluster: c\nnode: node4\nnodes:\n  - {name: node4, address: a}\n");
    assertThatThrownBy(() -> ClusterFacts.check(node4, cluster(CLUSTER)))
        .hasMessageContaining("node: 'node4' is not a member of the cluster's /config (members: node1, node2, node3)");
    assertThatThrownBy(() -> ClusterFacts.check(node1(""), cluster(null)))
        .hasMessageContaining("the cluster's /config states no timing");
  }
}
