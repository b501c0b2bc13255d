package palisade.runtime.watchdog;

import java.time.Duration;

/**
 * No watchdog at all: never armed, feeding does nothing. Only acceptable for nodes that are
 * power-fenced; configuration validation enforces that, not this class.
 */
public final class NoWatchdog implements WatchdogDevice {
  @Override
  public void arm(Duration timeout) {
    // deliberately nothing: power fencing is this node's proof of death
  }

  @Override
  public void feed() {
    // nothing to feed
  }

  @Override
  public void disarm() {
    // nothing to disarm
  }

  @Override
  public boolean armed() {
    return false;
  }
}
