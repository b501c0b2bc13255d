package palisade.sim.scenario;

import static palisade.sim.scenario.DeclarationValues.integer;
import static palisade.sim.scenario.DeclarationValues.keyValues;
import static palisade.sim.scenario.DeclarationValues.yesNo;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.AutoRebalanceConfig;
import palisade.core.Capacity;
import palisade.core.ConfigException;
import palisade.core.Crs;
import palisade.core.Durations;
import palisade.core.GroupConfig;
import palisade.core.PlacementConfig;
import palisade.core.PowerSavingConfig;
import palisade.core.Rule;

/**
 * A scenario's placement declarations: `rule` lines, the `crs` options, and the `cpu=`/`mem=` of nodes and resources.
 * Syntax here; whether the rules hold together is the core's check when the configuration is made (it names both
 * rules of a conflict).
 *
 * <pre>
 * rule NAME node-affinity nodes=NODE[:PRIO],... resources=ID,... [strict=yes|no] [failback=yes|no]
 * rule NAME resource-affinity positive|negative resources=ID,ID,...
 * option crs=basic|static|dynamic
 * option crs_rebalance_on_start=yes|no
 * option crs_auto_rebalance=yes|no
 * option crs_auto_rebalance_method=bruteforce|topsis
 * option crs_auto_rebalance_threshold=0.3 | crs_auto_rebalance_hold=DURATION | crs_auto_rebalance_margin=0.1
 * option power_saving=on|off
 * option power_saving_min_nodes=N
 * option power_saving_low=0.3 | power_saving_high=0.75 | power_saving_hold=DURATION
 * </pre>
 */
final class RuleDeclaration {
  /** The placement options this class reads (the other `option` lines are the world's). */
  static final Set<String> OPTIONS = Set.of("crs", "crs_rebalance_on_start", "crs_auto_rebalance",
      "crs_auto_rebalance_method", "crs_auto_rebalance_threshold", "crs_auto_rebalance_hold",
      "crs_auto_rebalance_margin", "power_saving", "power_saving_min_nodes", "power_saving_low", "power_saving_high",
      "power_saving_hold");

  private final TreeMap<String, Rule> rules = new TreeMap<>();
  /** rule name -> the line it was declared on (0 when generated), for errors found at the end. */
  private final TreeMap<String, Integer> lines = new TreeMap<>();
  private final TreeMap<String, Capacity> nodeCapacity = new TreeMap<>();
  private final TreeMap<String, Capacity> resourceDemand = new TreeMap<>();
  private Crs crs = Crs.BASIC;
  private boolean rebalanceOnStart;
  private AutoRebalanceConfig autoRebalance = AutoRebalanceConfig.OFF;
  private PowerSavingConfig powerSaving = PowerSavingConfig.OFF;

  /** `rule ...`: the words from `rule` on. */
  void rule(List<String> w, int line) {
    if (w.size() < 4) throw error("rule: expected rule NAME node-affinity nodes=... resources=... or rule NAME "
        + "resource-affinity positive|negative resources=...");
    String name = w.get(1);
    if (rules.containsKey(name)) throw error("rule " + name + " declared twice");
    String where = "rule " + name;
    Rule r;
    switch (w.get(2)) {
      case "node-affinity" -> {
        Map<String, String> kv = keyValues(w.subList(3, w.size()), where, List.of("nodes", "resources", "strict",
            "failback"));
        if (!kv.containsKey("nodes")) throw error(where + ": nodes= is required");
        TreeMap<String, Integer> prio = new TreeMap<>();
        for (String item : kv.get("nodes").split(",")) {
          String[] np = item.split(":", 2);
          if (prio.put(np[0], np.length == 2 ? integer(np[1], where + " priority of " + np[0]) : 0) != null) {
            throw error(where + ": node " + np[0] + " named twice");
          }
        }
        r = Rule.nodeAffinity(name, prio, ids(kv, where), yesNo(kv.getOrDefault("strict", "no"), where + " strict"),
            yesNo(kv.getOrDefault("failback", "yes"), where + " failback"));
      }
      case "resource-affinity" -> {
        String sign = w.get(3);
        if (!sign.equals("positive") && !sign.equals("negative")) {
          throw error(where + ": expected positive or negative, got '" + sign + "'");
        }
        Map<String, String> kv = keyValues(w.subList(4, w.size()), where, List.of("resources"));
        r = Rule.resourceAffinity(name, sign.equals("positive"), ids(kv, where));
      }
      default -> throw error(where + ": unknown kind '" + w.get(2) + "' (expected node-affinity or "
          + "resource-affinity)");
    }
    rules.put(name, r);
    lines.put(name, line);
  }

  private static TreeSet<String> ids(Map<String, String> kv, String where) {
    if (!kv.containsKey("resources")) throw error(where + ": resources= is required");
    TreeSet<String> ids = new TreeSet<>();
    for (String id : kv.get("resources").split(",")) {
      if (id.isEmpty() || !ids.add(id)) throw error(where + ": resources= names '" + id + "' twice or empty");
    }
    return ids;
  }

  /** `group NAME nodes=NODE[:PRIO],... [restricted=yes|no] [failback=yes|no]`: a node-affinity rule's elder. */
  static GroupConfig group(List<String> w, Set<String> nodes) {
    if (w.size() < 3) throw error("group: expected group NAME nodes=NODE:PRIO,...");
    String name = w.get(1);
    Map<String, String> kv = keyValues(w.subList(2, w.size()), "group " + name,
        List.of("nodes", "restricted", "failback"));
    if (!kv.containsKey("nodes")) throw error("group " + name + ": nodes= is required");
    TreeMap<String, Integer> prio = new TreeMap<>();
    for (String item : kv.get("nodes").split(",")) {
      String[] np = item.split(":", 2);
      if (!nodes.contains(np[0])) throw error("group " + name + ": unknown node '" + np[0] + "'");
      prio.put(np[0], np.length == 2 ? integer(np[1], "group " + name + " priority of " + np[0]) : 0);
    }
    return new GroupConfig(name, prio, yesNo(kv.getOrDefault("restricted", "no"), "restricted"),
        yesNo(kv.getOrDefault("failback", "yes"), "failback"));
  }

  /** `option crs=...`, `option crs_rebalance_on_start=...` and the `crs_auto_rebalance` options. */
  void option(String key, String value) {
    String where = "option " + key;
    AutoRebalanceConfig a = autoRebalance;
    switch (key) {
      case "crs" -> crs = Crs.parse(value, where);
      case "crs_rebalance_on_start" -> rebalanceOnStart = yesNo(value, where);
      case "crs_auto_rebalance" -> autoRebalance = a.withOn(yesNo(value, where));
      case "crs_auto_rebalance_method" -> autoRebalance = a.withMethod(AutoRebalanceConfig.Method.parse(value, where));
      case "crs_auto_rebalance_threshold" -> autoRebalance = a.withThreshold(AutoRebalanceConfig.parseNumber(value,
          where));
      case "crs_auto_rebalance_hold" -> autoRebalance = a.withHoldMs(Durations.parseMs(value, where));
      case "crs_auto_rebalance_margin" -> autoRebalance = a.withMargin(AutoRebalanceConfig.parseNumber(value, where));
      default -> {
        if (!PowerSavingConfig.KEYS.contains(key)) throw new IllegalStateException("not a placement option: " + key);
        try {
          powerSaving = powerSaving.with(key, value);
        } catch (ConfigException e) {
          throw error("option " + e.getMessage()); // the message names the key
        }
      }
    }
  }

  /** A node's or resource's `cpu=` and `mem=` (either may be absent: 0). */
  static Capacity capacity(Map<String, String> kv, String where) {
    if (!kv.containsKey("cpu") && !kv.containsKey("mem")) return null;
    double cpu = kv.containsKey("cpu") ? Capacity.parseCpu(kv.get("cpu"), where + " cpu") : 0;
    long mem = kv.containsKey("mem") ? Capacity.parseSize(kv.get("mem"), where + " mem") : 0;
    return new Capacity(cpu, mem);
  }

  void node(String name, Capacity c) {
    if (c != null) nodeCapacity.put(name, c);
  }

  void resource(String id, Capacity c) {
    if (c != null) resourceDemand.put(id, c);
  }

  /** A rule naming a resource or node the file does not declare: the rule's line and the name. */
  String unknownName(Set<String> nodes, Set<String> resources) {
    for (Rule r : rules.values()) {
      for (String n : r.nodes().keySet()) {
        if (!nodes.contains(n)) return at(r) + "rule " + r.name() + ": unknown node '" + n + "'";
      }
      for (String id : r.resources()) {
        if (!resources.contains(id)) return at(r) + "rule " + r.name() + ": unknown resource '" + id + "'";
      }
    }
    return null;
  }

  private String at(Rule r) {
    int line = lines.get(r.name());
    return line > 0 ? line + ": " : "";
  }

  PlacementConfig build() {
    return new PlacementConfig(rules, crs, rebalanceOnStart, nodeCapacity, resourceDemand, autoRebalance, powerSaving);
  }

  private static ConfigException error(String message) {
    return new ConfigException(message);
  }
}
