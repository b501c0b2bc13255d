package palisade.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import palisade.core.SpmRole;
import palisade.runtime.store.Admin;
import palisade.web.StorageInventory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `palisade spm status|move`: the storage pool manager role (DESIGN "Roles"): who holds it, and a clean hand-over. */
@Command(name = "spm", description = "The SPM role: the one node that writes storage metadata",
    subcommands = {SpmCommand.Status.class, SpmCommand.Move.class})
final class SpmCommand {
  private SpmCommand() {}

  @Command(name = "status", description = "Who holds the SPM role: node, token, since when, whether it is being "
      + "released or moved, and the nodes that may hold it")
  static final class Status extends Reads.StoreRead<StorageInventory.SpmItem> {
    @Override
    StorageInventory.SpmItem read(Admin admin) throws Exception {
      return StorageInventory.spm(Reads.snapshot(admin));
    }

    @Override
    void table(StorageInventory.SpmItem s, PrintStream out) {
      Table t = new Table("FIELD", "VALUE");
      t.row("holder", s.node() == null ? "none" : s.node() + (s.nodeState() == null ? "" : " (" + s.nodeState()
          + ")"));
      t.row("token", s.token()).row("since", s.sinceUtc());
      t.row("state", s.node() == null ? null : s.releasing() ? "releasing" + (s.moveTo() == null ? ""
          : ", moving to " + s.moveTo()) : s.moveTo() == null ? "acting" : "moving to " + s.moveTo());
      t.row("candidates", s.candidates().isEmpty() ? "none (no node has spm_priority 0..10)"
          : String.join(", ", s.candidates()));
      t.print(out);
    }
  }

  @Command(name = "move", description = "Move the SPM role to NODE: the holder stops acting as SPM and reports, "
      + "then NODE takes the role with a new token. The manager refuses a node that cannot hold it (spm_priority "
      + "-1, not online, in maintenance); --wait shows the refusal and exits 1")
  static final class Move implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NODE", description = "the node to give the role to")
    String node;

    @Mixin
    WaitOptions wait = new WaitOptions();

    @Override
    public Integer call() throws Exception {
      return ResourceCommand.run(store, ops -> ops.spmMove(node, ops.who()), wait.wait ? wait : null, movedTo(node));
    }
  }

  /** Done once NODE holds the role and acts on it; failed once the manager dropped the move with the role elsewhere. */
  static WaitGoal movedTo(String node) {
    return s -> {
      SpmRole r = s.state() == null ? null : s.state().spm();
      if (r == null) return new WaitGoal.Waiting("no node holds the SPM role");
      if (r.node().equals(node) && !r.releasing()) {
        return new WaitGoal.Done(node + " holds the SPM role (" + SpmRole.describe(r) + ")");
      }
      if (s.applied() && !r.node().equals(node) && !r.releasing() && r.moveTo() == null) {
        return new WaitGoal.Failed("the move was dropped; " + SpmRole.describe(r) + " holds the role");
      }
      return new WaitGoal.Waiting("the SPM role is " + SpmRole.describe(r) + (r.moveTo() == null ? ""
          : ", moving to " + r.moveTo()));
    };
  }
}
