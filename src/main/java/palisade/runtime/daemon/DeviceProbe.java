package palisade.runtime.daemon;

import java.time.Duration;
import java.util.Locale;
import palisade.fencing.FenceDevice;
import palisade.fencing.FenceDevices;
import palisade.fencing.FenceException;
import palisade.fencing.PowerState;

/**
 * One fence device asked for its power status now, built as this host's daemon builds it (its construction and
 * deadline): `palisade fence device test` and the API's device test. The answer carries the device's error, never a
 * password (the devices' messages leave secrets out).
 */
public final class DeviceProbe {
  private DeviceProbe() {}

  /** ok with the power state (on, off, unknown), or failed with the device's error; the call's duration. */
  public record Result(boolean ok, String power, long ms, String error) {
    /** `bmc1: ok (power on, 12 ms)` or `bmc1: failed: ...`. */
    public String line(String device) {
      return ok ? device + ": ok (power " + power + ", " + ms + " ms)" : device + ": failed: " + error;
    }
  }

  public static Result probe(DaemonConfig.FenceDeviceConf conf) {
    long started = System.nanoTime();
    try {
      FenceDevice d = FenceDevices.create(conf.spec());
      PowerState s = d.status(Duration.ofMillis(conf.timeoutMs()));
      return new Result(true, s.toString().toLowerCase(Locale.ROOT), (System.nanoTime() - started) / 1_000_000, null);
    } catch (FenceException e) {
      return new Result(false, null, (System.nanoTime() - started) / 1_000_000, e.getMessage());
    }
  }
}
