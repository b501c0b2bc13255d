package palisade.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import palisade.fencing.FenceDevice;
import palisade.fencing.FenceDevices;
import palisade.fencing.FenceException;
import palisade.fencing.PowerState;
import palisade.runtime.daemon.DaemonConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade fence device test DEV --config FILE`: asks one fence device for its power status now, from this host,
 * with the device as the node's configuration defines it (the daemon's own construction and deadline). Prints ok with
 * the power state, or failed with the device's error (never a password); exit 1 on failure.
 */
@Command(name = "device", description = "Fence devices", subcommands = {FenceDeviceCommand.Test.class})
final class FenceDeviceCommand {
  private FenceDeviceCommand() {}

  @Command(name = "test", description = "Run status on one fence device now, from this host (exit 1 on failure)")
  static final class Test implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "the node's YAML configuration (its fence_devices)")
    Path config;

    @Parameters(index = "0", paramLabel = "DEV", description = "a device of the configuration's fence_devices")
    String device;

    @Override
    public Integer call() {
      DaemonConfig dc = DaemonConfig.load(config);
      DaemonConfig.FenceDeviceConf conf = dc.fenceDevices().get(device);
      if (conf == null) {
        throw new CliError("DEV: no fence device '" + device + "' in " + config + " (devices: "
            + String.join(", ", dc.fenceDevices().keySet()) + ")", 2);
      }
      long started = System.nanoTime();
      try {
        FenceDevice d = FenceDevices.create(conf.spec());
        PowerState s = d.status(Duration.ofMillis(conf.timeoutMs()));
        System.out.printf("%s: ok (power %s, %d ms)%n", device, s.toString().toLowerCase(Locale.ROOT),
            (System.nanoTime() - started) / 1_000_000);
        return 0;
      } catch (FenceException e) {
        System.out.printf("%s: failed: %s%n", device, e.getMessage());
        return 1;
      }
    }
  }
}
