package palisade.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.Capacity;
import palisade.core.ClusterConfig;
import palisade.core.Crs;
import palisade.core.PlacementConfig;
import palisade.core.Rule;

/**
 * The `bench round --rules` shape: crs=static (every node 64 CPUs and 512G; resources 1 to 4 CPUs and 2G to 16G), a
 * negative and a positive pair of neighbouring resources in every 50, and a non-strict node-affinity rule over every
 * 500 resources preferring 10 nodes (one priority: crs=static spreads them). Resources are spread round-robin, so neighbours start on different nodes.
 */
final class BenchRules {
  private BenchRules() {}

  static ClusterConfig with(ClusterConfig c) {
    List<String> nodes = new ArrayList<>(c.nodes().keySet());
    List<String> ids = new ArrayList<>(c.resources().keySet());
    TreeMap<String, Capacity> caps = new TreeMap<>();
    for (String n : nodes) caps.put(n, new Capacity(64, 512L << 30));
    TreeMap<String, Capacity> demand = new TreeMap<>();
    for (int i = 0; i < ids.size(); i++) demand.put(ids.get(i), new Capacity(1 + i % 4, (2L + i % 15) << 30));
    TreeMap<String, Rule> rules = new TreeMap<>();
    for (int i = 0; i + 3 < ids.size(); i += 50) {
      String apart = "apart-" + i;
      rules.put(apart, Rule.resourceAffinity(apart, false, new TreeSet<>(ids.subList(i, i + 2))));
      String with = "with-" + i;
      rules.put(with, Rule.resourceAffinity(with, true, new TreeSet<>(ids.subList(i + 2, i + 4))));
    }
    for (int i = 0; i + 500 <= ids.size(); i += 500) {
      TreeMap<String, Integer> prefer = new TreeMap<>();
      for (int k = 0; k < 10; k++) prefer.put(nodes.get((i / 500 * 10 + k) % nodes.size()), 1);
      TreeSet<String> members = new TreeSet<>();
      for (int k = i + 4; k < i + 500; k++) {
        if (k % 50 >= 4) members.add(ids.get(k)); // not in a resource-affinity pair
      }
      String name = "prefer-" + i;
      rules.put(name, Rule.nodeAffinity(name, prefer, members, false, true));
    }
    return c.withPlacement(new PlacementConfig(rules, Crs.STATIC, false, caps, demand));
  }
}
