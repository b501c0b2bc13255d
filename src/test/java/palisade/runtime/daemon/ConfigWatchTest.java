package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import palisade.core.ClusterConfig;
import palisade.core.FenceDeviceDef;
import palisade.core.NodeConfig;
import palisade.core.ShutdownPolicy;
import palisade.core.Timing;

/** What a daemon logs when /config changes under it: one line per node, device and the cluster-wide settings. */
class ConfigWatchTest {
  private static ClusterConfig three() {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : List.of("node1", "node2", "node3")) nodes.put(n, NodeConfig.standard(n));
    return new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL, Timing.defaults());
  }

  @Test
  void eachChangeIsOneLineNamingWhatChangedAndNoSecret() {
    ClusterConfig a = three();
    FenceDeviceDef bmc4 = new FenceDeviceDef("redfish", new TreeMap<>(Map.of("host", "10.0.1.4", "username", "root")),
        10_000, "bmc4");
    ClusterConfig b = a.withFence(a.fence().withDevice("bmc4", bmc4)).withNodeAdded(new NodeConfig("node4", false,
        List.of(List.of("bmc4")), 3, false)).withoutNode("node3").withNode(a.nodes().get("node2").withSite("dc2"))
        .withRepairAfter(600_000);
    assertThat(ConfigWatch.changes(a, b, "node3")).containsExactly(
        "node node2 changed (watchdog yes, fence levels [], spm_priority -1 -> watchdog yes, fence levels [], "
            + "spm_priority -1, site dc2)",
        "node node3 removed (this node: ALERT, stop it)",
        "node node4 added (watchdog no, fence levels [[bmc4]], spm_priority 3)",
        "fence device bmc4 defined in /config (redfish, options [host, username])",
        "cluster settings changed: shutdown_policy=conditional repair_after=10m fence_grace=0 fence_grace_spm=0 "
            + "fence_grace_per_resource=0 fence_device_check=10m crs=basic crs_rebalance_on_start=no "
            + "crs_auto_rebalance=no crs_auto_rebalance_method=bruteforce crs_auto_rebalance_threshold=0.3 "
            + "crs_auto_rebalance_hold=30s crs_auto_rebalance_margin=0.1");
    assertThat(ConfigWatch.changes(b, b, "node1")).isEmpty();
    assertThat(ConfigWatch.changes(b, b.withFence(b.fence().withDevice("bmc4", null)), "node1"))
        .containsExactly("fence device bmc4 undefined in /config");
  }
}
