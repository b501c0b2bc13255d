package palisade.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import palisade.runtime.store.Admin;
import palisade.web.Inventory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `palisade node list`: every node with its state, watchdog, SPM, manager candidacy, resources and fence levels. */
@Command(name = "list", description = "Every node: state, agent, watchdog, SPM, manager candidacy, resources running, "
    + "fence levels, last fence, measured load")
final class NodeList implements Callable<Integer> {
  @Mixin
  StoreOptions store = new StoreOptions();

  @Mixin
  OutputOption output = new OutputOption();

  @Override
  public Integer call() throws Exception {
    try (Admin admin = store.admin()) {
      palisade.core.ClusterConfig cfg = admin.value(palisade.core.StorePaths.CONFIG, palisade.core.ClusterConfig.class);
      if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
      NodeReads each = NodeReads.of(admin, cfg.nodes().keySet()); // records and usage: one batched read, not 2 a node
      Inventory.Snapshot s = Reads.snapshot(admin, cfg, admin.value(palisade.core.StorePaths.MANAGER_STATE,
          palisade.core.ManagerState.class), each.records());
      List<Inventory.NodeItem> items = Inventory.nodes(s, each.leaseAges(System.currentTimeMillis()),
          Reads.loads(cfg, each.usage()));
      if (output.json()) {
        OutputOption.print(Map.of("nodes", items), System.out);
      } else {
        print(items, System.out);
      }
    }
    return 0;
  }

  static void print(List<Inventory.NodeItem> items, PrintStream out) {
    Table t = new Table("NODE", "STATE", "AGENT", "WATCHDOG", "SPM", "MANAGER", "RESOURCES", "FENCE-LEVELS",
        "LAST-FENCE", "LOAD");
    for (Inventory.NodeItem n : items) { // MANAGER: whether the node may hold the manager lease (agent_only: never)
      t.row(n.name(), n.state(), n.agent(), watchdog(n), spm(n), n.agentOnly() ? "never" : "candidate",
          n.resourcesRunning(), levels(n.fenceLevels()),
          n.lastFence() == null ? null : n.lastFence().kind() + " " + n.lastFence().atUtc(), Reads.load(n.load()));
    }
    t.print(out);
  }

  /** The kind the agent drives, or "no" for a node the cluster does not count as watchdog-protected. */
  static String watchdog(Inventory.NodeItem n) {
    if (!n.watchdog()) return "no";
    return n.watchdogKind() == null ? "yes" : n.watchdogKind();
  }

  /** "holder (5)", "5", or "never" for -1. */
  static String spm(Inventory.NodeItem n) {
    String p = n.spmPriority() < 0 ? "never" : Integer.toString(n.spmPriority());
    return n.spm() ? "holder (" + p + ")" : p;
  }

  /** Levels in order, " then " between them, "+" within one (all devices of a level together). */
  static String levels(List<List<String>> levels) {
    if (levels.isEmpty()) return null;
    return levels.stream().map(l -> String.join("+", l)).collect(Collectors.joining(" then "));
  }
}
