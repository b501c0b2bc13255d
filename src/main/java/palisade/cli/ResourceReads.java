package palisade.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import palisade.runtime.store.Admin;
import palisade.web.Inventory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `palisade resource list` and `resource show ID`: the reads of `ha-manager status`/`pcs resource` users. */
final class ResourceReads {
  private ResourceReads() {}

  @Command(name = "list", description = "Every resource: requested and actual state, node, group, priority, "
      + "failures (sorted by id)")
  static final class ListCommand extends Reads.StoreRead<List<Inventory.ResourceItem>> {
    @Override
    List<Inventory.ResourceItem> read(Admin admin) throws Exception {
      return Inventory.resources(Reads.snapshot(admin));
    }

    @Override
    Object json(List<Inventory.ResourceItem> items) {
      return Map.of("resources", items);
    }

    @Override
    void table(List<Inventory.ResourceItem> items, PrintStream out) {
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
  static final class Show extends Reads.StoreRead<Inventory.ResourceDetail> {
    @Parameters(index = "0", paramLabel = "ID", description = "resource id, e.g. vm:101")
    String id;

    @Override
    Inventory.ResourceDetail read(Admin admin) throws Exception {
      Inventory.Snapshot s = Reads.snapshot(admin);
      if (!Inventory.known(s, id)) throw new CliError("no resource '" + id + "' (see palisade resource list)", 1);
      return Inventory.resource(s, id, admin.events(null, Reads.EVENTS_SCANNED_MAX), Reads.EVENTS_SHOWN_MAX);
    }

    @Override
    void table(Inventory.ResourceDetail d, PrintStream out) {
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
