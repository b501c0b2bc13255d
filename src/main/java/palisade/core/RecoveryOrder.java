package palisade.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The manager's recovery order: each resource with its configuration (null if removed), higher restart priority
 * first, then by id; recovery hands out the best nodes in that order. Kept across rounds while nothing it depends
 * on changed.
 */
final class RecoveryOrder {
  /** The last order and what it was computed from. */
  private ClusterConfig orderConfig;
  private int orderSize = -1;
  private List<Map.Entry<String, ResourceConfig>> order;

  List<Map.Entry<String, ResourceConfig>> of(ClusterConfig config, Working w) {
    // The same configuration object and as many statuses as last round mean the same ids: statuses only ever
    // gain ids from a configuration change, and lose the ids of removed resources.
    if (config == orderConfig && w.services.size() == orderSize) return order;
    order = compute(config, w);
    orderConfig = config;
    orderSize = w.services.size();
    return order;
  }

  /** Both maps iterate by id, so one merged walk pairs them. */
  private static List<Map.Entry<String, ResourceConfig>> compute(ClusterConfig config, Working w) {
    TreeMap<Integer, List<Map.Entry<String, ResourceConfig>>> byPriority = new TreeMap<>(Comparator.reverseOrder());
    java.util.Iterator<ResourceConfig> configs = config.resources().values().iterator();
    ResourceConfig rc = configs.hasNext() ? configs.next() : null;
    for (String id : w.services.keySet()) {
      while (rc != null && rc.id().compareTo(id) < 0) rc = configs.hasNext() ? configs.next() : null;
      ResourceConfig mine = rc != null && rc.id().equals(id) ? rc : null;
      byPriority.computeIfAbsent(mine == null ? 0 : mine.priority(), k -> new ArrayList<>())
          .add(new java.util.AbstractMap.SimpleImmutableEntry<>(id, mine));
    }
    List<Map.Entry<String, ResourceConfig>> ordered = new ArrayList<>(w.services.size());
    for (var group : byPriority.values()) ordered.addAll(group); // each already in id order
    return ordered;
  }
}
