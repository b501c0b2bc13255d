package palisade.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import palisade.core.ClusterConfig;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * `palisade config set KEY=VALUE...`, `config show` and `config timing`: the cluster-wide settings of the store's
 * /config that change at runtime (the table is {@link ConfigKeys}; timings go through {@link TimingCommand}).
 */
@Command(name = "config", description = "The cluster's settings in the store",
    subcommands = {ConfigCommand.Set.class, ConfigCommand.Show.class, TimingCommand.class})
final class ConfigCommand {
  private ConfigCommand() {}

  @Command(name = "set", description = {"Set cluster-wide settings, all or none: shutdown_policy (the default of "
      + "every node without its own, see `node set NODE --shutdown-policy`), repair_after, fence_grace, "
      + "fence_grace_spm, fence_grace_per_resource, fence_device_check, crs, crs_rebalance_on_start, "
      + "crs_auto_rebalance, crs_auto_rebalance_method, crs_auto_rebalance_threshold, crs_auto_rebalance_hold, "
      + "crs_auto_rebalance_margin, power_saving (on|off), power_saving_min_nodes, power_saving_low, "
      + "power_saving_high, power_saving_hold. Every daemon applies them without a restart. A bad key or value "
      + "exits 2 and writes nothing; timings change with `palisade config timing`."})
  static final class Set implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(arity = "1..*", paramLabel = "KEY=VALUE", description = "e.g. shutdown_policy=migrate "
        + "repair_after=10m")
    List<String> settings;

    @Override
    public Integer call() throws Exception {
      LinkedHashMap<String, String> wanted = ConfigKeys.parse(settings); // bad keys: before any connection
      try (Admin admin = store.admin()) {
        if (admin.value(StorePaths.CONFIG, ClusterConfig.class) == null) {
          throw new CliError("no configuration in the store yet (is a node up?); nothing was written");
        }
        ClusterConfig after = admin.update(StorePaths.CONFIG, ClusterConfig.class,
            c -> ConfigKeys.apply(c, wanted));
        Map<String, String> shown = ConfigKeys.show(after);
        String line = wanted.keySet().stream().map(k -> k + "=" + shown.get(k)).collect(Collectors.joining(" "));
        admin.audit("config set " + line);
        System.out.println(line + " (every daemon applies it from its next round"
            + (wanted.containsKey("shutdown_policy") ? "; nodes with their own shutdown policy keep it" : "") + ")");
      }
      return 0;
    }
  }

  @Command(name = "show", description = "The cluster-wide settings `config set` changes, as it takes them")
  static final class Show implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    OutputOption output = new OutputOption();

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
        if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
        Map<String, String> shown = ConfigKeys.show(cfg);
        if (output.json()) {
          OutputOption.print(shown, System.out);
        } else {
          shown.forEach((k, v) -> System.out.println(k + "=" + v));
        }
      }
      return 0;
    }
  }
}
