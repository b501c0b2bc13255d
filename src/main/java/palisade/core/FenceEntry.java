package palisade.core;

import java.util.Locale;

/**
 * One line of fence history: target, level, device, action, result, who executed it, start and end times.
 * Summary lines have action {@value #SUMMARY} and name the level's devices: `off confirmed`, `all levels failed`,
 * `on confirmed`, `power-on failed`, `manual confirm`.
 */
public record FenceEntry(String target, long attempt, int level, String device, String action, String result,
    String executor, long startedMs, long endedMs) {

  public static final String SUMMARY = "fence";
  public static final String OFF_CONFIRMED = "off confirmed";
  public static final String ALL_FAILED = "all levels failed";
  public static final String ON_CONFIRMED = "on confirmed";
  public static final String ON_FAILED = "power-on failed";
  public static final String MANUAL = "manual confirm";

  public String describe() {
    return String.format(Locale.ROOT, "%s attempt %d level %d %s %s: %s (by %s)", target, attempt, level,
        device == null ? "-" : device, action, result, executor);
  }
}
