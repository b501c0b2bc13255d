package palisade.cli;

import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `palisade config set KEY=VALUE`: the cluster-wide settings of the store's /config that may change at runtime. */
@Command(name = "config", description = "The cluster's settings in the store", subcommands = {ConfigCommand.Set.class, TimingCommand.class})
final class ConfigCommand {
  private ConfigCommand() {}

  @Command(name = "set", description = {"Set a cluster-wide setting: shutdown_policy=conditional|freeze|failover|"
      + "migrate (the default of every node without its own, see `node set NODE --shutdown-policy`). A bad key or "
      + "value exits 2 and writes nothing."})
  static final class Set implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "KEY=VALUE", description = "the setting, e.g. shutdown_policy=migrate")
    String setting;

    @Override
    public Integer call() throws Exception {
      int eq = setting.indexOf('=');
      if (eq <= 0) throw new CliError("config set: expected KEY=VALUE, got '" + setting + "'");
      String key = setting.substring(0, eq);
      String value = setting.substring(eq + 1);
      if (!key.equals("shutdown_policy")) {
        throw new CliError("config set: unknown key '" + key + "' (settable: shutdown_policy); nothing was written");
      }
      ShutdownPolicy p = NodeShutdownCommands.parsePolicy(value, "shutdown_policy", false);
      try (Admin admin = store.admin()) {
        if (admin.value(StorePaths.CONFIG, ClusterConfig.class) == null) {
          throw new CliError("no configuration in the store yet (is a node up?); nothing was written");
        }
        admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withShutdownPolicy(p));
        System.out.println("shutdown_policy=" + NodeShutdownCommands.label(p) + " (nodes with their own policy keep "
            + "it)");
      }
      return 0;
    }
  }
}
