package palisade.core;

/** Always-on assertions: a broken assumption fails loudly in tests and the simulator (unlike `assert`). */
public final class Check {
  private Check() {}

  public static void that(boolean condition, String message) {
    if (!condition) throw new InvariantViolation(message);
  }

  public static void that(boolean condition, String format, Object... args) {
    if (!condition) throw new InvariantViolation(String.format(format, args));
  }

  /** Thrown when the core's own invariant checks fail: a bug, never an expected outcome. */
  public static final class InvariantViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvariantViolation(String message) {
      super(message);
    }
  }
}
