package palisade.cli;

import java.util.concurrent.Callable;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `palisade fence node NODE`: fence it now, at the operator's word (Pacemaker's `stonith_admin --fence`). */
@Command(name = "node", description = {"Fence NODE now: its lease is fenced at once, so a node whose daemon still "
    + "runs kills its HA resources and rejoins empty (confirmed by its agent), one that does not is reset by its "
    + "watchdog (confirmed after lease_timeout of silence) and, with a fence device, powered off at once (no grace). "
    + "Its resources are then recovered elsewhere. Refused for the manager's own node, a node with a migration "
    + "under way, and a node with neither watchdog nor fence device. Asks for confirmation unless --yes."})
final class FenceNodeCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store = new StoreOptions();

  @Mixin
  WaitOptions wait = new WaitOptions();

  @Parameters(index = "0", paramLabel = "NODE", description = "the node to fence")
  String node;

  @Option(names = "--yes", description = "do not ask: fence it (needed where there is no terminal to ask on)")
  boolean yes;

  @Override
  public Integer call() throws Exception {
    wait.checkedTimeoutMs(); // a bad --timeout asks nothing and writes nothing
    if (!yes) confirm();
    long before;
    try (Admin admin = store.admin()) {
      ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
      NodeStatus st = ms == null ? null : ms.nodes().get(node);
      before = st == null ? 0 : st.generation();
    }
    return ResourceCommand.run(store, ops -> ops.fenceNode(node, ops.who()), wait.wait ? wait : null,
        fenced(node, before));
  }

  private void confirm() {
    java.io.Console console = System.console();
    if (console == null) {
      throw new CliError("fence node: no terminal to ask on; add --yes to fence " + node + " (nothing was written)");
    }
    String answer = console.readLine("Fence %s now? Its HA resources are killed or its power is cut. Type the node's "
        + "name to go on: ", node);
    if (answer == null || !answer.trim().equals(node)) {
      throw new CliError("fence node: not confirmed; nothing was written", 1);
    }
  }

  /** Done once a fence of node newer than generation {@code before} is confirmed. */
  static WaitGoal fenced(String node, long before) {
    return s -> {
      NodeStatus st = s.state() == null ? null : s.state().nodes().get(node);
      if (st == null) return new WaitGoal.Waiting(node + " has no state yet");
      if (st.generation() > before && st.confirmation() != null) {
        return new WaitGoal.Done(node + " is fenced (confirmed by " + st.confirmation().kind().name()
            .toLowerCase(java.util.Locale.ROOT) + ")" + (st.state() == NodeState.FENCED ? "" : "; it is "
            + st.state().name().toLowerCase(java.util.Locale.ROOT) + " again"));
      }
      return new WaitGoal.Waiting(node + " is " + st.state().name().toLowerCase(java.util.Locale.ROOT));
    };
  }
}
