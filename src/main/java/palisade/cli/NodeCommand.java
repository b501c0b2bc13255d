package palisade.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * `palisade node maintenance NODE on|off`: an operator command for the manager; `node shutdown`: see {@link
 * NodeShutdownCommands}; `node add|remove|set`: {@link NodeConfigCommands}.
 */
@Command(name = "node", description = "Node operations", subcommands = {NodeCommand.Maintenance.class,
    NodeShutdownCommands.Shutdown.class, NodeConfigCommands.Set.class, NodeConfigCommands.Add.class,
    NodeConfigCommands.Remove.class, NodeList.class})
final class NodeCommand {
  private NodeCommand() {}

  @Command(name = "maintenance", description = "Move resources away and take none (on), or end it (off)")
  static final class Maintenance implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NODE", description = "the node")
    String node;

    @Parameters(index = "1", paramLabel = "on|off", description = "on or off")
    String onOff;

    @Mixin
    WaitOptions wait = new WaitOptions();

    @Override
    public Integer call() throws Exception {
      return ResourceCommand.run(store, ops -> ops.maintenance(node, onOff), wait,
          WaitGoal.maintenance(node, "on".equals(onOff)));
    }
  }
}
