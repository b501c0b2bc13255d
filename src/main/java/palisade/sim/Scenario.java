package palisade.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.GroupConfig;
import palisade.core.NodeConfig;
import palisade.core.NodeState;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceState;

/**
 * A parsed scenario file: the cluster, the timeline of faults and operator actions, the expectations, and how long
 * to run. One directive a line, `#` comments; every error names FILE:LINE and what is wrong.
 */
public final class Scenario {
  /** A timed action or expectation, with the line it came from. */
  public record Step(long timeMs, int line, String text, List<String> words) {}

  /** Bad scenario input: exit code 2. */
  public static final class ScenarioException extends Exception {
    private static final long serialVersionUID = 1L;

    public ScenarioException(String message) {
      super(message);
    }
  }

  private final String file;
  final SimOptions options = new SimOptions();
  final LinkedHashMap<String, Map<String, String>> nodes = new LinkedHashMap<>();
  final TreeMap<String, GroupConfig> groups = new TreeMap<>();
  final TreeMap<String, ResourceConfig> resources = new TreeMap<>();
  final TreeMap<String, TreeSet<String>> failStarts = new TreeMap<>();
  final TreeSet<String> fenceDevices = new TreeSet<>();
  /** Resources whose driver cannot live-migrate (every migration fails). */
  final TreeSet<String> failMigrate = new TreeSet<>();
  final List<Step> actions = new ArrayList<>();
  final List<Step> expectations = new ArrayList<>();
  long runMs = -1;
  private ClusterConfig config;

  private Scenario(String file) {
    this.file = file;
  }

  public String file() {
    return file;
  }

  public long runMs() {
    return runMs;
  }

  ClusterConfig config() {
    return config;
  }

  public static Scenario load(Path path) throws ScenarioException {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ScenarioException(path + ": cannot read: " + e.getMessage());
    }
    return parse(path.toString(), lines);
  }

  public static Scenario parse(String file, List<String> lines) throws ScenarioException {
    Scenario s = new Scenario(file);
    for (int i = 0; i < lines.size(); i++) {
      String raw = lines.get(i);
      int hash = raw.indexOf('#');
      String text = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
      if (text.isEmpty()) continue;
      try {
        s.directive(text, Arrays.asList(text.split("\\s+")), i + 1);
      } catch (ConfigException e) {
        throw new ScenarioException(file + ":" + (i + 1) + ": " + e.getMessage());
      }
    }
    s.finish();
    return s;
  }

  private ConfigException error(String message) {
    return new ConfigException(message);
  }

  private void directive(String text, List<String> w, int line) {
    switch (w.get(0)) {
      case "nodes" -> {
        if (w.size() < 2) throw error("nodes: name at least one node");
        for (String n : w.subList(1, w.size())) declareNode(n);
      }
      case "node" -> {
        if (w.size() < 2) throw error("node: missing NAME");
        String n = w.get(1);
        if (!nodes.containsKey(n)) declareNode(n);
        Map<String, String> attrs = keyValues(w.subList(2, w.size()), "node " + n,
            List.of("watchdog", "fence", "spm_priority", "manual_only"));
        if (attrs.containsKey("spm_priority")) {
          int spm = integer(attrs.get("spm_priority"), "node " + n + " spm_priority");
          if (spm < -1 || spm > 10) throw error("node " + n + " spm_priority=" + spm + " is out of range (-1 to 10)");
        }
        nodes.get(n).putAll(attrs);
      }
      case "fence-device" -> {
        if (w.size() < 2) throw error("fence-device: missing NAME");
        Map<String, String> kv = keyValues(w.subList(2, w.size()), "fence-device " + w.get(1), List.of("type"));
        if (!"sim".equals(kv.get("type"))) throw error("fence-device " + w.get(1) + ": type must be sim");
        fenceDevices.add(w.get(1));
      }
      case "group" -> group(w);
      case "resource" -> resource(w);
      case "option" -> {
        if (w.size() != 2 || !w.get(1).contains("=")) throw error("option: expected option NAME=VALUE");
        String[] kv = w.get(1).split("=", 2);
        options.set(kv[0], kv[1]);
      }
      case "at" -> {
        if (w.size() < 3) throw error("at: expected at TIME ACTION");
        long t = Durations.parseMs(w.get(1), "at");
        List<String> rest = w.subList(2, w.size());
        validateAction(rest);
        actions.add(new Step(t, line, text, List.copyOf(rest)));
      }
      case "expect" -> {
        if (w.size() < 4 || !w.get(1).equals("at")) throw error("expect: expected expect at TIME WHAT");
        long t = Durations.parseMs(w.get(2), "expect at");
        List<String> rest = w.subList(3, w.size());
        validateExpectation(rest);
        expectations.add(new Step(t, line, text, List.copyOf(rest)));
      }
      case "run" -> {
        if (w.size() != 2) throw error("run: expected run TIME");
        if (runMs >= 0) throw error("run: given twice");
        runMs = Durations.parseMs(w.get(1), "run");
      }
      default -> throw error("unknown directive '" + w.get(0) + "' (expected nodes, node, fence-device, group, "
          + "resource, option, at, expect, run)");
    }
  }

  private void declareNode(String n) {
    if (!n.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) throw error("node name '" + n + "' is not valid");
    if (nodes.containsKey(n)) throw error("node " + n + " declared twice");
    nodes.put(n, new TreeMap<>());
  }

  private void group(List<String> w) {
    if (w.size() < 3) throw error("group: expected group NAME nodes=NODE:PRIO,...");
    String name = w.get(1);
    Map<String, String> kv = keyValues(w.subList(2, w.size()), "group " + name,
        List.of("nodes", "restricted", "failback"));
    if (!kv.containsKey("nodes")) throw error("group " + name + ": nodes= is required");
    TreeMap<String, Integer> prio = new TreeMap<>();
    for (String item : kv.get("nodes").split(",")) {
      String[] np = item.split(":", 2);
      requireNode(np[0], "group " + name);
      prio.put(np[0], np.length == 2 ? integer(np[1], "group " + name + " priority of " + np[0]) : 0);
    }
    groups.put(name, new GroupConfig(name, prio, yesNo(kv.getOrDefault("restricted", "no"), "restricted"),
        yesNo(kv.getOrDefault("failback", "yes"), "failback")));
  }

  private void resource(List<String> w) {
    if (w.size() < 2) throw error("resource: missing ID");
    String id = w.get(1);
    if (resources.containsKey(id)) throw error("resource " + id + " declared twice");
    Map<String, String> kv = keyValues(w.subList(2, w.size()), "resource " + id, List.of("node", "state", "group",
        "priority", "max_restart", "max_relocate", "fail_start", "fail_migrate", "disks"));
    String node = kv.get("node");
    if (node == null) throw error("resource " + id + ": node= is required");
    requireNode(node, "resource " + id);
    RequestState state = RequestState.parse(kv.getOrDefault("state", "started"), "resource " + id);
    String group = kv.get("group");
    if (group != null && !groups.containsKey(group)) throw error("resource " + id + ": unknown group '" + group
        + "' (declare it with a group line first)");
    List<String> disks = kv.containsKey("disks") ? List.of(kv.get("disks").split(",")) : List.of();
    if (kv.containsKey("fail_start")) {
      TreeSet<String> fs = new TreeSet<>();
      for (String n : kv.get("fail_start").split(",")) {
        requireNode(n, "resource " + id + " fail_start");
        fs.add(n);
      }
      failStarts.put(id, fs);
    }
    if (yesNo(kv.getOrDefault("fail_migrate", "no"), "resource " + id + " fail_migrate")) failMigrate.add(id);
    resources.put(id, ResourceConfig.sim(id, node, state, group,
        integer(kv.getOrDefault("priority", "0"), "resource " + id + " priority"),
        integer(kv.getOrDefault("max_restart", "" + ResourceConfig.DEFAULT_MAX_RESTART), "max_restart"),
        integer(kv.getOrDefault("max_relocate", "" + ResourceConfig.DEFAULT_MAX_RELOCATE), "max_relocate"),
        disks));
  }

  private void validateAction(List<String> a) {
    String what = a.get(0);
    switch (what) {
      case "power", "network" -> {
        arity(a, 3, what + " NODE on|off");
        nodeRef(a.get(1), what);
        onOff(a.get(2), what);
      }
      case "partition" -> {
        String sides = String.join(" ", a.subList(1, a.size()));
        if (sides.isBlank()) throw error("partition: name the sides, e.g. partition node1,node2 | node3");
        for (String side : sides.split("\\|")) {
          for (String n : side.trim().split("[,\\s]+")) requireNode(n, "partition");
        }
      }
      case "heal" -> arity(a, 1, "heal");
      case "pause" -> {
        arity(a, 3, "pause NODE DURATION");
        nodeRef(a.get(1), "pause");
        Durations.parseMs(a.get(2), "pause");
      }
      case "reboot", "shutdown" -> {
        arity(a, 2, what + " NODE");
        nodeRef(a.get(1), what);
      }
      case "service" -> {
        if (a.size() < 3) throw error("service: expected service ID migrate|relocate NODE | stop|start|disable|enable");
        if (!resources.containsKey(a.get(1))) throw error("service: unknown resource '" + a.get(1) + "'");
        switch (a.get(2)) {
          case "migrate", "relocate" -> {
            arity(a, 4, "service ID " + a.get(2) + " NODE");
            nodeRef(a.get(3), "service " + a.get(2));
          }
          case "stop", "start", "disable", "enable" -> arity(a, 3, "service ID " + a.get(2));
          default -> throw error("service: unknown command '" + a.get(2)
              + "' (expected migrate, relocate, stop, start, disable, enable)");
        }
      }
      case "maintenance" -> {
        arity(a, 3, "maintenance NODE on|off");
        nodeRef(a.get(1), "maintenance");
        onOff(a.get(2), "maintenance");
      }
      case "fence" -> {
        arity(a, 3, "fence confirm NODE");
        if (!a.get(1).equals("confirm")) throw error("fence: expected fence confirm NODE");
        nodeRef(a.get(2), "fence confirm");
      }
      case "fence-device" -> {
        arity(a, 3, "fence-device DEV fail|ok");
        if (!fenceDevices.contains(a.get(1))) throw error("fence-device: unknown device '" + a.get(1) + "'");
        if (!a.get(2).equals("fail") && !a.get(2).equals("ok")) throw error("fence-device: expected fail or ok");
      }
      case "drop-acks" -> {
        arity(a, 3, "drop-acks NODE on|off");
        nodeRef(a.get(1), "drop-acks");
        onOff(a.get(2), "drop-acks");
      }
      case "slow-acks" -> {
        arity(a, 3, "slow-acks NODE DURATION");
        nodeRef(a.get(1), "slow-acks");
        Durations.parseMs(a.get(2), "slow-acks");
      }
      default -> throw error("unknown action '" + what + "' (expected power, network, partition, heal, pause, "
          + "reboot, shutdown, service, maintenance, fence confirm, fence-device, drop-acks, slow-acks)");
    }
  }

  private void validateExpectation(List<String> e) {
    if (e.get(0).equals("node")) {
      if (e.size() == 4 && e.get(2).equals("powered")) {
        nodeRef(e.get(1), "expect node");
        onOff(e.get(3), "expect node powered");
        return;
      }
      arity(e, 3, "node NODE STATE");
      nodeRef(e.get(1), "expect node");
      if (NodeState.parse(e.get(2)) == null) throw error("expect node: unknown state '" + e.get(2)
          + "' (online, unknown, fencing, fenced, offline, maintenance)");
    } else if (e.get(0).equals("manager")) {
      arity(e, 3, "manager on NODE[|NODE...]");
      if (!e.get(1).equals("on")) throw error("expect manager: expected manager on NODE");
      for (String n : e.get(2).split("\\|")) nodeRef(n, "expect manager");
    } else if (e.get(0).equals("spm")) {
      if (e.size() == 2 && e.get(1).equals("none")) return;
      arity(e, 3, "spm on NODE[|NODE...] or spm none");
      if (!e.get(1).equals("on")) throw error("expect spm: expected spm on NODE[|NODE...] or spm none");
      for (String n : e.get(2).split("\\|")) nodeRef(n, "expect spm");
    } else if (e.get(0).equals("fenced")) {
      arity(e, 4, "fenced NODE by watchdog|power|manual");
      nodeRef(e.get(1), "expect fenced");
      if (!e.get(2).equals("by") || !List.of("watchdog", "power", "manual").contains(e.get(3))) {
        throw error("expect fenced: expected fenced NODE by watchdog|power|manual");
      }
    } else {
      String id = e.get(0);
      if (!resources.containsKey(id)) throw error("expect: unknown resource '" + id + "'");
      if (e.size() >= 2 && e.get(1).equals("running")) {
        arity(e, 4, "ID running on NODE[|NODE...]");
        if (!e.get(2).equals("on")) throw error("expect: expected ID running on NODE");
        for (String n : e.get(3).split("\\|")) nodeRef(n, "expect running");
      } else if (e.size() >= 2 && e.get(1).equals("not")) {
        arity(e, 3, "ID not running");
        if (!e.get(2).equals("running")) throw error("expect: expected ID not running");
      } else if (e.size() >= 2 && e.get(1).equals("state")) {
        arity(e, 3, "ID state STATE");
        if (ServiceState.parse(e.get(2)) == null) throw error("expect: unknown resource state '" + e.get(2) + "'");
      } else {
        throw error("expect: expected ID running on NODE, ID not running or ID state STATE");
      }
    }
  }

  private void finish() throws ScenarioException {
    if (nodes.isEmpty()) throw new ScenarioException(file + ": no nodes declared");
    if (runMs < 0) throw new ScenarioException(file + ": no run line (add e.g. `run 60s`)");
    for (Step s : actions) {
      if (s.timeMs() > runMs) throw new ScenarioException(file + ":" + s.line() + ": after the run time");
    }
    for (Step s : expectations) {
      if (s.timeMs() > runMs) throw new ScenarioException(file + ":" + s.line() + ": after the run time");
    }
    try {
      options.timing();
      TreeMap<String, NodeConfig> ncs = new TreeMap<>();
      for (var e : nodes.entrySet()) ncs.put(e.getKey(), nodeConfig(e.getKey(), e.getValue()));
      config = new ClusterConfig(ncs, groups, resources, options.shutdownPolicy);
    } catch (ConfigException e) {
      throw new ScenarioException(file + ": " + e.getMessage());
    }
  }

  private NodeConfig nodeConfig(String name, Map<String, String> attrs) {
    boolean watchdog = yesNo(attrs.getOrDefault("watchdog", "yes"), "node " + name + " watchdog");
    List<List<String>> levels = new ArrayList<>();
    if (attrs.containsKey("fence")) {
      for (String level : attrs.get("fence").split(",")) {
        List<String> devs = List.of(level.split("\\+"));
        for (String d : devs) {
          if (!fenceDevices.contains(d)) throw error("node " + name + ": unknown fence device '" + d + "'");
        }
        levels.add(devs);
      }
    }
    int spm = integer(attrs.getOrDefault("spm_priority", "-1"), "node " + name + " spm_priority");
    boolean manual = yesNo(attrs.getOrDefault("manual_only", "no"), "node " + name + " manual_only");
    return new NodeConfig(name, watchdog, levels, spm, manual);
  }

  // ---- small parsers ---------------------------------------------------------------------------------------------

  private Map<String, String> keyValues(List<String> words, String where, List<String> allowed) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String word : words) {
      int eq = word.indexOf('=');
      if (eq <= 0) throw error(where + ": expected KEY=VALUE, got '" + word + "'");
      String k = word.substring(0, eq);
      if (!allowed.contains(k)) throw error(where + ": unknown key '" + k + "' (allowed: "
          + String.join(", ", allowed) + ")");
      if (kv.put(k, word.substring(eq + 1)) != null) throw error(where + ": " + k + " given twice");
    }
    return kv;
  }

  private void requireNode(String n, String where) {
    if (!nodes.containsKey(n)) throw error(where + ": unknown node '" + n + "'");
  }

  private void nodeRef(String n, String where) {
    if (!n.equals("@manager")) requireNode(n, where);
  }

  private void arity(List<String> words, int n, String usage) {
    if (words.size() != n) throw error("expected " + usage + ", got '" + String.join(" ", words) + "'");
  }

  private void onOff(String v, String where) {
    if (!v.equals("on") && !v.equals("off")) throw error(where + ": expected on or off, got '" + v + "'");
  }

  private boolean yesNo(String v, String where) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "yes", "true", "1" -> true;
      case "no", "false", "0" -> false;
      default -> throw error(where + ": expected yes or no, got '" + v + "'");
    };
  }

  private int integer(String v, String where) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw error(where + ": '" + v + "' is not a whole number");
    }
  }
}
