package palisade.core;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The manager's order to check every fence device (DESIGN "Fence devices known to work"): the proxy asks each device
 * for the status of one node it switches and writes a `check` line per device to the fence history.
 *
 * @param token a fresh token: the check lines carry it as their attempt
 * @param devices device -> the node whose power it is asked about (the first node, by name, that names it)
 */
public record DeviceCheckOrder(long token, String proxy, SortedMap<String, String> devices) {
  public DeviceCheckOrder {
    devices = Collections.unmodifiableSortedMap(new TreeMap<>(devices));
    Check.that(token > 0 && proxy != null && !devices.isEmpty(), "device check order %s via %s of %s", token, proxy,
        devices);
  }

  /** Every device the configuration names, each with the first node (by name) whose levels name it. */
  static SortedMap<String, String> devicesOf(ClusterConfig config) {
    TreeMap<String, String> devices = new TreeMap<>();
    for (NodeConfig n : config.nodes().values()) {
      for (java.util.List<String> level : n.fenceLevels()) {
        for (String d : level) devices.putIfAbsent(d, n.name());
      }
    }
    return devices;
  }
}
