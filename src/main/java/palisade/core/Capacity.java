package palisade.core;

import java.util.Locale;

/**
 * CPUs and memory: what a node offers, what a resource is configured to use, or what a running resource was measured
 * using. CPUs may be fractional (a measurement of 0.5 is half a core).
 */
public record Capacity(double cpu, long memBytes) {
  public static final Capacity NONE = new Capacity(0, 0);

  public Capacity {
    if (!(cpu >= 0) || Double.isInfinite(cpu) || memBytes < 0) {
      throw new ConfigException("cpu=" + cpu + " mem=" + memBytes + ": must not be negative");
    }
  }

  /** A memory size: bytes, or a number with K, M, G or T (binary units, as Proxmox counts memory). */
  public static long parseSize(String v, String where) {
    String s = v.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
      s = s.substring(0, s.length() - 1);
    }
    if (!s.isEmpty()) {
      switch (s.charAt(s.length() - 1)) {
        case 'K' -> unit = 1L << 10;
        case 'M' -> unit = 1L << 20;
        case 'G' -> unit = 1L << 30;
        case 'T' -> unit = 1L << 40;
        default -> unit = 1;
      }
      if (unit > 1) s = s.substring(0, s.length() - 1);
    }
    try {
      long n = Long.parseLong(s);
      if (n < 0 || n > Long.MAX_VALUE / unit) throw new NumberFormatException();
      return n * unit;
    } catch (NumberFormatException e) {
      throw new ConfigException(where + ": '" + v + "' is not a size (bytes, or a number with K, M, G or T)");
    }
  }

  /** A CPU count: a non-negative number, fractions allowed. */
  public static double parseCpu(String v, String where) {
    try {
      double d = Double.parseDouble(v);
      if (!(d >= 0) || d > 1_000_000) throw new NumberFormatException();
      return d;
    } catch (NumberFormatException e) {
      throw new ConfigException(where + ": '" + v + "' is not a CPU count (a non-negative number)");
    }
  }
}
