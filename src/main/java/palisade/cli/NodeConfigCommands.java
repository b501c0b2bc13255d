package palisade.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.NodeEdits;
import palisade.runtime.store.Operations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade node add|remove|set`: the cluster's members in /config, changed at runtime. The manager and every daemon
 * take the new /config from their next round; a new member's host then starts its daemon (or `cluster join`).
 */
final class NodeConfigCommands {
  private NodeConfigCommands() {}

  /** The node settings `add` and `set` share; null = not given. */
  static final class Settings {
    @Option(names = "--watchdog", paramLabel = "yes|no", description = "whether a watchdog protects the node "
        + "(no needs --fence-level); changed only while the node is stopped")
    String watchdog;

    @Option(names = "--fence-level", paramLabel = "DEV[,DEV]", description = "a fence level (all its devices must "
        + "confirm off), in order; repeat for more levels; 'none' for no levels")
    List<String> fenceLevels;

    @Option(names = "--spm-priority", paramLabel = "N", description = "-1 (never SPM, the default) or 0..10")
    Integer spmPriority;

    @Option(names = "--shutdown-policy", paramLabel = "POLICY",
        description = "conditional|freeze|failover|migrate, or default (follow the cluster's shutdown_policy)")
    String shutdownPolicy;

    @Option(names = "--site", paramLabel = "S", description = "the node's site (a fence proxy of the same site is "
        + "preferred); 'none' for no site")
    String site;

    @Option(names = "--agent-only", paramLabel = "yes|no", description = "yes: the node never holds the manager "
        + "lease and its daemon watches only its own node's part of the store (keep three candidates in a large "
        + "cluster; refused if none would be left); no: a manager candidate (the default)")
    String agentOnly;

    /** As the shared edit takes them: yes|no judged here, each level split at its commas. */
    NodeEdits.Settings settings() {
      Boolean wd = watchdog == null ? null : yesNo(watchdog, "--watchdog");
      List<List<String>> levels = null;
      if (fenceLevels != null) {
        levels = new ArrayList<>();
        if (!(fenceLevels.size() == 1 && fenceLevels.get(0).equals("none"))) {
          for (String level : fenceLevels) levels.add(List.of(level.split(",", -1)));
        }
      }
      return new NodeEdits.Settings(wd, levels, spmPriority, shutdownPolicy, site,
          agentOnly == null ? null : yesNo(agentOnly, "--agent-only"));
    }
  }

  /** yes|no of an argument, or a refusal naming it. */
  static boolean yesNo(String v, String arg) {
    try {
      return ConfigKeys.yesNo(v, arg);
    } catch (ConfigException e) {
      throw new CliError(e.getMessage() + "; nothing was written");
    }
  }

  static ClusterConfig config(Admin admin) throws Exception {
    ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null) throw new CliError("the cluster has no configuration yet (is a node up?); nothing was written", 1);
    return cfg;
  }

  @Command(name = "add", description = {"Add a member to the cluster's configuration: the manager times it from "
      + "its first lease renewal (it is never fenced before it joined); then start its daemon with its own YAML or "
      + "`palisade cluster join`. Without --watchdog no it is watchdog-protected; --fence-level names devices of "
      + "`palisade fence device list`. Bad input exits 2 and writes nothing."})
  static final class Add implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the new node's name (as its YAML's node:)")
    String node;

    @Mixin
    Settings settings = new Settings();

    @Override
    public Integer call() throws Exception {
      NodeEdits.Settings given = settings.settings(); // judged before any connection
      return ConfigEdit.run(store, admin -> new NodeEdits(admin, Operations.CLI_NAMES).add(node, given),
          line -> line + "; start its daemon now: the manager times it from its first renewal");
    }
  }

  @Command(name = "remove", description = {"Remove a member from the cluster's configuration and its records. "
      + "Refused (exit 2, nothing written) while the node is up, holds resources or the SPM role, or a group or "
      + "rule names it. Stop the node first (`node shutdown`); a removed node is never fenced."})
  static final class Remove implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the node to remove")
    String node;

    @Override
    public Integer call() throws Exception {
      return ConfigEdit.run(store, admin -> new NodeEdits(admin, Operations.CLI_NAMES).remove(node),
          line -> line + " (the manager forgets it from its next round; its daemon would now refuse to start)");
    }
  }

  @Command(name = "set", description = {"Change a node's settings in the cluster's configuration: fence levels, "
      + "SPM priority, shutdown policy, site and agent-only at any time (the manager applies them from its next "
      + "round; a manager made agent-only steps down and a candidate takes over after L); the "
      + "watchdog kind only while the node is stopped (its daemon runs with the watchdog it started with). Bad "
      + "input exits 2 and writes nothing."})
  static final class Set implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NODE", description = "the node to change")
    String node;

    @Mixin
    Settings settings = new Settings();

    @Override
    public Integer call() throws Exception {
      NodeEdits.Settings given = settings.settings();
      return ConfigEdit.run(store, admin -> new NodeEdits(admin, Operations.CLI_NAMES).set(node, given),
          line -> line + "; the manager applies it from its next round");
    }
  }
}
