package palisade.runtime.watchdog;

import java.util.ArrayDeque;

/**
 * At most {@code max} restarts within any window of {@code windowNanos}: a rate, not a lifetime count. A node reset
 * now and then is always restarted; one that crash-loops (reset again and again within the window) is given up on.
 * Time comes from the caller (a monotonic clock), so the rule is tested with exact times.
 */
final class RestartBudget {
  private final int max;
  private final long windowNanos;
  /** Times of the restarts still inside the window, oldest first. */
  private final ArrayDeque<Long> recent = new ArrayDeque<>();

  RestartBudget(int max, long windowNanos) {
    if (max < 0 || windowNanos <= 0) {
      throw new IllegalArgumentException("restart budget needs max >= 0 and a positive window");
    }
    this.max = max;
    this.windowNanos = windowNanos;
  }

  /** Records a restart at {@code nowNanos} and returns true, or returns false when the budget is spent. */
  boolean tryRestart(long nowNanos) {
    while (!recent.isEmpty() && nowNanos - recent.peekFirst() >= windowNanos) {
      recent.removeFirst();
    }
    if (recent.size() >= max) {
      return false;
    }
    recent.addLast(nowNanos);
    return true;
  }
}
