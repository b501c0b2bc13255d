package palisade.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses and prints durations the way operators write them: `250ms`, `8s`, `1.5s`, `2m`, `1h`. */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  private Durations() {}

  /** Returns milliseconds, or throws ConfigException naming {@code what}. */
  public static long parseMs(String text, String what) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new ConfigException(what + ": '" + text + "' is not a duration (examples: 250ms, 8s, 2m)");
    }
    java.math.BigDecimal value = new java.math.BigDecimal(m.group(1));
    long unitMs = switch (m.group(2)) {
      case "ms" -> 1L;
      case "s" -> 1_000L;
      case "m" -> 60_000L;
      default -> 3_600_000L;
    };
    java.math.BigDecimal ms = value.multiply(java.math.BigDecimal.valueOf(unitMs));
    try {
      return ms.longValueExact();
    } catch (ArithmeticException e) {
      throw new ConfigException(what + ": '" + text + "' is finer than a millisecond or too large");
    }
  }

  /** `8s`, `1.5s`, `250ms`: the shortest exact spelling. */
  public static String format(long ms) {
    if (ms % 1000 == 0) return (ms / 1000) + "s";
    if (ms > 1000) return String.format("%d.%03ds", ms / 1000, ms % 1000).replaceAll("0+s$", "s");
    return ms + "ms";
  }
}
