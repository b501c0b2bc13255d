package palisade.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import palisade.web.Inventory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `palisade resource list` and `resource show ID`: the reads of `ha-manager status`/`pcs resource` users. */
final class ResourceReads {
  private ResourceReads() {}

  @Command(name = "list", description = "Every resource: requested and actual state, node, group, priority, "
      + "failures (sorted by id)")
  static final class ListCommand implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    OutputOption output = new OutputOption();

    @Override
    public Integer call() throws Exception {
      return Reads.print(store, output, admin -> Inventory.resources(Reads.snapshot(admin)),
          items -> Map.of("resources", items), ListCommand::print);
    }

    static void print(List<Inventory.ResourceItem> items, PrintStream out) {
      Table t = new Table("ID", "TYPE", "REQUEST", "STATE", "NODE", "GROUP", "PRIORITY", "RESTARTS", "RELOCATES",
          "TOKEN");
      for (Inventory.ResourceItem r : items) {
        t.row(r.id(), r.type(), r.request(), r.state() == null ? null : r.state() + (r.target() == null ? ""
            : "->" + r.target()), r.node(), r.group(), r.priority(), Reads.ofMax(r.failedStarts(), r.maxRestart()),
            Reads.ofMax(r.triedNodes().size(), r.maxRelocate()), r.token());
      }
      if (t.isEmpty()) {
        out.println("(no resources; add one with palisade resource add)");
      } else {
        t.print(out);
      }
    }
  }

  @Command(name = "show", description = "Everything about one resource: configuration, state, node, token, last "
      + "result, recent events")
  static final class Show implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "ID", description = "resource id, e.g. vm:101")
    String id;

    @Mixin
    OutputOption output = new OutputOption();

    @Override
    public Integer call() throws Exception {
      return Reads.print(store, output, admin -> {
        Inventory.Snapshot s = Reads.snapshot(admin);
        if (!Inventory.known(s, id)) throw new CliError("no resource '" + id + "' (see palisade resource list)", 1);
        return Inventory.resource(s, id, admin.events(null, Reads.EVENTS_SCANNED_MAX), Reads.EVENTS_SHOWN_MAX);
      }, d -> d, Show::print);
    }

    static void print(Inventory.ResourceDetail d, PrintStream out) {
      Table t = new Table("FIELD", "VALUE");
      t.row("id", d.id()).row("type", d.type()).row("request", d.request())
          .row("state", d.state() == null ? null : d.state() + (d.target() == null ? "" : " -> " + d.target()))
          .row("node", d.node()).row("token", d.token()).row("group", d.group()).row("priority", d.priority())
          .row("restarts", Reads.ofMax(d.failedStarts(), d.maxRestart()))
          .row("relocates", Reads.ofMax(d.triedNodes().size(), d.maxRelocate())
              + (d.triedNodes().isEmpty() ? "" : " (gave up on " + String.join(", ", d.triedNodes()) + ")"))
          .row("disks", d.disks().isEmpty() ? null : String.join(", ", d.disks()))
          .row("options", d.optionNames().isEmpty() ? null : String.join(", ", d.optionNames()) + " (values not shown)")
          .row("added on", d.initialNode())
          .row("last result", d.lastResult() == null ? null : d.lastResult().outcome() + " on "
              + d.lastResult().node() + " (token " + d.lastResult().token() + ")");
      if (d.maintenanceNode() != null) t.row("returns to", d.maintenanceNode() + " (after its maintenance)");
      if (d.migrationFailed()) t.row("migration", "failed once: automatic moves relocate it");
      t.print(out);
      out.println();
      if (d.recentEvents().isEmpty()) {
        out.println("(no recent events name " + d.id() + ")");
        return;
      }
      out.println("recent events:");
      for (Map<String, Object> e : d.recentEvents()) {
        out.println("  " + Reads.time(((Number) e.get("t")).longValue()) + " " + e.get("source") + ": "
            + e.get("message"));
      }
    }
  }
}
