package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Proxmox's node selection: group priority first, then least loaded, ties by name; failback and restriction. */
class PlacementTest {
  private final TreeMap<String, NodeConfig> nodes = new TreeMap<>();
  private final TreeMap<String, NodeRecord> records = new TreeMap<>();
  /** Tokens below 10 count as issued already: the statuses below carry token 1. */
  private final Working w = new Working(new ManagerState(0, 10, 0, new TreeMap<>(), new TreeMap<>()), (s, m) -> { });

  PlacementTest() {
    for (String n : List.of("node1", "node2", "node3", "node4")) {
      nodes.put(n, NodeConfig.standard(n));
      records.put(n, NodeRecord.fresh(n));
      w.setNode(n, new NodeStatus(NodeState.ONLINE, 0, null), "test");
    }
  }

  private Placement placement(Map<String, GroupConfig> groups, Map<String, ServiceStatus> load) {
    TreeMap<String, ResourceConfig> rs = new TreeMap<>();
    for (var e : load.entrySet()) w.setService(e.getKey(), e.getValue(), "test");
    return new Placement(new ClusterConfig(nodes, new TreeMap<>(groups), rs, ShutdownPolicy.CONDITIONAL), w,
        records, nodes.keySet());
  }

  private static ServiceStatus on(String node) {
    return new ServiceStatus(ServiceState.STARTED, node, null, 1, 0, new TreeSet<>(), null);
  }

  private static ResourceConfig rc(String group) {
    return ResourceConfig.sim("vm:9", null, RequestState.STARTED, group, 0, 1, 1, List.of());
  }

  @Test
  void leastLoadedThenName() {
    Placement p = placement(Map.of(), Map.of("a", on("node1"), "b", on("node2"), "c", on("node1")));
    assertThat(p.select(rc(null), null, Set.of())).isEqualTo("node3");
    assertThat(p.select(rc(null), null, Set.of("node3"))).isEqualTo("node4");
  }

  @Test
  void groupPriorityBeatsLoad() {
    GroupConfig g = new GroupConfig("g", new TreeMap<>(Map.of("node1", 2, "node2", 1)), false, true);
    Placement p = placement(Map.of("g", g), Map.of("a", on("node1"), "b", on("node1")));
    assertThat(p.select(rc("g"), null, Set.of())).isEqualTo("node1");
    assertThat(p.select(rc("g"), "node2", Set.of())).isEqualTo("node1"); // failback
  }

  @Test
  void withoutFailbackItStaysWhereItIsAllowed() {
    GroupConfig g = new GroupConfig("g", new TreeMap<>(Map.of("node1", 2, "node2", 1)), false, false);
    Placement p = placement(Map.of("g", g), Map.of());
    assertThat(p.select(rc("g"), "node2", Set.of())).isEqualTo("node2");
  }

  @Test
  void restrictedGroupsNeverSpill() {
    GroupConfig g = new GroupConfig("g", new TreeMap<>(Map.of("node1", 1)), true, true);
    Placement p = placement(Map.of("g", g), Map.of());
    assertThat(p.select(rc("g"), null, Set.of("node1"))).isNull();
    GroupConfig open = new GroupConfig("o", new TreeMap<>(Map.of("node1", 1)), false, true);
    Placement q = placement(Map.of("o", open), Map.of());
    assertThat(q.select(rc("o"), null, Set.of("node1"))).isEqualTo("node2");
  }

  @Test
  void aNodeNotHeardFromOrLateIsNotEligible() {
    records.put("node2", NodeRecord.fresh("node2").renewed(AgentMode.ACTIVE, new TreeMap<>(), false, false, 0));
    Placement p = new Placement(new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(),
        ShutdownPolicy.CONDITIONAL), w, records, Set.of("node1", "node2"));
    assertThat(p.eligible("node1")).isTrue();
    assertThat(p.eligible("node2")).isFalse(); // renewals acknowledged late: cannot arm its watchdog
    assertThat(p.eligible("node3")).isFalse(); // not heard by this manager yet
  }

  @Test
  void onlyOnlineActiveUnfencedNodesAreEligible() {
    records.put("node2", NodeRecord.fresh("node2").fence());
    w.setNode("node3", new NodeStatus(NodeState.MAINTENANCE, 0, null), "test");
    Placement p = placement(Map.of(), Map.of());
    assertThat(p.eligible("node1")).isTrue();
    assertThat(p.eligible("node2")).isFalse();
    assertThat(p.eligible("node3")).isFalse();
  }
}
