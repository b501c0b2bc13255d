package palisade.cli;

import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import palisade.core.AutoRebalanceConfig;
import palisade.core.ClusterConfig;
import palisade.core.Rule;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade rule add|set|remove|list`: placement rules (Proxmox VE 9's HA rules), edited in /config by
 * compare-and-set. The configuration's own checks refuse a conflict, naming both rules, and then nothing is written.
 */
@Command(name = "rule", description = "Placement rules: node affinity, resource affinity (positive, negative)",
    subcommands = {RuleCommand.Add.class, RuleCommand.Set.class, RuleCommand.Remove.class, RuleCommand.List.class,
        RuleCommand.CrsMode.class})
final class RuleCommand {
  private RuleCommand() {}

  static ClusterConfig withRule(ClusterConfig cfg, String name, Rule r) {
    TreeMap<String, Rule> rs = new TreeMap<>(cfg.placement().rules());
    if (r == null) rs.remove(name);
    else rs.put(name, r);
    return cfg.withPlacement(cfg.placement().withRules(rs));
  }

  static TreeMap<String, Integer> nodes(String spec) {
    TreeMap<String, Integer> out = new TreeMap<>();
    for (String part : spec.split(",")) {
      String[] np = part.trim().split(":");
      if (np.length > 2 || np[0].isBlank()) throw new CliError("--nodes: '" + part + "' is not NODE[:PRIORITY]");
      try {
        out.put(np[0], np.length == 2 ? Integer.parseInt(np[1]) : 0);
      } catch (NumberFormatException e) {
        throw new CliError("--nodes: priority of '" + part + "' is not a number");
      }
    }
    return out;
  }

  static TreeSet<String> resources(String spec) {
    TreeSet<String> out = new TreeSet<>();
    for (String id : spec.split(",")) {
      if (id.isBlank()) throw new CliError("--resources: an empty id in '" + spec + "'");
      out.add(id.trim());
    }
    return out;
  }

  static boolean yesNo(String v, String option) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "yes", "true" -> true;
      case "no", "false" -> false;
      default -> throw new CliError(option + ": expected yes or no, got '" + v + "'");
    };
  }

  @Command(name = "add", description = "Add a rule: KIND is node-affinity (with --nodes), positive or negative")
  static final class Add implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", description = "the rule's name")
    String name;

    @Parameters(index = "1", description = "node-affinity, positive or negative")
    String kind;

    @Option(names = "--nodes", description = "node-affinity: NODE[:PRIORITY],... (higher priority wins)")
    String nodes;

    @Option(names = "--resources", required = true, description = "ID,...")
    String resources;

    @Option(names = "--strict", defaultValue = "no", description = "node-affinity: only these nodes (yes|no)")
    String strict;

    @Option(names = "--failback", defaultValue = "yes", description = "node-affinity: move back (yes|no)")
    String failback;

    @Override
    public Integer call() throws Exception {
      Rule r = switch (kind) {
        case "node-affinity" -> {
          if (nodes == null) throw new CliError("rule " + name + ": node-affinity needs --nodes");
          yield Rule.nodeAffinity(name, nodes(nodes), resources(resources), yesNo(strict, "--strict"),
              yesNo(failback, "--failback"));
        }
        case "positive", "negative" -> {
          if (nodes != null) throw new CliError("rule " + name + ": --nodes belongs to node-affinity rules only");
          yield Rule.resourceAffinity(name, kind.equals("positive"), resources(resources));
        }
        default -> throw new CliError("rule " + name + ": unknown kind '" + kind
            + "' (expected node-affinity, positive or negative)");
      };
      ResourceCommand.edit(store, cfg -> {
        if (cfg.placement().rules().containsKey(name)) throw new CliError("rule '" + name + "' exists already");
        return withRule(cfg, name, r);
      });
      System.out.println(r.describe() + ": added");
      return 0;
    }
  }

  @Command(name = "set", description = "Change a rule's nodes, resources, strictness or failback")
  static final class Set implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the rule to change")
    String name;

    @Option(names = "--nodes", description = "node-affinity: NODE[:PRIORITY],...")
    String nodes;

    @Option(names = "--resources", description = "ID,...")
    String resources;

    @Option(names = "--strict", description = "node-affinity: yes|no")
    String strict;

    @Option(names = "--failback", description = "node-affinity: yes|no")
    String failback;

    @Override
    public Integer call() throws Exception {
      Rule[] after = new Rule[1];
      ResourceCommand.edit(store, cfg -> {
        Rule r = cfg.placement().rules().get(name);
        if (r == null) throw new CliError("no rule '" + name + "'");
        boolean node = r.kind() == Rule.Kind.NODE_AFFINITY;
        if (!node && (nodes != null || strict != null || failback != null)) {
          throw new CliError("rule " + name + ": --nodes, --strict and --failback belong to node-affinity rules");
        }
        after[0] = new Rule(name, r.kind(), nodes == null ? r.nodes() : nodes(nodes),
            resources == null ? r.resources() : resources(resources),
            strict == null ? r.strict() : yesNo(strict, "--strict"),
            failback == null ? r.failback() : yesNo(failback, "--failback"));
        return withRule(cfg, name, after[0]);
      });
      System.out.println(after[0].describe() + ": set");
      return 0;
    }
  }

  @Command(name = "remove", description = "Remove a rule")
  static final class Remove implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the rule to remove")
    String name;

    @Override
    public Integer call() throws Exception {
      ResourceCommand.edit(store, cfg -> {
        if (!cfg.placement().rules().containsKey(name)) throw new CliError("no rule '" + name + "'");
        return withRule(cfg, name, null);
      });
      System.out.println("rule " + name + ": removed");
      return 0;
    }
  }

  @Command(name = "crs", description = "The load measure placement weighs: basic (resource count), static "
      + "(configured CPUs and memory against node capacity) or dynamic (usage the agents measure); and automatic "
      + "rebalancing (crs_auto_rebalance*). Options left out keep their value")
  static final class CrsMode implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODE",
        description = "basic, static or dynamic (left out: unchanged)")
    String mode;

    @Option(names = "--rebalance-on-start", paramLabel = "yes|no",
        description = "a starting resource first goes to the best node")
    String onStart;

    @Option(names = "--auto-rebalance", paramLabel = "yes|no",
        description = "crs_auto_rebalance: move a resource when the cluster stays unbalanced (yes|no)")
    String auto;

    @Option(names = "--method", paramLabel = "bruteforce|topsis",
        description = "crs_auto_rebalance_method: bruteforce or topsis")
    String method;

    @Option(names = "--threshold", paramLabel = "NUMBER", description = "crs_auto_rebalance_threshold: imbalance "
        + "(coefficient of variation of node loads) above which the cluster counts as unbalanced, e.g. 0.3")
    String threshold;

    @Option(names = "--hold", paramLabel = "DURATION",
        description = "crs_auto_rebalance_hold: how long the imbalance must last, e.g. 30s")
    String hold;

    @Option(names = "--margin", paramLabel = "NUMBER",
        description = "crs_auto_rebalance_margin: least relative improvement of a move, 0 to 1, e.g. 0.1")
    String margin;

    @Override
    public Integer call() throws Exception {
      palisade.core.Crs crs = mode == null ? null : palisade.core.Crs.parse(mode, "crs");
      ClusterConfig after = ResourceCommand.edit(store, cfg -> {
        palisade.core.PlacementConfig p = cfg.placement();
        p = p.withCrs(crs == null ? p.crs() : crs, onStart == null ? p.rebalanceOnStart()
            : yesNo(onStart, "--rebalance-on-start"));
        return cfg.withPlacement(p.withAutoRebalance(autoRebalance(p.autoRebalance())));
      });
      System.out.println(String.join(" ", options(after.placement())) + " (the active manager applies it from its "
          + "next round)");
      return 0;
    }

    /** The auto-rebalance settings with the given options applied; a bad value names its option. */
    AutoRebalanceConfig autoRebalance(AutoRebalanceConfig a) {
      String option = "--auto-rebalance";
      try {
        if (auto != null) a = a.withOn(yesNo(auto, option));
        option = "--method";
        if (method != null) a = a.withMethod(AutoRebalanceConfig.Method.parse(method, option));
        option = "--threshold";
        if (threshold != null) a = a.withThreshold(AutoRebalanceConfig.parseNumber(threshold, option));
        option = "--hold";
        if (hold != null) a = a.withHoldMs(palisade.core.Durations.parseMs(hold, option));
        option = "--margin";
        if (margin != null) a = a.withMargin(AutoRebalanceConfig.parseNumber(margin, option));
        return a;
      } catch (palisade.core.ConfigException e) {
        throw named(option, e);
      }
    }
  }

  /** The core's error (which names the store's key) as one naming the CLI option. */
  static CliError named(String option, palisade.core.ConfigException e) {
    String m = e.getMessage();
    return new CliError(m.startsWith(option) ? m : option + ": " + m);
  }

  /** The placement options in the scenario grammar's words ("crs=dynamic", ...). */
  static java.util.List<String> options(palisade.core.PlacementConfig p) {
    AutoRebalanceConfig a = p.autoRebalance();
    return java.util.List.of("crs=" + p.crs().label(), "crs_rebalance_on_start=" + (p.rebalanceOnStart() ? "yes"
        : "no"), "crs_auto_rebalance=" + (a.on() ? "yes" : "no"), "crs_auto_rebalance_method=" + a.method().label(),
        "crs_auto_rebalance_threshold=" + a.threshold(), "crs_auto_rebalance_hold="
        + palisade.core.Durations.format(a.holdMs()), "crs_auto_rebalance_margin=" + a.margin());
  }

  @Command(name = "list", description = "The rules, one a line, in the scenario grammar's words")
  static final class List implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
        if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
        for (Rule r : cfg.placement().rules().values()) System.out.println(r.describe());
        for (String o : options(cfg.placement())) System.out.println("option " + o);
      }
      return 0;
    }
  }
}
