package palisade.runtime.watchdog;

import java.util.concurrent.TimeUnit;

/**
 * The supervisor's countdown and the socket commands that drive it: {@code ARM <ms>}, {@code FEED}, {@code DISARM}
 * (the magic close), {@code HOLD <ms>} and {@code STATUS}. Only the supervisor touches it, under its own monitor;
 * times are System.nanoTime() readings passed in.
 *
 * <p>{@code HOLD <ms>} is the daemon's last word before it exits for a restart (an upgrade): the countdown becomes
 * ms from now, and a child that exits while held is restarted at once without a reset (its resources keep
 * running). The next child must {@code ARM} (which ends the hold) before the held countdown runs out, or the node is
 * reset as for any missed feed. A held timer refuses {@code FEED}: only an ARM at the ordinary timeout ends a hold.
 */
final class WatchdogTimer {
  private boolean armed;
  private boolean held;
  private long timeoutNanos;
  private long lastFeedNanos;

  boolean armed() {
    return armed;
  }

  /** Armed with a hold for a daemon restart, not yet re-armed by a child. */
  boolean held() {
    return held;
  }

  /** Stops counting (a reset happened, or a new child starts from scratch). */
  void reset() {
    armed = false;
    held = false;
  }

  /** Not fed within the timeout. */
  boolean expired(long nowNanos) {
    return armed && nowNanos - lastFeedNanos > timeoutNanos;
  }

  long sinceFeedMs(long nowNanos) {
    return TimeUnit.NANOSECONDS.toMillis(nowNanos - lastFeedNanos);
  }

  long timeoutMs() {
    return TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
  }

  /** One command line, split into words; the answer line. */
  String command(String[] words, long nowNanos) {
    return switch (words[0]) {
      case "ARM" -> {
        long ms = millis(words);
        if (ms <= 0) yield usage("ARM");
        if (held) WatchdogSupervisor.log("hold released: armed again, timeout " + ms + " ms");
        else if (!armed) WatchdogSupervisor.log("armed, timeout " + ms + " ms");
        start(ms, nowNanos);
        held = false;
        yield "OK";
      }
      case "HOLD" -> {
        long ms = millis(words);
        if (ms <= 0) yield usage("HOLD");
        if (!armed) yield "ERR not armed";
        start(ms, nowNanos);
        held = true;
        WatchdogSupervisor.log("held for a daemon restart: timeout " + ms + " ms; a child that exits now is "
            + "restarted without a reset, and must ARM within that time");
        yield "OK";
      }
      case "FEED" -> {
        if (!armed) yield "ERR not armed";
        if (held) yield "ERR held for a restart: ARM first";
        lastFeedNanos = nowNanos;
        yield "OK";
      }
      case "DISARM" -> {
        if (armed) WatchdogSupervisor.log("disarmed (magic close)");
        reset();
        yield "OK";
      }
      case "STATUS" -> armed ? "ARMED " + timeoutMs() + (held ? " HELD" : "") : "DISARMED";
      default -> "ERR unknown command";
    };
  }

  private void start(long ms, long nowNanos) {
    timeoutNanos = TimeUnit.MILLISECONDS.toNanos(ms);
    lastFeedNanos = nowNanos;
    armed = true;
  }

  /** The milliseconds of ARM/HOLD, or -1 when missing, malformed or out of range. */
  private static long millis(String[] words) {
    try {
      long ms = Long.parseLong(words.length == 2 ? words[1] : "");
      return ms <= 0 || ms > WatchdogSupervisor.ARM_TIMEOUT_MAX_MS ? -1 : ms;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String usage(String command) {
    return "ERR usage: " + command + " <milliseconds>, 1.." + WatchdogSupervisor.ARM_TIMEOUT_MAX_MS;
  }
}
