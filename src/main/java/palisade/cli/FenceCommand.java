package palisade.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.StorePaths;
import palisade.runtime.daemon.Telemetry;
import palisade.runtime.store.Admin;
import palisade.web.Api;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `palisade fence confirm|node|history|repair-after|device`: fencing by the operator. */
@Command(name = "fence", description = "Fencing", subcommands = {FenceCommand.Confirm.class, FenceNodeCommand.class,
    FenceCommand.History.class, FenceCommand.RepairAfter.class, FenceDeviceCommand.class})
final class FenceCommand {
  private FenceCommand() {}

  @Command(name = "history", description = "The fence history kept in the store (last 500 operations)")
  static final class History implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--node", description = "only operations on this target node")
    String node;

    @Mixin
    OutputOption output = new OutputOption();

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
        if (output.json()) {
          OutputOption.print(json(h, node), System.out);
        } else {
          print(h == null ? List.of() : h.entries(), node, System.out);
        }
      }
      return 0;
    }

    /** The body of GET /api/fence-history ({"entries": [...]}, oldest first); with --node only that node's. */
    static Map<String, Object> json(FenceHistory h, String node) {
      FenceHistory only = h == null ? FenceHistory.empty() : node == null ? h
          : new FenceHistory(h.entries().stream().filter(e -> node.equals(e.target())).toList());
      return Api.fenceHistory(new Telemetry.Tick(true, true, ManagerState.empty(), only));
    }
  }

  static final DateTimeFormatter TIME = palisade.web.Inventory.UTC; // UTC, ISO-8601, as every CLI table

  static String time(long ms) {
    return ms <= 0 ? "-" : TIME.format(Instant.ofEpochMilli(ms));
  }

  /**
   * The history table, oldest first: when, which node, how (watchdog, power or manual), what was done, through which
   * devices at which level, how long the call took, the order it belongs to (an order's attempt, or the fence
   * generation of the manager's own lines), by whom (the proxy node, the manager's node, or the operator) and the
   * outcome, last because an error's text is long. Columns are as wide as their widest cell; entries carry no
   * secrets (device names and results only).
   */
  static void print(List<FenceEntry> entries, String node, PrintStream out) {
    List<String[]> rows = new java.util.ArrayList<>();
    rows.add(new String[] {"TIME", "NODE", "KIND", "ACTION", "DEVICE", "LEVEL", "TOOK", "ORDER", "BY", "OUTCOME"});
    for (FenceEntry e : entries) {
      if (node != null && !node.equals(e.target())) continue;
      rows.add(new String[] {time(e.startedMs()), e.target(), e.kind(), e.action(),
          e.device() == null ? "-" : e.device(), e.level() == 0 ? "-" : Integer.toString(e.level()),
          e.startedMs() <= 0 || e.endedMs() <= e.startedMs() ? "-" : palisade.core.Durations.format(
              e.endedMs() - e.startedMs()), (e.level() == 0 ? "generation " : "attempt ") + e.attempt(),
          e.executor(), e.result()});
    }
    if (rows.size() == 1) {
      out.println("(no fence operations recorded)");
      return;
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        line.append(r[i]);
        if (i < r.length - 1) line.append(" ".repeat(width[i] - r[i].length() + 2));
      }
      out.println(line.toString().stripTrailing());
    }
  }

  @Command(name = "repair-after", description = "Show or set repair_after: power-cycle a watchdog-fenced node with a "
      + "fence device that has not rejoined this long after its fence (DURATION, e.g. 10m, or off)")
  static final class RepairAfter implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "DURATION|off", description = "the new value; none: show it")
    String value;

    @Override
    public Integer call() throws Exception {
      if (value == null) {
        try (Admin admin = store.admin()) {
          palisade.core.ClusterConfig cfg = admin.value(StorePaths.CONFIG, palisade.core.ClusterConfig.class);
          if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
          System.out.println("repair_after: " + describe(cfg.repairAfterMs()));
        }
        return 0;
      }
      long ms = parse(value);
      ResourceCommand.edit(store, c -> new palisade.core.ClusterConfig(c.nodes(), c.groups(), c.resources(),
          c.shutdownPolicy(), c.timing(), ms, c.fence(), c.placement()));
      System.out.println("repair_after: " + describe(ms) + " (the active manager applies it from its next round)");
      return 0;
    }

    static String describe(long ms) {
      return ms == 0 ? "off" : palisade.core.Durations.format(ms);
    }

    /** `off`, or a duration from 1ms to 24h; anything else is refused naming the argument. */
    static long parse(String text) {
      if (text.equals("off")) return 0;
      long ms;
      try {
        ms = palisade.core.Durations.parseMs(text, "repair_after");
      } catch (palisade.core.ConfigException e) {
        throw new CliError(e.getMessage() + " (or off)");
      }
      if (ms <= 0 || ms > palisade.core.Timing.MAX_DURATION_MS) {
        throw new CliError("repair_after: '" + text + "' must be more than 0 and at most 24h (or off)");
      }
      return ms;
    }
  }

  @Command(name = "confirm", description = "Confirm that NODE is powered off: its resources may be recovered")
  static final class Confirm implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NODE", description = "the node that is off")
    String node;

    @Override
    public Integer call() throws Exception {
      // Who confirmed: the operator the store authenticated (the credential's name and role); Operations adds the
      // host (its real name, not the loopback's) and the time (UTC; the command's znode carries the store's too).
      return ResourceCommand.run(store, ops -> ops.fenceConfirm(node, ops.who()));
    }
  }
}
