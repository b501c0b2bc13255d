package palisade.sim.scenario;

import static palisade.sim.scenario.DeclarationValues.integer;
import static palisade.sim.scenario.DeclarationValues.keyValues;
import static palisade.sim.scenario.DeclarationValues.yesNo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.core.NodeConfig;
import palisade.core.ShutdownPolicy;

/**
 * The values of a scenario's `node NAME ...` and `fence-device NAME ...` lines: a node's configuration from its
 * attributes, and a device's answer delay. Errors name the line's subject; the caller adds FILE:LINE.
 */
final class NodeDeclarations {
  private NodeDeclarations() {}

  /**
   * `fence-device NAME type=sim [delay=DURATION]`: the device's answer delay, or -1 when it answers after the
   * simulator's usual 100-500 ms.
   */
  static long fenceDevice(List<String> w) {
    if (w.size() < 2) throw new ConfigException("fence-device: missing NAME");
    String name = w.get(1);
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.:-]*")) {
      throw new ConfigException("fence-device name '" + name + "' is not valid");
    }
    Map<String, String> kv = keyValues(w.subList(2, w.size()), "fence-device " + name, List.of("type", "delay"));
    if (!"sim".equals(kv.get("type"))) throw new ConfigException("fence-device " + name + ": type must be sim");
    if (!kv.containsKey("delay")) return -1;
    long ms = Grammar.duration(kv.get("delay"), "fence-device " + name + " delay");
    if (ms > 600_000) throw new ConfigException("fence-device " + name + " delay: at most 10m");
    return ms;
  }

  /** A node's configuration from its `node` attributes; every device of its fence levels must be declared. */
  static NodeConfig nodeConfig(String name, Map<String, String> attrs, Set<String> fenceDevices) {
    boolean watchdog = yesNo(attrs.getOrDefault("watchdog", "yes"), "node " + name + " watchdog");
    List<List<String>> levels = new ArrayList<>();
    if (attrs.containsKey("fence")) {
      for (String level : attrs.get("fence").split(",")) {
        List<String> devs = List.of(level.split("\\+"));
        for (String d : devs) {
          if (!fenceDevices.contains(d)) throw new ConfigException("node " + name + ": unknown fence device '" + d
              + "'");
        }
        if (devs.size() != devs.stream().distinct().count()) {
          throw new ConfigException("node " + name + ": a device twice in one fence level '" + level + "'");
        }
        levels.add(devs);
      }
    }
    int spm = integer(attrs.getOrDefault("spm_priority", "-1"), "node " + name + " spm_priority");
    boolean manual = yesNo(attrs.getOrDefault("manual_only", "no"), "node " + name + " manual_only");
    String policy = attrs.get("shutdown_policy"); // null: the cluster's (option shutdown_policy)
    return new NodeConfig(name, watchdog, levels, spm, manual, policy == null ? null : ShutdownPolicy.parse(policy,
        "node " + name)).withSite(attrs.get("site")).withFenceExtras(DeclarationValues.softFence(attrs, name),
        yesNo(attrs.getOrDefault("kdump", "no"), "node " + name + " kdump"))
        .withAgentOnly(yesNo(attrs.getOrDefault("agent_only", "no"), "node " + name + " agent_only"));
  }
}
