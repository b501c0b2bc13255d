package palisade.cli;

import java.util.concurrent.Callable;
import palisade.runtime.cluster.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `palisade fence confirm NODE`: the operator confirms the node is off (manual fence confirmation). */
@Command(name = "fence", description = "Fencing", subcommands = {FenceCommand.Confirm.class})
final class FenceCommand {
  private FenceCommand() {}

  @Command(name = "confirm", description = "Confirm that NODE is powered off: its resources may be recovered")
  static final class Confirm implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0")
    String node;

    @Override
    public Integer call() throws Exception {
      String by = System.getProperty("user.name") + "@" + java.net.InetAddress.getLoopbackAddress().getHostName();
      try (Admin admin = NodeCommand.checkedNode(store, node)) {
        long seq = admin.command(s -> new palisade.core.Command.FenceConfirm(s, node, by));
        System.out.println(node + ": fence confirmation by " + by + " queued as command " + seq);
      }
      return 0;
    }
  }
}
