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

  /** The history table, oldest first; entries carry no secrets (device names and results only). */
  static void print(List<FenceEntry> entries, String node, PrintStream out) {
    String fmt = "%-8s %7s %5s %-14s %-6s %-34s %-20s %-23s %-23s%n";
    out.printf(fmt, "TARGET", "ATTEMPT", "LEVEL", "DEVICE", "ACTION", "RESULT", "EXECUTOR", "START", "END");
    int shown = 0;
    for (FenceEntry e : entries) {
      if (node != null && !node.equals(e.target())) continue;
      out.printf(fmt, e.target(), e.attempt(), e.level() == 0 ? "-" : Integer.toString(e.level()),
          e.device() == null ? "-" : e.device(), e.action(), e.result(), e.executor(), time(e.startedMs()),
          time(e.endedMs()));
      shown++;
    }
    if (shown == 0) out.println("(no fence operations recorded)");
  }

  @Command(name = "confirm", description = "Confirm that NODE is powered off: its resources may be recovered")
  static final class Confirm implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0")
    String node;

    @Override
    public Integer call() throws Exception {
      // Who confirmed: the operator the store authenticated (the credential's name and role); Operations adds the
      // host (its real name, not the loopback's) and the time (UTC; the command's znode carries the store's too).
      return ResourceCommand.run(store, ops -> ops.fenceConfirm(node, ops.who()));
    }
  }
}
