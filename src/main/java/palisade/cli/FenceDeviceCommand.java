package palisade.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.FenceDeviceDef;
import palisade.core.StorePaths;
import palisade.runtime.daemon.ClusterDevices;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.daemon.DeviceProbe;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade fence device test DEV --config FILE`: asks one fence device for its power status now, from this host,
 * with the device as this host's daemon builds it: from the node's configuration's fence_devices, else from the
 * cluster's /config with this host's secret (the daemon's own construction and deadline). Prints ok with the power
 * state, or failed with the device's error (never a password); exit 1 on failure. `add|set|remove|list`: {@link
 * FenceDeviceConfigCommands}.
 */
@Command(name = "device", description = "Fence devices", subcommands = {FenceDeviceCommand.Test.class,
    FenceDeviceConfigCommands.Add.class, FenceDeviceConfigCommands.Set.class, FenceDeviceConfigCommands.Remove.class,
    FenceDeviceConfigCommands.ListDevices.class, FenceSecretCommand.class})
final class FenceDeviceCommand {
  private FenceDeviceCommand() {}

  @Command(name = "test", description = "Run status on one fence device now, from this host (exit 1 on failure)")
  static final class Test implements Callable<Integer> {
    @Option(names = "--config", description = "the node's YAML configuration (its fence_devices, its store and "
        + "data_dir; default: $PALISADE_CONFIG, else /etc/palisade/palisade.yaml)")
    Path config;

    @Parameters(index = "0", paramLabel = "DEV", description = "a device of the configuration's fence_devices or of "
        + "the cluster's (fence device list)")
    String device;

    @Override
    public Integer call() throws Exception {
      if (config == null) {
        String env = System.getenv("PALISADE_CONFIG");
        config = env != null && !env.isBlank() ? Path.of(env) : StoreOptions.DEFAULT_CONFIG;
      }
      DaemonConfig dc = DaemonConfig.load(config);
      DaemonConfig.FenceDeviceConf conf = dc.fenceDevices().get(device);
      if (conf == null) conf = fromCluster(dc);
      DeviceProbe.Result r = DeviceProbe.probe(conf);
      System.out.println(r.line(device));
      return r.ok() ? 0 : 1;
    }

    /** The device as /config defines it, with this host's secret; refused naming the devices both places know. */
    private DaemonConfig.FenceDeviceConf fromCluster(DaemonConfig dc) throws Exception {
      StoreOptions so = new StoreOptions();
      so.config = config;
      Admin reached;
      try {
        reached = so.admin();
      } catch (CliError e) {
        throw new CliError("DEV: no fence device '" + device + "' in " + config + " (devices: "
            + String.join(", ", dc.fenceDevices().keySet()) + "), and the cluster's configuration cannot be read: "
            + e.getMessage(), 2);
      }
      try (Admin admin = reached) {
        ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
        FenceDeviceDef def = cfg == null ? null : cfg.fence().devices().get(device);
        if (def == null) {
          java.util.TreeSet<String> known = new java.util.TreeSet<>(dc.fenceDevices().keySet());
          if (cfg != null) known.addAll(cfg.fence().devices().keySet());
          throw new CliError("DEV: no fence device '" + device + "' in " + config + " nor in the cluster's "
              + "configuration (devices: " + String.join(", ", known) + ")", 2);
        }
        return ClusterDevices.conf(device, def, ClusterDevices.secretsDir(dc));
      }
    }
  }
}
