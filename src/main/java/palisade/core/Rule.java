package palisade.core;

import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A placement rule (Proxmox VE 9's HA rules). A node-affinity rule restricts ({@code strict}) or steers its resources
 * to prioritised nodes, with failback per rule; a resource-affinity rule keeps its resources together ({@code
 * positive}) or apart ({@code negative}); resource-affinity rules are always strict: the manager never places in
 * violation, the resource waits instead.
 *
 * @param nodes node-affinity only: node to priority (higher wins); empty for resource affinity
 * @param strict node-affinity only: its resources may run only on its nodes
 * @param failback node-affinity only: move back to a higher-priority node when one is online again
 */
public record Rule(String name, Kind kind, SortedMap<String, Integer> nodes, SortedSet<String> resources,
    boolean strict, boolean failback) {

  /** What a rule asks. */
  public enum Kind {
    NODE_AFFINITY, POSITIVE, NEGATIVE;

    /** The words of the configuration: `node-affinity`, `resource-affinity positive|negative`. */
    public String label() {
      return switch (this) {
        case NODE_AFFINITY -> "node-affinity";
        case POSITIVE -> "resource-affinity positive";
        case NEGATIVE -> "resource-affinity negative";
      };
    }
  }

  public Rule {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new ConfigException("rule name '" + name + "' is not valid (letters, digits, _ . -)");
    }
    if (kind == null) throw new ConfigException("rule " + name + ": kind is required");
    nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes == null ? new TreeMap<>() : nodes));
    resources = Collections.unmodifiableSortedSet(new TreeSet<>(resources == null ? new TreeSet<>() : resources));
    if (resources.isEmpty()) throw new ConfigException("rule " + name + ": resources= is empty");
    if (kind == Kind.NODE_AFFINITY && nodes.isEmpty()) throw new ConfigException("rule " + name + ": nodes= is empty");
    if (kind != Kind.NODE_AFFINITY && !nodes.isEmpty()) {
      throw new ConfigException("rule " + name + ": nodes= belongs to node-affinity rules only");
    }
    if (kind != Kind.NODE_AFFINITY && resources.size() < 2) {
      throw new ConfigException("rule " + name + ": a resource-affinity rule needs at least two resources");
    }
  }

  /** A node-affinity rule. */
  public static Rule nodeAffinity(String name, SortedMap<String, Integer> nodes, SortedSet<String> resources,
      boolean strict, boolean failback) {
    return new Rule(name, Kind.NODE_AFFINITY, nodes, resources, strict, failback);
  }

  /** A resource-affinity rule (positive: together; negative: apart). */
  public static Rule resourceAffinity(String name, boolean positive, SortedSet<String> resources) {
    return new Rule(name, positive ? Kind.POSITIVE : Kind.NEGATIVE, new TreeMap<>(), resources, true, false);
  }

  /** The rule as one line of the scenario grammar (also what `rule list` prints). */
  public String describe() {
    StringBuilder b = new StringBuilder("rule ").append(name).append(' ').append(kind.label());
    if (kind == Kind.NODE_AFFINITY) {
      b.append(" nodes=");
      String sep = "";
      for (var e : nodes.entrySet()) {
        b.append(sep).append(e.getKey()).append(':').append(e.getValue());
        sep = ",";
      }
    }
    b.append(" resources=").append(String.join(",", resources));
    if (kind == Kind.NODE_AFFINITY) {
      b.append(" strict=").append(strict ? "yes" : "no").append(" failback=").append(failback ? "yes" : "no");
    }
    return b.toString();
  }
}
