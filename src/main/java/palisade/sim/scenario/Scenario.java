package palisade.sim.scenario;

import static palisade.sim.scenario.DeclarationValues.integer;
import static palisade.sim.scenario.DeclarationValues.keyValues;
import static palisade.sim.scenario.DeclarationValues.softFence;
import static palisade.sim.scenario.DeclarationValues.yesNo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.Check;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.GroupConfig;
import palisade.core.NodeConfig;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.io.TextFile;
import palisade.sim.SimOptions;

/**
 * A parsed scenario file: the cluster, the timeline of faults and operator actions, the expectations, and how long
 * to run. One directive a line, `#` comments; every error names FILE:LINE and what is wrong. Actions and
 * expectations are read once into {@link Action} and {@link Expectation} records; {@link #text(List)} prints the
 * scenario back as a file that replays it.
 */
public final class Scenario {
  /** Longest simulated run (`run TIME`; every time in a file lies within it): one day. */
  public static final long MAX_RUN_MS = 86_400_000L;
  /** Most nodes a scenario may declare (as many as `sim fuzz --nodes` allows). */
  public static final int MAX_NODES = 50;
  /**
   * Most work one scenario file may ask for, counted as node ticks × (1 + resources) (tick = renew_interval / 4;
   * every check after an event looks at every resource): about a minute of CPU. 3 nodes with one resource for a
   * day at the default timing are 2.07 million; 1,000 resources on 3 nodes for 10 minutes are 7.2 million. Generated
   * histories are bounded by `sim fuzz`'s own options instead.
   */
  public static final long MAX_WORK = 20_000_000L;

  /** `at TIME ACTION`, from line (0 when generated). */
  public record At(long timeMs, int line, Action action) {
    public At {
      Check.that(timeMs >= 0 && line >= 0 && action != null, "bad step at %d (line %d)", timeMs, line);
    }
  }

  /**
   * `expect at TIME WHAT` (interval false: checked once, after everything else of that millisecond) or `expect from
   * FROM to TO WHAT` (interval true: checked after every event from FROM to TO, both included). text is the line as
   * written.
   */
  public record Expect(long fromMs, long toMs, boolean interval, int line, String text, Expectation what) {
    public Expect {
      Check.that(0 <= fromMs && fromMs <= toMs && (interval || fromMs == toMs), "bad expectation window %d..%d",
          fromMs, toMs);
      Check.that(text.trim().startsWith("expect ") && what != null, "expectation text '%s'", text);
    }
  }

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
  /** Injected driver failures of the resource lines (fail_start, fail_migrate, fail_stop). */
  final FaultDeclaration faults = new FaultDeclaration();
  private final TreeSet<String> added = new TreeSet<>();
  /** Nodes a `node add` adds: later lines may name them. */
  private final TreeSet<String> addedNodes = new TreeSet<>();
  final TreeSet<String> fenceDevices = new TreeSet<>();
  /** The answer delay of devices declared with `delay=`. */
  final TreeMap<String, Long> deviceDelays = new TreeMap<>();
  /** Nodes declared `watchdog_device=none`: their machine has no working watchdog, whatever `watchdog=` says. */
  final TreeSet<String> noWatchdog = new TreeSet<>();
  /** Rules, crs options, and the nodes' and resources' cpu= and mem=. */
  final RuleDeclaration placement = new RuleDeclaration();
  final List<At> actions = new ArrayList<>();
  final List<Expect> expectations = new ArrayList<>();
  /** The declaration lines as written (nodes, node, fence-device, group, resource, option), for {@link #text(List)}. */
  private final List<String> declarations = new ArrayList<>();
  long runMs = -1;
  /** The line of `run` (0 when generated), and of each `option NAME=` line, for errors found at the end. */
  private int runLine;
  private final Map<String, Integer> optionLines = new TreeMap<>();
  /** The `seed N` line: the seed `sim run` uses when none is given; null if absent. */
  private Long seed;
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

  /** The seed the file asks for (`seed N`), or null. */
  public Long seed() {
    return seed;
  }

  public List<At> actions() {
    return List.copyOf(actions);
  }

  public List<Expect> expectations() {
    return List.copyOf(expectations);
  }

  /** The cluster as declared. */
  public ClusterConfig config() {
    return config;
  }

  /** The world's parameters (`option` lines). */
  public SimOptions options() {
    return options;
  }

  /** Reads and parses a scenario file; a file over 1 MiB, not UTF-8 or not a regular file is refused unread. */
  public static Scenario load(Path path) throws ScenarioException {
    List<String> lines;
    try {
      lines = TextFile.lines(path);
    } catch (TextFile.Unreadable e) {
      throw new ScenarioException(e.getMessage());
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
    s.boundWork();
    return s;
  }

  /**
   * A scenario assembled in code (fuzz): declaration lines as a file would have them, then actions and expectations
   * as records, checked the same way as parsed ones.
   */
  static Scenario assemble(String file, List<String> declarationLines, List<At> steps, List<Expect> expects,
      long runMs, Long seed) throws ScenarioException {
    Scenario s = new Scenario(file);
    int step = 0;
    try {
      for (String line : declarationLines) {
        List<String> w = Arrays.asList(line.trim().split("\\s+"));
        if (!DECLARATIONS.contains(w.get(0))) throw s.error("not a declaration: " + line);
        s.directive(line, w, 0);
      }
      for (At a : steps) {
        step++;
        s.validate(a.action());
        s.actions.add(a);
      }
      for (Expect e : expects) {
        step++;
        s.validate(e.what());
        s.expectations.add(e);
      }
    } catch (ConfigException e) {
      throw new ScenarioException(file + ": step " + step + ": " + e.getMessage());
    }
    s.runMs = runMs;
    s.seed = seed;
    s.finish();
    return s;
  }

  /**
   * The scenario as a file that replays it: `sim run FILE` (which takes the file's seed) runs the same history, event
   * for event. Comment lines come first.
   */
  public List<String> text(List<String> comments) {
    List<String> out = new ArrayList<>();
    for (String c : comments) out.add(c.isEmpty() ? "#" : "# " + c);
    if (seed != null) out.add("seed " + seed);
    out.addAll(declarations);
    for (At a : actions) out.add("at " + Durations.format(a.timeMs()) + " " + a.action().words());
    for (Expect e : expectations) out.add(e.text());
    out.add("run " + Durations.format(runMs));
    return out;
  }

  private static final List<String> DECLARATIONS = List.of("nodes", "node", "fence-device", "group", "resource",
      "option", "rule");

  private ConfigException error(String message) {
    return new ConfigException(message);
  }

  private void directive(String text, List<String> w, int line) {
    switch (w.get(0)) {
      case "nodes", "node", "fence-device", "group", "resource", "option", "rule" -> { // DECLARATIONS
        declaration(w, line);
        declarations.add(String.join(" ", w));
      }
      case "at" -> {
        if (w.size() < 3) throw error("at: expected at TIME ACTION");
        long t = Grammar.duration(w.get(1), "at");
        Action a = Grammar.action(w.subList(2, w.size()));
        validate(a);
        actions.add(new At(t, line, a));
      }
      case "expect" -> expect(text, w, line);
      case "seed" -> {
        if (w.size() != 2) throw error("seed: expected seed N");
        if (seed != null) throw error("seed: given twice");
        try {
          seed = Long.parseLong(w.get(1));
        } catch (NumberFormatException e) {
          throw error("seed: '" + w.get(1) + "' is not a whole number");
        }
      }
      case "run" -> {
        if (w.size() != 2) throw error("run: expected run TIME");
        if (runMs >= 0) throw error("run: given twice");
        runMs = Grammar.duration(w.get(1), "run");
        runLine = line;
      }
      default -> throw error("unknown directive '" + w.get(0) + "' (expected nodes, node, fence-device, group, "
          + "resource, rule, option, at, expect, seed, run)");
    }
  }

  private void expect(String text, List<String> w, int line) {
    if (w.size() >= 4 && w.get(1).equals("at")) {
      long t = Grammar.duration(w.get(2), "expect at");
      Expectation e = Grammar.instant(w.subList(3, w.size()));
      validate(e);
      expectations.add(new Expect(t, t, false, line, text, e));
    } else if (w.size() >= 7 && w.get(1).equals("from") && w.get(3).equals("to")) {
      long from = Grammar.duration(w.get(2), "expect from");
      long to = Grammar.duration(w.get(4), "expect from ... to");
      if (from > to) throw error("expect from: the interval ends (" + w.get(4) + ") before it starts (" + w.get(2)
          + ")");
      Expectation e = Grammar.interval(w.subList(5, w.size()));
      validate(e);
      expectations.add(new Expect(from, to, true, line, text, e));
    } else {
      throw error("expect: expected expect at TIME WHAT or expect from TIME to TIME WHAT");
    }
  }

  private void declaration(List<String> w, int line) {
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
            List.of("watchdog", "watchdog_device", "fence", "spm_priority", "manual_only", "shutdown_policy",
                "soft_fence", "kdump", "site", "cpu", "mem", "agent_only"));
        DeclarationValues.checkFenceExtras(attrs, n);
        placement.node(n, RuleDeclaration.capacity(attrs, "node " + n));
        if (attrs.containsKey("spm_priority")) {
          int spm = integer(attrs.get("spm_priority"), "node " + n + " spm_priority");
          if (spm < -1 || spm > 10) throw error("node " + n + " spm_priority=" + spm + " is out of range (-1 to 10)");
        }
        if (attrs.containsKey("watchdog_device")) {
          // A fact of the machine, not of the configuration: the simulator's silent no-watchdog fault.
          String dev = attrs.get("watchdog_device");
          if (!dev.equals("none") && !dev.equals("sim")) {
            throw error("node " + n + " watchdog_device: expected none or sim, got '" + dev + "'");
          }
          if (dev.equals("none")) noWatchdog.add(n);
          else noWatchdog.remove(n);
        }
        nodes.get(n).putAll(attrs);
      }
      case "fence-device" -> {
        long delay = NodeDeclarations.fenceDevice(w);
        if (!fenceDevices.add(w.get(1))) throw error("fence-device " + w.get(1) + " declared twice");
        if (delay >= 0) deviceDelays.put(w.get(1), delay);
      }
      case "group" -> {
        GroupConfig g = RuleDeclaration.group(w, nodes.keySet());
        groups.put(g.name(), g);
      }
      case "rule" -> placement.rule(w, line);
      case "resource" -> resource(w);
      case "option" -> {
        if (w.size() != 2 || !w.get(1).contains("=")) throw error("option: expected option NAME=VALUE");
        String[] kv = w.get(1).split("=", 2);
        if (RuleDeclaration.OPTIONS.contains(kv[0])) placement.option(kv[0], kv[1]);
        else options.set(kv[0], kv[1]);
        optionLines.put(kv[0], line);
      }
      default -> throw new IllegalStateException("not a declaration: " + w.get(0));
    }
  }

  private void declareNode(String n) {
    if (!n.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) throw error("node name '" + n + "' is not valid");
    if (nodes.containsKey(n)) throw error("node " + n + " declared twice");
    if (nodes.size() >= MAX_NODES) throw error("node " + n + ": more than " + MAX_NODES + " nodes (the limit)");
    nodes.put(n, new TreeMap<>());
  }

  private void resource(List<String> w) {
    if (w.size() < 2) throw error("resource: missing ID");
    String id = w.get(1);
    if (resources.containsKey(id)) throw error("resource " + id + " declared twice");
    Map<String, String> kv = keyValues(w.subList(2, w.size()), "resource " + id, List.of("node", "state", "group",
        "priority", "max_restart", "max_relocate", "fail_start", "fail_migrate", "fail_stop", "disks", "cpu", "mem"));
    placement.resource(id, RuleDeclaration.capacity(kv, "resource " + id));
    String node = kv.get("node");
    if (node == null) throw error("resource " + id + ": node= is required");
    requireNode(node, "resource " + id);
    RequestState state = RequestState.parse(kv.getOrDefault("state", "started"), "resource " + id);
    String group = kv.get("group");
    if (group != null && !groups.containsKey(group)) throw error("resource " + id + ": unknown group '" + group
        + "' (declare it with a group line first)");
    List<String> disks = kv.containsKey("disks") ? List.of(kv.get("disks").split(",")) : List.of();
    if (disks.contains(palisade.sim.SimStorage.METADATA)) throw error("resource " + id + ": disk name '"
        + palisade.sim.SimStorage.METADATA + "' is reserved for the SPM's storage metadata");
    faults.resource(id, kv, nodes.keySet());
    resources.put(id, ResourceConfig.sim(id, node, state, group,
        integer(kv.getOrDefault("priority", "0"), "resource " + id + " priority"),
        integer(kv.getOrDefault("max_restart", "" + ResourceConfig.DEFAULT_MAX_RESTART), "max_restart"),
        integer(kv.getOrDefault("max_relocate", "" + ResourceConfig.DEFAULT_MAX_RELOCATE), "max_relocate"),
        disks));
  }

  /** Names in an action refer to declared nodes, resources and devices. */
  private void validate(Action action) {
    action.accept(new References(knownNodes(), known(), fenceDevices));
    if (action instanceof Action.ServiceAdd add) added.add(add.id()); // later lines may name it
    if (action instanceof OperatorWords.Member m && m.add()) addedNodes.add(m.node());
  }

  /** Names in an expectation refer to declared nodes and resources. */
  private void validate(Expectation expectation) {
    expectation.accept(new References(knownNodes(), known(), fenceDevices));
  }

  /** Nodes declared, and those a `node add` before this line adds. */
  private java.util.Set<String> knownNodes() {
    TreeSet<String> k = new TreeSet<>(nodes.keySet());
    k.addAll(addedNodes);
    return k;
  }

  /** Resources declared, and those a `service ID add` before this line adds. */
  private java.util.Set<String> known() {
    if (added.isEmpty()) return resources.keySet();
    TreeSet<String> k = new TreeSet<>(resources.keySet());
    k.addAll(added);
    return k;
  }

  private void finish() throws ScenarioException {
    if (nodes.isEmpty()) throw new ScenarioException(file + ": no nodes declared");
    if (runMs < 0) throw new ScenarioException(file + ": no run line (add e.g. `run 60s`)");
    if (runMs > MAX_RUN_MS) {
      throw new ScenarioException(where(runLine) + ": run " + Durations.format(runMs) + " is longer than the limit of "
          + Durations.format(MAX_RUN_MS) + " (one day)");
    }
    for (At a : actions) {
      if (a.timeMs() > runMs) throw new ScenarioException(file + ":" + a.line() + ": after the run time");
    }
    for (Expect e : expectations) {
      if (e.toMs() > runMs) throw new ScenarioException(file + ":" + e.line() + ": after the run time");
    }
    try {
      options.timing();
      if (options.storePeers() > nodes.size()) {
        throw new ScenarioException(where(optionLines.getOrDefault("store_peers", 0)) + ": option store_peers="
            + options.storePeers() + " is more than the " + nodes.size() + " nodes declared");
      }
      TreeMap<String, NodeConfig> ncs = new TreeMap<>();
      for (var e : nodes.entrySet()) {
        ncs.put(e.getKey(), NodeDeclarations.nodeConfig(e.getKey(), e.getValue(), fenceDevices));
      }
      String unknown = placement.unknownName(nodes.keySet(), resources.keySet());
      if (unknown != null) throw new ScenarioException(file + ":" + unknown);
      config = new ClusterConfig(ncs, groups, resources, options.shutdownPolicy(), options.timing(),
          options.repairAfterMs(), options.fence(), placement.build());
    } catch (ConfigException e) {
      throw new ScenarioException(file + ": " + e.getMessage());
    }
  }

  /** A file's run is refused when it asks for more than {@link #MAX_WORK}, before anything runs. */
  private void boundWork() throws ScenarioException {
    long tickMs = options.timing().tickMs();
    // No overflow: at most 50 nodes, 86.4 million ticks and the resources of a 1 MiB file.
    long work = nodes.size() * (runMs / tickMs) * (1 + resources.size());
    if (work > MAX_WORK) {
      throw new ScenarioException(where(runLine) + ": run " + Durations.format(runMs) + " with " + nodes.size()
          + " nodes ticking every " + Durations.format(tickMs) + " and " + resources.size() + " resources is " + work
          + " units of work (node ticks x (1 + resources)), more than the limit of " + MAX_WORK + " (shorten the run, "
          + "lengthen renew_interval, or declare fewer nodes or resources)");
    }
  }

  /** FILE:LINE, or FILE alone for a generated step. */
  private String where(int line) {
    return line > 0 ? file + ":" + line : file;
  }

  private void requireNode(String n, String where) {
    if (!nodes.containsKey(n)) throw error(where + ": unknown node '" + n + "'");
  }
}
