package palisade.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `palisade fence confirm NODE`: the operator confirms the node is off (manual fence confirmation). */
@Command(name = "fence", description = "Fencing", subcommands = {FenceCommand.Confirm.class,
    FenceCommand.History.class})
final class FenceCommand {
  private FenceCommand() {}

  @Command(name = "history", description = "The fence history kept in the store (last 500 operations)")
  static final class History implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--node", description = "only operations on this target node")
    String node;

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
        print(h == null ? List.of() : h.entries(), node, System.out);
      }
      return 0;
    }
  }

  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
      .withZone(ZoneId.systemDefault());

  static String time(long ms) {
    return ms <= 0 ? "-" : TIME.format(Instant.ofEpochMilli(ms));
  }

  /**
   * The history table, oldest first: when, which node, how (watchdog, power or manual), what was done, by whom
   * (the proxy node, the manager, or the operator), the outcome; then the devices, level, how long the call took
   * and the order it belongs to (an order's attempt, or the fence generation of the manager's own lines). Columns
   * are as wide as their widest cell; entries carry no secrets (device names and results only).
   */
  static void print(List<FenceEntry> entries, String node, PrintStream out) {
    List<String[]> rows = new java.util.ArrayList<>();
    rows.add(new String[] {"TIME", "NODE", "KIND", "ACTION", "BY", "OUTCOME", "DEVICE", "LEVEL", "TOOK", "ORDER"});
    for (FenceEntry e : entries) {
      if (node != null && !node.equals(e.target())) continue;
      rows.add(new String[] {time(e.startedMs()), e.target(), e.kind(), e.action(), e.executor(), e.result(),
          e.device() == null ? "-" : e.device(), e.level() == 0 ? "-" : Integer.toString(e.level()),
          e.startedMs() <= 0 || e.endedMs() <= e.startedMs() ? "-" : palisade.core.Durations.format(
              e.endedMs() - e.startedMs()), (e.level() == 0 ? "generation " : "attempt ") + e.attempt()});
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

  @Command(name = "confirm", description = "Confirm that NODE is powered off: its resources may be recovered")
  static final class Confirm implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0")
    String node;

    @Override
    public Integer call() throws Exception {
      try (Admin admin = NodeCommand.checkedNode(store, node)) {
        // Who confirmed: the operator the store authenticated (the credential's name and role), from which host
        // (its real name, not the loopback's), when (UTC; the command's znode carries the store's time as well).
        String by = admin.credential().who() + " on " + Admin.hostName() + " at "
            + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        long seq = admin.command(s -> new palisade.core.Command.FenceConfirm(s, node, by));
        System.out.println(node + ": fence confirmation by " + by + " queued as command " + seq);
      }
      return 0;
    }
  }
}
