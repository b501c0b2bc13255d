package palisade.runtime.watchdog;

import java.io.IOException;
import java.time.Duration;

/**
 * A watchdog that resets the node unless fed in time. The agent arms it before its first
 * resource starts, feeds it only after a lease renewal was acknowledged in time, and disarms it
 * only after every resource is stopped and that is written to the store (DESIGN, "Leases").
 *
 * <p>Dropping a device without {@link #disarm()} (a crash) must leave it armed: that is the point.
 */
public interface WatchdogDevice {
  /** Starts the countdown; arming an armed device changes the timeout and feeds it. */
  void arm(Duration timeout) throws IOException;

  /** Restarts the countdown. */
  void feed() throws IOException;

  /** Stops the countdown cleanly (the "magic close"); a no-op when not armed. */
  void disarm() throws IOException;

  boolean armed();

  /**
   * The daemon exits for a restart: keep counting for timeout from now after this process is gone, and let the next
   * daemon arm again. False when the device cannot (it then fires W after the last feed, as for a crash).
   */
  default boolean hold(Duration timeout) throws IOException {
    return false;
  }

  /**
   * Whoever resets this node is alive and answering (a deadline applies); never feeds. The daemon calls it every
   * R, independently of lease renewals, so a dead or stopped supervisor is noticed even while the store is down.
   * A device the kernel runs has nothing to check.
   */
  default void check() throws IOException {}
}
