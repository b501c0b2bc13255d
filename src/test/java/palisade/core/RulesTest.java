package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Placement rules: validation when written (naming both rules), and what placement does under them. */
class RulesTest {
  private final TreeMap<String, NodeConfig> nodes = new TreeMap<>();
  private final TreeMap<String, NodeRecord> records = new TreeMap<>();
  private final TreeMap<String, ResourceConfig> resources = new TreeMap<>();
  private final Working w = new Working(new ManagerState(0, 10, 0, new TreeMap<>(), new TreeMap<>()), (s, m) -> { });

  RulesTest() {
    for (String n : List.of("node1", "node2", "node3")) {
      nodes.put(n, NodeConfig.standard(n));
      records.put(n, NodeRecord.fresh(n));
      w.setNode(n, new NodeStatus(NodeState.ONLINE, 0, null), "test");
    }
    for (String id : List.of("vm:1", "vm:2", "vm:3", "vm:4")) {
      resources.put(id, ResourceConfig.sim(id, "node1", RequestState.STARTED, null, 0, 1, 1, List.of()));
    }
  }

  private static TreeSet<String> ids(String... ids) {
    return new TreeSet<>(List.of(ids));
  }

  private ClusterConfig config(PlacementConfig p) {
    return new ClusterConfig(nodes, new TreeMap<>(), resources, ShutdownPolicy.CONDITIONAL, null, 0, p);
  }

  private static PlacementConfig rules(Rule... rs) {
    TreeMap<String, Rule> m = new TreeMap<>();
    for (Rule r : rs) m.put(r.name(), r);
    return new PlacementConfig(m, Crs.BASIC, false, null, null);
  }

  private static Rule pin(String name, Map<String, Integer> nodes, boolean strict, String... ids) {
    return Rule.nodeAffinity(name, new TreeMap<>(nodes), ids(ids), strict, true);
  }

  @Test
  void positiveAndNegativeSharingTwoResourcesAreRefusedNamingBoth() {
    assertThatThrownBy(() -> config(rules(Rule.resourceAffinity("together", true, ids("vm:1", "vm:2")),
        Rule.resourceAffinity("apart", false, ids("vm:1", "vm:2", "vm:3")))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("together").hasMessageContaining("apart")
        .hasMessageContaining("vm:1 and vm:2");
  }

  @Test
  void aResourceInTwoNodeAffinityRulesIsRefused() {
    assertThatThrownBy(() -> config(rules(pin("a", Map.of("node1", 1), false, "vm:1"),
        pin("b", Map.of("node2", 1), false, "vm:1", "vm:2"))))
        .isInstanceOf(ConfigException.class).hasMessage("rules a and b conflict: resource vm:1 is in both "
            + "node-affinity rules (a resource has at most one)");
  }

  @Test
  void aPositiveSetWhoseStrictNodesShareNothingIsRefused() {
    assertThatThrownBy(() -> config(rules(pin("one", Map.of("node1", 1), true, "vm:1"),
        pin("two", Map.of("node2", 1), true, "vm:2"), Rule.resourceAffinity("with", true, ids("vm:1", "vm:2")))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("rule with and rule one, rule two conflict");
  }

  @Test
  void aNegativeSetLargerThanItsNodesIsRefused() {
    assertThatThrownBy(() -> config(rules(Rule.resourceAffinity("spread", false,
        ids("vm:1", "vm:2", "vm:3", "vm:4")))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("rule spread conflict: 4 resources kept apart "
            + "on only 3 usable node(s)");
  }

  @Test
  void unknownNamesAreRefused() {
    assertThatThrownBy(() -> config(rules(Rule.resourceAffinity("x", true, ids("vm:1", "vm:9")))))
        .hasMessage("rule x: unknown resource 'vm:9'");
    assertThatThrownBy(() -> config(rules(pin("p", Map.of("node7", 1), false, "vm:1"))))
        .hasMessage("rule p: unknown node 'node7'");
  }

  @Test
  void aGroupAndANodeAffinityRuleOnOneResourceAreRefused() {
    TreeMap<String, GroupConfig> groups = new TreeMap<>(Map.of("g", new GroupConfig("g", new TreeMap<>(Map.of(
        "node1", 1)), false, true)));
    resources.put("vm:1", ResourceConfig.sim("vm:1", "node1", RequestState.STARTED, "g", 0, 1, 1, List.of()));
    assertThatThrownBy(() -> new ClusterConfig(nodes, groups, resources, ShutdownPolicy.CONDITIONAL, null, 0,
        rules(pin("p", Map.of("node2", 1), false, "vm:1")))).hasMessageContaining("rule p and group g conflict");
  }

  @Test
  void deletingAResourceTakesItOutOfItsRules() {
    ClusterConfig c = config(rules(Rule.resourceAffinity("pair", true, ids("vm:1", "vm:2")),
        Rule.resourceAffinity("trio", false, ids("vm:1", "vm:3", "vm:4"))));
    ClusterConfig after = c.withoutResource("vm:1");
    assertThat(after.placement().rules()).containsOnlyKeys("trio");
    assertThat(after.placement().rules().get("trio").resources()).containsExactly("vm:3", "vm:4");
  }

  private Placement placement(ClusterConfig c, Map<String, ServiceStatus> statuses) {
    for (var e : statuses.entrySet()) w.setService(e.getKey(), e.getValue(), "test");
    return new Placement(c, w, records, nodes.keySet());
  }

  private static ServiceStatus on(String node) {
    return new ServiceStatus(ServiceState.STARTED, node, null, 1, 0, new TreeSet<>(), null);
  }

  @Test
  void negativeNeverPlacesWithAPartnerAndWaitsWhenNoNodeIsLeft() {
    ClusterConfig c = config(rules(Rule.resourceAffinity("spread", false, ids("vm:1", "vm:2", "vm:3"))));
    Placement p = placement(c, Map.of("vm:2", on("node1"), "vm:3", on("node2")));
    assertThat(p.select(c.resources().get("vm:1"), null, Set.of())).isEqualTo("node3");
    assertThat(p.select(c.resources().get("vm:1"), null, Set.of("node3"))).isNull();
    assertThat(p.refusedOn(c.resources().get("vm:1"), "node1")).contains("vm:2, rule spread");
  }

  @Test
  void positiveJoinsItsPartnersEvenOnTheBusiestNode() {
    ClusterConfig c = config(rules(Rule.resourceAffinity("pair", true, ids("vm:1", "vm:2"))));
    Placement p = placement(c, Map.of("vm:2", on("node1"), "vm:3", on("node1")));
    assertThat(p.select(c.resources().get("vm:1"), null, Set.of())).isEqualTo("node1");
    assertThat(p.misplaced(c.resources().get("vm:1"), "node2")).contains("keeps it with vm:2 on node1");
  }

  @Test
  void strictNodeAffinityOffersOnlyItsNodesAndNonStrictPrefersThem() {
    ClusterConfig strict = config(rules(pin("p", Map.of("node2", 1), true, "vm:1")));
    Placement p = placement(strict, Map.of("vm:2", on("node2")));
    assertThat(p.select(strict.resources().get("vm:1"), null, Set.of())).isEqualTo("node2");
    assertThat(p.select(strict.resources().get("vm:1"), null, Set.of("node2"))).isNull();
    ClusterConfig loose = config(rules(pin("p", Map.of("node2", 1), false, "vm:1")));
    Placement q = placement(loose, Map.of());
    assertThat(q.select(loose.resources().get("vm:1"), null, Set.of("node2"))).isEqualTo("node1");
  }

  @Test
  void staticCrsWeighsMemoryAgainstCapacityNotCounts() {
    TreeMap<String, Capacity> caps = new TreeMap<>();
    for (String n : nodes.keySet()) caps.put(n, new Capacity(8, 32L << 30));
    TreeMap<String, Capacity> demand = new TreeMap<>(Map.of("vm:1", new Capacity(1, 16L << 30),
        "vm:2", new Capacity(1, 1L << 30), "vm:3", new Capacity(1, 1L << 30), "vm:4", new Capacity(1, 8L << 30)));
    ClusterConfig c = config(new PlacementConfig(null, Crs.STATIC, false, caps, demand));
    // node1 holds one big VM, node2 two small ones: by count node1 wins, by memory node2 does.
    Placement p = placement(c, Map.of("vm:1", on("node1"), "vm:2", on("node2"), "vm:3", on("node2")));
    assertThat(p.select(c.resources().get("vm:4"), null, Set.of("node3"))).isEqualTo("node2");
    ClusterConfig basic = config(PlacementConfig.NONE);
    assertThat(placement(basic, Map.of()).select(basic.resources().get("vm:4"), null, Set.of("node3")))
        .isEqualTo("node1");
  }

  @Test
  void staticCrsWithoutFiguresPlacesLikeBasic() {
    ClusterConfig c = config(new PlacementConfig(null, Crs.STATIC, false, null, null));
    Placement p = placement(c, Map.of("vm:1", on("node1"), "vm:2", on("node2"), "vm:3", on("node1")));
    assertThat(p.select(c.resources().get("vm:4"), null, Set.of())).isEqualTo("node3");
    assertThat(p.select(c.resources().get("vm:4"), null, Set.of("node3"))).isEqualTo("node2");
  }
}
