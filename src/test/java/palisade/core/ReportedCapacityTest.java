package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * crs=dynamic in the runtime: measured usage is weighed against the capacity each node's agent reported, unless the
 * configuration states one (each figure on its own).
 */
class ReportedCapacityTest {
  private final TreeMap<String, NodeConfig> nodes = new TreeMap<>();
  private final TreeMap<String, NodeRecord> records = new TreeMap<>();
  private final TreeMap<String, ResourceConfig> resources = new TreeMap<>();
  private final Working w = new Working(new ManagerState(0, 10, 0, new TreeMap<>(), new TreeMap<>()), (s, m) -> { });
  /** vm:2 busy with two cores on node1, vm:3 and vm:4 with one each on node2 and node3. */
  private final SortedMap<String, Capacity> measured = new TreeMap<>(Map.of("vm:2", new Capacity(2, 0),
      "vm:3", new Capacity(1, 0), "vm:4", new Capacity(1, 0)));
  /** node1 is the big host. */
  private final SortedMap<String, Capacity> reported = new TreeMap<>(Map.of("node1", new Capacity(16, 8L << 30),
      "node2", new Capacity(2, 8L << 30), "node3", new Capacity(2, 8L << 30)));

  ReportedCapacityTest() {
    for (String n : List.of("node1", "node2", "node3")) {
      nodes.put(n, NodeConfig.standard(n));
      records.put(n, NodeRecord.fresh(n));
      w.setNode(n, new NodeStatus(NodeState.ONLINE, 0, null), "test");
    }
    for (String id : List.of("vm:1", "vm:2", "vm:3", "vm:4")) {
      resources.put(id, ResourceConfig.sim(id, null, RequestState.STARTED, null, 0, 1, 1, List.of()));
    }
    w.setService("vm:2", on("node1"), "test");
    w.setService("vm:3", on("node2"), "test");
    w.setService("vm:4", on("node3"), "test");
  }

  private static ServiceStatus on(String node) {
    return new ServiceStatus(ServiceState.STARTED, node, null, 1, 0, new TreeSet<>(), null);
  }

  private String place(SortedMap<String, Capacity> configured, SortedMap<String, Capacity> reportedCapacity) {
    ClusterConfig c = new ClusterConfig(nodes, new TreeMap<>(), resources, ShutdownPolicy.CONDITIONAL, null, 0,
        new PlacementConfig(null, Crs.DYNAMIC, false, configured, null));
    Placement p = new Placement(c, w, records, nodes.keySet(), RuleIndex.of(c), measured, reportedCapacity);
    return p.select(c.resources().get("vm:1"), null, Set.of());
  }

  @Test
  void measuredLoadIsWeighedAgainstTheReportedCapacity() {
    assertThat(place(null, reported)).as("two cores of sixteen is the lightest load").isEqualTo("node1");
    assertThat(place(null, new TreeMap<>())).as("without capacities, absolute figures: node1 is the busiest")
        .isEqualTo("node2");
  }

  @Test
  void aConfiguredCapacityWinsOverTheReportedOneFigureByFigure() {
    SortedMap<String, Capacity> configured = new TreeMap<>(Map.of("node1", new Capacity(2, 0)));
    assertThat(place(configured, reported)).as("node1 configured with 2 CPUs: two cores make it full")
        .isEqualTo("node2");
    ClusterConfig c = new ClusterConfig(nodes, new TreeMap<>(), resources, ShutdownPolicy.CONDITIONAL, null, 0,
        new PlacementConfig(null, Crs.DYNAMIC, false, configured, null));
    Placement p = new Placement(c, w, records, nodes.keySet(), RuleIndex.of(c), measured, reported);
    assertThat(p.capacity("node1")).isEqualTo(new Capacity(2, 8L << 30));
    assertThat(p.capacity("node2")).isEqualTo(new Capacity(2, 8L << 30));
  }
}
