package palisade.core;

import java.util.Locale;

/**
 * Automatic rebalancing ({@code crs_auto_rebalance}, Proxmox's {@code ha-auto-rebalance}): when the cluster's
 * imbalance stays above {@code threshold} for {@code holdMs} of the manager's own time, the manager migrates the one
 * resource (or positive-affinity set) whose move lowers the imbalance most, if by at least {@code margin} of it.
 *
 * @param on {@code crs_auto_rebalance=yes|no} (default no)
 * @param method {@code crs_auto_rebalance_method=bruteforce|topsis} (default bruteforce)
 * @param threshold {@code crs_auto_rebalance_threshold}: imbalance (coefficient of variation) above which the cluster
 *     counts as unbalanced (default 0.3, as Proxmox)
 * @param holdMs {@code crs_auto_rebalance_hold}: how long the imbalance must stay above the threshold (default 30s:
 *     Proxmox's three rounds of ten seconds)
 * @param margin {@code crs_auto_rebalance_margin}: the least relative improvement a move must bring (default 0.1)
 */
public record AutoRebalanceConfig(boolean on, Method method, double threshold, long holdMs, double margin) {
  /** How the move is chosen. */
  public enum Method {
    /** Every movable resource (set) to every allowed node: the lowest resulting imbalance. */
    BRUTEFORCE,
    /** TOPSIS over several criteria (see {@link AutoRebalance}). */
    TOPSIS;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Method parse(String v, String where) {
      for (Method m : values()) {
        if (m.label().equals(v)) return m;
      }
      throw new ConfigException(where + ": expected bruteforce or topsis, got '" + v + "'");
    }
  }

  public static final double DEFAULT_THRESHOLD = 0.3;
  public static final long DEFAULT_HOLD_MS = 30_000;
  public static final double DEFAULT_MARGIN = 0.1;
  public static final AutoRebalanceConfig OFF = new AutoRebalanceConfig(false, Method.BRUTEFORCE, DEFAULT_THRESHOLD,
      DEFAULT_HOLD_MS, DEFAULT_MARGIN);

  public AutoRebalanceConfig {
    method = method == null ? Method.BRUTEFORCE : method;
    if (!(threshold >= 0) || threshold > 100) {
      throw new ConfigException("crs_auto_rebalance_threshold: " + threshold + " is out of range (0 to 100)");
    }
    if (holdMs < 0 || holdMs > Timing.MAX_DURATION_MS) {
      throw new ConfigException("crs_auto_rebalance_hold: " + holdMs + "ms is out of range (0 to 24h)");
    }
    if (!(margin >= 0) || margin > 1) {
      throw new ConfigException("crs_auto_rebalance_margin: " + margin + " is out of range (0 to 1)");
    }
  }

  /** A number option's value, or an error naming the option. */
  public static double parseNumber(String v, String key) {
    try {
      double d = Double.parseDouble(v);
      if (Double.isNaN(d) || Double.isInfinite(d)) throw new NumberFormatException();
      return d;
    } catch (NumberFormatException e) {
      throw new ConfigException(key + ": '" + v + "' is not a number");
    }
  }

  public AutoRebalanceConfig withOn(boolean v) {
    return new AutoRebalanceConfig(v, method, threshold, holdMs, margin);
  }

  public AutoRebalanceConfig withMethod(Method v) {
    return new AutoRebalanceConfig(on, v, threshold, holdMs, margin);
  }

  public AutoRebalanceConfig withThreshold(double v) {
    return new AutoRebalanceConfig(on, method, v, holdMs, margin);
  }

  public AutoRebalanceConfig withHoldMs(long v) {
    return new AutoRebalanceConfig(on, method, threshold, v, margin);
  }

  public AutoRebalanceConfig withMargin(double v) {
    return new AutoRebalanceConfig(on, method, threshold, holdMs, v);
  }
}
