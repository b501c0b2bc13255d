package palisade.core;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A placement group: preferred nodes with priorities (higher wins).
 *
 * @param restricted resources may run only on the group's nodes
 * @param failback move back to a higher-priority node when it is online again
 */
public record GroupConfig(String name, SortedMap<String, Integer> nodes, boolean restricted, boolean failback) {
  public GroupConfig {
    nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    if (nodes.isEmpty()) throw new ConfigException("group " + name + ": nodes= is empty");
  }
}
