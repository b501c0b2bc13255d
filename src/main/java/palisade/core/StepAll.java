package palisade.core;

/**
 * Turns off the manager's skipping of resources that cannot change ({@link ResourcePhase}), so a test can run the
 * same history both ways and compare the event logs: skipping must change nothing.
 */
public final class StepAll {
  /** Set only by a test around a run on its own thread; false everywhere else. */
  private static boolean on;

  private StepAll() {}

  public static boolean on() {
    return on;
  }

  public static void set(boolean stepAll) {
    on = stepAll;
  }
}
