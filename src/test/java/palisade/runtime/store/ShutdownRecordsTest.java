package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import palisade.core.ClusterConfig;
import palisade.core.NodeConfig;
import palisade.core.ShutdownPolicy;

/** The shutdown policy per node and the operator's shutdown request, as the store holds them. */
class ShutdownRecordsTest {
  @Test
  void aNodesOwnPolicyOverridesTheClustersAndSurvivesTheStore() throws Exception {
    ClusterConfig cfg = new ClusterConfig(new TreeMap<>(Map.of("node1", NodeConfig.standard("node1"),
        "node2", NodeConfig.standard("node2").withShutdownPolicy(ShutdownPolicy.MIGRATE))), new TreeMap<>(),
        new TreeMap<>(), ShutdownPolicy.FREEZE);
    assertThat(cfg.shutdownPolicyOf("node1")).isEqualTo(ShutdownPolicy.FREEZE);
    assertThat(cfg.shutdownPolicyOf("node2")).isEqualTo(ShutdownPolicy.MIGRATE);
    assertThat(cfg.shutdownPolicyOf("node9")).as("not a member: the cluster's").isEqualTo(ShutdownPolicy.FREEZE);
    ClusterConfig back = (ClusterConfig) Codec.decode("/config", Codec.encode(cfg));
    assertThat(back).isEqualTo(cfg);
    ClusterConfig reset = cfg.withNode(cfg.nodes().get("node2").withShutdownPolicy(null))
        .withShutdownPolicy(ShutdownPolicy.FAILOVER);
    assertThat(reset.shutdownPolicyOf("node2")).isEqualTo(ShutdownPolicy.FAILOVER);
  }

  @Test
  void aConfigurationWrittenBeforePerNodePoliciesReadsAsFollowingTheCluster() throws Exception {
    String old = "{\"nodes\":{\"node1\":{\"name\":\"node1\",\"watchdog\":true,\"fenceLevels\":[],\"spmPriority\":-1,"
        + "\"manualOnly\":false}},\"groups\":{},\"resources\":{},\"shutdownPolicy\":\"MIGRATE\"}";
    ClusterConfig cfg = (ClusterConfig) Codec.decode("/config", old.getBytes(StandardCharsets.UTF_8));
    assertThat(cfg.nodes().get("node1").shutdownPolicy()).isNull();
    assertThat(cfg.shutdownPolicyOf("node1")).isEqualTo(ShutdownPolicy.MIGRATE);
  }

  @Test
  void shutdownRequestsLiveOneBelowTheirParent() throws Exception {
    ShutdownRequest r = new ShutdownRequest("node2", true, 1_700_000_000_000L, "admin (admin) on ops1", false);
    assertThat(Codec.decode(ShutdownRequest.path("node2"), Codec.encode(r))).isEqualTo(r);
    assertThat(r.take().taken()).isTrue();
    assertThat(Codec.typeOf("/shutdown")).isNull();
    assertThat(Codec.typeOf("/shutdown/node2/x")).isNull();
    assertThat(Codec.typeOf(ShutdownRequest.path("node1"))).isEqualTo(ShutdownRequest.class);
  }
}
