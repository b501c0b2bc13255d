package palisade.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import palisade.runtime.store.Admin;
import palisade.web.StorageInventory;
import picocli.CommandLine.Command;

/** `palisade disk list`: each disk's lease (DESIGN "Disk leases"): holder, resource, token, since when. */
@Command(name = "disk", description = "Disk leases: which node and resource may write each disk",
    subcommands = {DiskCommand.ListCommand.class})
final class DiskCommand {
  private DiskCommand() {}

  @Command(name = "list", description = "Every disk a resource lists or a lease names: its holder node and "
      + "resource, token and since when; a holder whose node is silent keeps it until its fence is confirmed "
      + "(\"waiting for fence of node3\"); a free disk names the resources that list it and wait for it")
  static final class ListCommand extends Reads.StoreRead<List<StorageInventory.DiskItem>> {
    @Override
    List<StorageInventory.DiskItem> read(Admin admin) throws Exception {
      return StorageInventory.disks(Reads.snapshot(admin));
    }

    @Override
    Object json(List<StorageInventory.DiskItem> items) {
      return Map.of("disks", items);
    }

    @Override
    void table(List<StorageInventory.DiskItem> items, PrintStream out) {
      Table t = new Table("DISK", "STATE", "NODE", "RESOURCE", "TOKEN", "SINCE", "LISTED-BY", "NOTE");
      for (StorageInventory.DiskItem d : items) {
        t.row(d.disk(), d.state().replace('_', ' '), d.node(), d.resource(), d.token(), d.sinceUtc(),
            d.resources().isEmpty() ? null : String.join(",", d.resources()), d.note());
      }
      if (t.isEmpty()) {
        out.println("(no disks; a resource lists its disks with palisade resource add --disk PATH)");
      } else {
        t.print(out);
      }
    }
  }
}
