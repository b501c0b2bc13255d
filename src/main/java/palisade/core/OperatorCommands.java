package palisade.core;

import java.util.TreeSet;

/**
 * The operator's commands of the store's queue, applied in order by the manager's round: each is applied or
 * refused with an event saying why, and counted as done either way.
 */
final class OperatorCommands {
  private OperatorCommands() {}

  static void apply(Versioned<Commands> cmds, Working w, NodeMachine nodes, ServiceMachine services, SpmMachine spm,
      EventLog log, long nowMs) {
    if (cmds == null) return;
    TreeSet<String> movedTo = new TreeSet<>(); // targets of operator moves of this round
    for (Command c : cmds.value().pending()) {
      if (c.seq() <= w.commandSeq()) continue;
      if (c instanceof Command.Maintenance m && m.on() && movedTo.contains(m.node())) {
        // Invariant 7: a move to this node, decided in this very round, goes out in the same write; entering
        // maintenance in it too would hand the node a resource placed while it is in maintenance. The command
        // (and every later one, to keep their order) waits for the next round, when the move is written.
        break;
      }
      String refused = Disarm.command(w, c);
      if (refused != null || Disarm.handles(c)) { // applied, or refused while the cluster is disarmed
      } else if (c instanceof Command.Migrate m) {
        refused = services.migrateCommand(m.resource(), m.node(), true);
        if (refused == null) movedTo.add(m.node());
      } else if (c instanceof Command.Relocate r) {
        refused = services.migrateCommand(r.resource(), r.node(), false);
        if (refused == null) movedTo.add(r.node());
      } else if (c instanceof Command.Maintenance m) {
        refused = nodes.maintenanceCommand(m.node(), m.on(), nowMs);
      } else if (c instanceof Command.Cleanup x) {
        refused = services.cleanupCommand(x.resource());
      } else if (c instanceof Command.FenceNode f) {
        refused = nodes.fenceCommand(f.node(), f.by());
      } else if (c instanceof Command.SpmMove m) {
        refused = spm.moveCommand(m.node(), m.by());
      } else {
        refused = nodes.manualConfirm((Command.FenceConfirm) c);
      }
      if (refused != null) log.event("manager", "command " + c.seq() + " refused: " + refused);
      w.commandApplied(c.seq());
    }
  }
}
