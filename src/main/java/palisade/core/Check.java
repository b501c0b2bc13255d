package palisade.core;

/** Always-on assertions: a broken assumption fails loudly in tests and the simulator (unlike `assert`). */
public final class Check {
  private Check() {}

  public static void that(boolean condition, String message) {
    if (!condition) throw new InvariantViolation(message);
  }

  // Fixed arities keep hot paths free of varargs arrays; the message is formatted only on failure.
  public static void that(boolean condition, String format, Object a) {
    if (!condition) throw new InvariantViolation(String.format(format, a));
  }

  public static void that(boolean condition, String format, Object a, Object b) {
    if (!condition) throw new InvariantViolation(String.format(format, a, b));
  }

  public static void that(boolean condition, String format, Object a, Object b, Object c) {
    if (!condition) throw new InvariantViolation(String.format(format, a, b, c));
  }

  public static void that(boolean condition, String format, Object... args) {
    if (!condition) throw new InvariantViolation(String.format(format, args));
  }

  /**
   * A check of one of DESIGN's numbered invariants, at the point where a decision must uphold it; the message
   * starts `invariant N: ` so a failure names the promise that broke, not only the code that noticed.
   */
  public static void invariant(int n, boolean condition, String message) {
    if (!condition) throw new InvariantViolation("invariant " + n + ": " + message);
  }

  public static void invariant(int n, boolean condition, String format, Object a) {
    if (!condition) throw new InvariantViolation("invariant " + n + ": " + String.format(format, a));
  }

  public static void invariant(int n, boolean condition, String format, Object a, Object b) {
    if (!condition) throw new InvariantViolation("invariant " + n + ": " + String.format(format, a, b));
  }

  public static void invariant(int n, boolean condition, String format, Object a, Object b, Object c) {
    if (!condition) throw new InvariantViolation("invariant " + n + ": " + String.format(format, a, b, c));
  }

  public static void invariant(int n, boolean condition, String format, Object... args) {
    if (!condition) throw new InvariantViolation("invariant " + n + ": " + String.format(format, args));
  }

  /** Thrown when the core's own invariant checks fail: a bug, never an expected outcome. */
  public static final class InvariantViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvariantViolation(String message) {
      super(message);
    }
  }
}
