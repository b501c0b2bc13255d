package palisade.runtime.daemon;

import java.io.IOException;
import java.time.Duration;
import palisade.core.Watchdog;
import palisade.runtime.watchdog.WatchdogDevice;

/**
 * The core's Watchdog on a runtime {@link WatchdogDevice}. Called on the event loop only. The core's notion of
 * "armed" is kept here, so that a node without a device (driver none, power-fenced) can still run resources.
 * A device that fails is a node that can no longer be reset: {@code onLost} must kill everything.
 */
final class WatchdogPlug implements Watchdog {
  private final WatchdogDevice device;
  /** The driver behind device ({@code linux}, {@code process}, {@code none}): what the node record claims. */
  private final String kind;
  private Duration timeout;
  private final java.util.function.Consumer<String> onLost;
  private boolean armed;

  WatchdogPlug(WatchdogDevice device, String kind, long timeoutMs, java.util.function.Consumer<String> onLost) {
    this.device = device;
    this.kind = kind;
    this.timeout = Duration.ofMillis(timeoutMs);
    this.onLost = onLost;
  }

  @Override
  public void arm() {
    try {
      device.arm(timeout);
      armed = true;
    } catch (IOException e) {
      onLost.accept("watchdog arm failed: " + e.getMessage());
    }
  }

  /**
   * A live timing change (DESIGN "Changing timings live"): count watchdogMs from now on. The agent calls this only just
   * before a feed it is allowed to do, so an armed device is re-armed at once (a feed with the new timeout). False,
   * and nothing changes, when the driver cannot count it: a Linux watchdog counts whole seconds, the process
   * supervisor at most {@link palisade.runtime.watchdog.WatchdogSupervisor#ARM_TIMEOUT_MAX_MS}.
   */
  @Override
  public boolean timeout(long watchdogMs) {
    if (watchdogMs <= 0 || (kind.equals("linux") && watchdogMs % 1_000 != 0) || (kind.equals("process")
        && watchdogMs > palisade.runtime.watchdog.WatchdogSupervisor.ARM_TIMEOUT_MAX_MS)) {
      return false;
    }
    timeout = Duration.ofMillis(watchdogMs);
    if (armed) arm();
    return true;
  }

  @Override
  public void feed() {
    try {
      device.feed();
    } catch (IOException e) {
      onLost.accept("watchdog feed failed: " + e.getMessage());
    }
  }

  @Override
  public void disarm() {
    try {
      device.disarm();
      armed = false;
    } catch (IOException e) {
      onLost.accept("watchdog disarm failed: " + e.getMessage());
    }
  }

  /**
   * Whether a restart hold can be asked for at all: only the process supervisor holds, and only if it answers now
   * (a supervisor that is itself stopping, and so blocks, means the node is going down, not the daemon alone).
   * Asked before the hold is written, so that a node that cannot hold does not make the manager wait L_H for nothing.
   */
  boolean holdable() {
    if (!kind.equals("process")) return false;
    try {
      device.check();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The restart hold: a failed call is no lost watchdog here (the daemon exits anyway), just no hold. */
  @Override
  public boolean hold(long holdMs) {
    try {
      return device.hold(Duration.ofMillis(holdMs));
    } catch (IOException e) {
      DaemonLog.DAEMON.warn("watchdog hold failed: " + e.getMessage() + "; it fires W after the last feed");
      return false;
    }
  }

  /** Every R from the loop, whatever the store does: the device (supervisor) must answer; never feeds. */
  void check() {
    try {
      device.check();
    } catch (IOException e) {
      onLost.accept("watchdog check failed: " + e.getMessage());
    }
  }

  @Override
  public boolean armed() {
    return armed;
  }

  @Override
  public String kind() {
    return kind;
  }
}
