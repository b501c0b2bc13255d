package palisade.runtime.daemon;

import static palisade.runtime.daemon.ConfigYaml.address;
import static palisade.runtime.daemon.ConfigYaml.name;
import static palisade.runtime.daemon.ConfigYaml.onlyKeys;
import static palisade.runtime.daemon.ConfigYaml.port;
import static palisade.runtime.daemon.ConfigYaml.required;
import static palisade.runtime.daemon.ConfigYaml.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.core.ShutdownPolicy;
import palisade.runtime.daemon.DaemonConfig.Node;

/** The daemon configuration's {@code nodes} list: every member with its addresses, fence levels and roles. */
final class NodesSection {
  private NodesSection() {}

  private static final Set<String> NODE_KEYS = Set.of("name", "address", "client_port", "peer_port",
      "election_port", "fence_levels", "watchdog", "spm_priority", "libvirt_uri", "shutdown_policy", "soft_fence",
      "kdump", "kdump_port", "kdump_address", "site", "cpu", "mem", "agent_only");

  /**
   * The nodes in file order (their position is their ZooKeeper server id); SELF must be one of them (null: a
   * witness's file, whose own name is no node's).
   */
  static List<Node> parse(JsonNode root, String self) {
    JsonNode list = required(root, "nodes");
    if (!list.isArray() || list.isEmpty()) throw new ConfigException("nodes: must be a non-empty list");
    List<Node> nodes = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = "nodes[" + i + "]";
      JsonNode n = list.get(i);
      if (!n.isObject()) throw new ConfigException(where + ": must be a mapping");
      onlyKeys(n, where + ".", NODE_KEYS);
      String name = name(required(n, "name", where), where + ".name");
      if (!names.add(name)) throw new ConfigException(where + ".name: '" + name + "' appears twice");
      nodes.add(node(n, where, name));
    }
    if (self != null && !names.contains(self)) {
      throw new ConfigException("node: '" + self + "' is not in nodes " + names);
    }
    return nodes;
  }

  private static Node node(JsonNode n, String where, String name) {
    String address = address(text(required(n, "address", where), where + ".address"), where + ".address");
    List<List<String>> levels = fenceLevels(n.get("fence_levels"), where);
    boolean nodeWatchdog = true;
    if (n.has("watchdog")) {
      String w = text(n.get("watchdog"), where + ".watchdog").toLowerCase(Locale.ROOT);
      switch (w) {
        case "none", "false", "no" -> nodeWatchdog = false;
        case "yes", "true" -> nodeWatchdog = true;
        default -> throw new ConfigException(where + ".watchdog: '" + w + "' must be none or yes");
      }
      if (!nodeWatchdog && levels.isEmpty()) {
        throw new ConfigException(where + ".watchdog: 'none' is only allowed for a node with fence_levels");
      }
    }
    int spm = -1;
    if (n.has("spm_priority")) {
      JsonNode v = n.get("spm_priority");
      if (!v.isInt() || v.asInt() < -1 || v.asInt() > 10) {
        throw new ConfigException(where + ".spm_priority: '" + v.asText()
            + "' must be an integer from -1 (never) to 10");
      }
      spm = v.asInt();
    }
    String libvirtUri = n.has("libvirt_uri") ? text(n.get("libvirt_uri"), where + ".libvirt_uri") : null;
    ShutdownPolicy policy = n.has("shutdown_policy") ? ShutdownPolicy.parse(text(n.get("shutdown_policy"),
        where + ".shutdown_policy"), where) : null; // null: the cluster's
    return new Node(name, address, port(n, "client_port", 2181, where), port(n, "peer_port", 2888, where),
        port(n, "election_port", 3888, where), levels, nodeWatchdog, spm, libvirtUri, policy,
        SoftFenceSection.parse(n.get("soft_fence"), where, address, nodeWatchdog), SoftFenceSection.kdumpPort(n,
        where), SoftFenceSection.kdumpAddress(n, where), n.has("site") ? name(n.get("site"), where + ".site") : null,
        capacity(n, where), agentOnly(n, where));
  }

  /** {@code agent_only: yes|no} (default no): the node never holds the manager lease. */
  private static boolean agentOnly(JsonNode n, String where) {
    if (!n.has("agent_only")) return false;
    String v = text(n.get("agent_only"), where + ".agent_only").toLowerCase(Locale.ROOT);
    return switch (v) {
      case "yes", "true" -> true;
      case "no", "false" -> false;
      default -> throw new ConfigException(where + ".agent_only: '" + v + "' must be yes or no");
    };
  }

  /**
   * {@code cpu} (CPUs, fractions allowed) and {@code mem} (bytes, or 512M, 64G): the capacity placement weighs for
   * the node instead of what its agent measures (availableProcessors, MemTotal); either may be given alone.
   */
  private static palisade.core.Capacity capacity(JsonNode n, String where) {
    if (!n.has("cpu") && !n.has("mem")) return null;
    double cpu = n.has("cpu") ? palisade.core.Capacity.parseCpu(n.get("cpu").asText(), where + ".cpu") : 0;
    long mem = n.has("mem") ? palisade.core.Capacity.parseSize(n.get("mem").asText(), where + ".mem") : 0;
    return new palisade.core.Capacity(cpu, mem);
  }

  /** fence_levels: a list of levels, each a list of device names (checked against fence_devices later). */
  private static List<List<String>> fenceLevels(JsonNode fl, String where) {
    List<List<String>> levels = new ArrayList<>();
    if (fl == null) return levels;
    if (!fl.isArray()) throw new ConfigException(where + ".fence_levels: must be a list of lists of devices");
    for (JsonNode level : fl) {
      List<String> devices = new ArrayList<>();
      if (!level.isArray()) throw new ConfigException(where + ".fence_levels: must be a list of lists of devices");
      level.forEach(d -> devices.add(d.asText()));
      levels.add(devices);
    }
    return levels;
  }
}
