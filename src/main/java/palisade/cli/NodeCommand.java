package palisade.cli;

import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * `palisade node maintenance NODE on|off`: an operator command for the manager; `node shutdown` and `node set`:
 * see {@link NodeShutdownCommands}.
 */
@Command(name = "node", description = "Node operations", subcommands = {NodeCommand.Maintenance.class,
    NodeShutdownCommands.Shutdown.class, NodeShutdownCommands.Set.class})
final class NodeCommand {
  private NodeCommand() {}

  /** The node must exist in /config; returns a connected Admin for the caller to close. */
  static Admin checkedNode(StoreOptions store, String node) throws Exception {
    Admin admin = store.admin();
    ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null || !cfg.nodes().containsKey(node)) {
      admin.close();
      throw new CliError("no node '" + node + "'");
    }
    return admin;
  }

  @Command(name = "maintenance", description = "Move resources away and take none (on), or end it (off)")
  static final class Maintenance implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0")
    String node;

    @Parameters(index = "1", description = "on or off")
    String onOff;

    @Override
    public Integer call() throws Exception {
      if (!onOff.equals("on") && !onOff.equals("off")) throw new CliError("maintenance: say on or off");
      try (Admin admin = checkedNode(store, node)) {
        long seq = admin.command(s -> new palisade.core.Command.Maintenance(s, node, onOff.equals("on")));
        System.out.println(node + ": maintenance " + onOff + " queued as command " + seq);
      }
      return 0;
    }
  }
}
