package palisade.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * How many statuses occupy each node for placement ({@link Placement#loadNode}), kept by the manager across rounds
 * and brought up to date from each round's changed statuses, so a round that places a few resources does not count
 * every status again. Only nodes with at least one are held.
 */
final class LoadCounts {
  private final TreeMap<String, Integer> byNode = new TreeMap<>();

  static LoadCounts of(Map<String, ServiceStatus> services) {
    LoadCounts c = new LoadCounts();
    for (ServiceStatus ss : services.values()) c.add(Placement.loadNode(ss), 1);
    return c;
  }

  /** How many statuses occupy node (as the round began). */
  int on(String node) {
    return byNode.getOrDefault(node, 0);
  }

  /** The counts of w's statuses now: these (its statuses when the round began) with the round's changes. */
  TreeMap<String, Integer> now(Working w) {
    LoadCounts c = new LoadCounts();
    c.byNode.putAll(byNode);
    c.apply(w);
    return c.byNode;
  }

  /** Takes in a round's changes: the counts become those of its statuses as the round left them. */
  void apply(Working w) {
    for (var e : w.touched().entrySet()) {
      ServiceStatus from = e.getValue();
      add(from == null ? null : Placement.loadNode(from), -1);
      ServiceStatus to = w.services.get(e.getKey());
      add(to == null ? null : Placement.loadNode(to), 1);
    }
  }

  private void add(String node, int delta) {
    if (node == null) return;
    int n = byNode.getOrDefault(node, 0) + delta;
    Check.that(n >= 0, "load count of %s below zero", node);
    if (n == 0) byNode.remove(node);
    else byNode.put(node, n);
  }
}
