package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** An agent's part of the manager's state and the configuration: its node's resources, and only those. */
class NodePartTest {
  private static ServiceStatus status(ServiceState s, String node, String target) {
    return new ServiceStatus(s, node, target, 7, 0, new TreeSet<>(), null);
  }

  private static ResourceConfig resource(String id, String node) {
    return ResourceConfig.sim(id, node, RequestState.STARTED, null, 0, 1, 1, List.of());
  }

  private final ManagerState all = new ManagerState(1, 10, 0, new TreeMap<>(), new TreeMap<>(Map.of(
      "vm:1", status(ServiceState.STARTED, "node1", null),
      "vm:2", status(ServiceState.STARTED, "node2", null),
      "vm:3", status(ServiceState.MIGRATE, "node2", "node1"),
      "vm:4", status(ServiceState.RECOVERY, "node3", "node1"),
      "vm:5", status(ServiceState.STOPPED, null, null))));

  private final ClusterConfig config = new ClusterConfig(new TreeMap<>(Map.of(
      "node1", NodeConfig.standard("node1"), "node2", NodeConfig.standard("node2"),
      "node3", NodeConfig.standard("node3"))), new TreeMap<>(), new TreeMap<>(Map.of(
      "vm:1", resource("vm:1", "node1"), "vm:2", resource("vm:2", null), "vm:3", resource("vm:3", null),
      "vm:4", resource("vm:4", null), "vm:5", resource("vm:5", null))), ShutdownPolicy.CONDITIONAL);

  @Test
  void aNodesPartHoldsWhatIsPlacedOnItAndWhatHeadsToIt() {
    ManagerState part = NodePart.stateOf(all, "node1");
    assertThat(part.services()).containsOnlyKeys("vm:1", "vm:3", "vm:4");
    assertThat(part.services().get("vm:3")).isSameAs(all.services().get("vm:3"));
    assertThat(part.epoch()).isEqualTo(all.epoch());
    assertThat(part.nextToken()).isEqualTo(all.nextToken());
    assertThat(NodePart.stateOf(all, "node2").services()).containsOnlyKeys("vm:2", "vm:3");
    assertThat(NodePart.stateOf(all, "node4").services()).isEmpty();
  }

  @Test
  void theConfigurationPartHoldsTheResourcesOfThePartOnly() {
    ClusterConfig part = NodePart.configOf(config, NodePart.stateOf(all, "node2"));
    assertThat(part.resources()).containsOnlyKeys("vm:2", "vm:3");
    assertThat(part.nodes()).isEqualTo(config.nodes());
    assertThat(part.timing()).isEqualTo(config.timing());
    assertThat(part.shutdownPolicy()).isEqualTo(config.shutdownPolicy());
  }

  @Test
  void aPartOfAPartIsItself() {
    ManagerState part = NodePart.stateOf(all, "node1");
    assertThat(NodePart.stateOf(part, "node1")).isSameAs(part);
    ClusterConfig cpart = NodePart.configOf(config, part);
    assertThat(NodePart.configOf(cpart, part)).isSameAs(cpart);
  }

  @Test
  void anAgentTakesItsPartOncePerState() {
    NodePart node1 = new NodePart("node1");
    ManagerState first = node1.state(all);
    ClusterConfig firstConfig = node1.config(config, all);
    // An agent's tick asks for both, several times, in any order: the same objects until the state changes (each
    // new object would make every cache keyed on it, the agent's own included, start again).
    for (int i = 0; i < 3; i++) {
      assertThat(node1.state(all)).isSameAs(first);
      assertThat(node1.state(first)).isSameAs(first);
      assertThat(node1.config(config, all)).isSameAs(firstConfig);
      assertThat(node1.config(config, first)).isSameAs(firstConfig);
    }
    assertThat(node1.state(null)).isNull();
  }
}
