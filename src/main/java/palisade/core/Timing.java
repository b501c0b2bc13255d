package palisade.core;

/**
 * The timing parameters of DESIGN "Leases, watchdog and the safety inequality", validated on construction.
 *
 * @param renewMs R: renewal interval of the node lease
 * @param ackMs X: a renewal counts only if its acknowledgement arrives within X of sending
 * @param watchdogMs W: watchdog timeout
 * @param leaseMs L: how long the manager must see a lease silent before the node is taken as dead
 * @param driftPpm ρ in parts per million: bound on clock rate drift between nodes
 * @param tickMs how often the host drives agent and manager (a fraction of R)
 * @param restartHoldMs H: how long a daemon stopped for a restart (an upgrade) may stay away while its resources keep
 *     running and its watchdog holds for H; the manager then waits L_H instead of L ({@link #holdLeaseMs}). 0: no
 *     hold, a daemon stop is a watchdog reset W later (as an older record without the field reads).
 */
public record Timing(long renewMs, long ackMs, long watchdogMs, long leaseMs, long driftPpm, long tickMs,
    long restartHoldMs) {

  public static final long DEFAULT_RENEW_MS = 1_000;
  public static final long DEFAULT_ACK_MS = 1_000;
  public static final long DEFAULT_WATCHDOG_MS = 5_000;
  public static final long DEFAULT_LEASE_MS = 8_000;
  public static final long DEFAULT_DRIFT_PPM = 10_000; // 1 %
  /** H by default: a package upgrade restarts a JVM daemon in seconds; a minute leaves room on a loaded host. */
  public static final long DEFAULT_RESTART_HOLD_MS = 60_000;
  /** Longest H: the process watchdog supervisor arms at most one hour. */
  public static final long MAX_RESTART_HOLD_MS = 3_600_000;
  /**
   * Longest R, X, W, L or tick: one day. Far above any sane setting (a lease of minutes is already an outage), and it
   * keeps every sum and product of timings (the bound below, deadlines now + L) many orders of magnitude from
   * overflowing a long, so the inequality cannot be fooled by wrap-around.
   */
  public static final long MAX_DURATION_MS = 86_400_000L;
  /** Drift must stay below 20%: beyond that a clock is broken, not drifting. */
  public static final long DRIFT_LIMIT_PPM = 200_000;

  /** The timings with the default restart hold (none when W is longer than that hold already). */
  public Timing(long renewMs, long ackMs, long watchdogMs, long leaseMs, long driftPpm, long tickMs) {
    this(renewMs, ackMs, watchdogMs, leaseMs, driftPpm, tickMs,
        watchdogMs <= DEFAULT_RESTART_HOLD_MS ? DEFAULT_RESTART_HOLD_MS : 0);
  }

  public Timing {
    bounded(renewMs, "renew_interval");
    bounded(ackMs, "ack_timeout");
    bounded(watchdogMs, "watchdog_timeout");
    bounded(leaseMs, "lease_timeout");
    bounded(tickMs, "tick");
    if (driftPpm < 0 || driftPpm >= DRIFT_LIMIT_PPM) {
      throw new ConfigException("drift: " + driftPpm / 10_000.0 + "% is out of range (0% to below 20%)");
    }
    if (tickMs > renewMs) {
      throw new ConfigException("tick=" + Durations.format(tickMs) + " must not exceed renew_interval="
          + Durations.format(renewMs));
    }
    if (ackMs > watchdogMs) {
      throw new ConfigException("ack_timeout=" + Durations.format(ackMs) + " must not exceed watchdog_timeout="
          + Durations.format(watchdogMs));
    }
    long bound = minimumLeaseMs(renewMs, ackMs, watchdogMs, driftPpm);
    if (leaseMs < bound) {
      throw new ConfigException(String.format(
          "lease_timeout=%s breaks the safety inequality L >= (X + W)(1 + rho)^2 + R: "
              + "with ack_timeout=%s, watchdog_timeout=%s, drift=%s%%, renew_interval=%s it must be at least %s",
          Durations.format(leaseMs), Durations.format(ackMs), Durations.format(watchdogMs),
          driftPpm / 10_000.0, Durations.format(renewMs), Durations.format(bound)));
    }
    if (restartHoldMs != 0 && (restartHoldMs < watchdogMs || restartHoldMs > MAX_RESTART_HOLD_MS)) {
      throw new ConfigException("restart_hold=" + Durations.format(restartHoldMs) + " must be 0 (no hold) or "
          + "between watchdog_timeout=" + Durations.format(watchdogMs) + " and " + Durations.format(
          MAX_RESTART_HOLD_MS) + " (the process watchdog holds at most one hour)");
    }
  }

  public static Timing defaults() {
    return new Timing(DEFAULT_RENEW_MS, DEFAULT_ACK_MS, DEFAULT_WATCHDOG_MS, DEFAULT_LEASE_MS, DEFAULT_DRIFT_PPM,
        DEFAULT_RENEW_MS / 4);
  }

  /**
   * (X + W)(1 + ρ)² + R, rounded up to the millisecond. Exact: the sums are checked (ArithmeticException rather than
   * a wrapped, too small bound), though the constructor's limits keep them far from overflowing.
   */
  public static long minimumLeaseMs(long renewMs, long ackMs, long watchdogMs, long driftPpm) {
    // Exact integer arithmetic: (X + W)(10^6 + ppm)^2 / 10^12, rounded up.
    java.math.BigInteger scale = java.math.BigInteger.TEN.pow(12);
    java.math.BigInteger rate = java.math.BigInteger.valueOf(Math.addExact(1_000_000, driftPpm));
    java.math.BigInteger[] qr = java.math.BigInteger.valueOf(Math.addExact(ackMs, watchdogMs)).multiply(rate)
        .multiply(rate).divideAndRemainder(scale);
    long bound = Math.addExact(qr[0].longValueExact(), qr[1].signum() > 0 ? 1 : 0);
    return Math.addExact(bound, renewMs);
  }

  /**
   * L_H: how long the manager must see silent a record that carries a restart hold of holdMs. The inequality with H
   * in place of W, keeping the margin L has above its own bound: L + ((X + H) - (X + W))(1 + ρ)², exactly as
   * {@link #minimumLeaseMs} rounds. A record without a hold (0) is judged by L. holdMs comes from the record, so a
   * daemon that held its watchdog longer than this cluster's H is still waited for as long as it claims.
   */
  public long holdLeaseMs(long holdMs) {
    Check.that(holdMs >= 0 && holdMs <= MAX_RESTART_HOLD_MS, "restart hold %sms out of range", holdMs);
    if (holdMs <= watchdogMs) return leaseMs;
    return leaseMs + minimumLeaseMs(renewMs, ackMs, holdMs, driftPpm) - minimumLeaseMs(renewMs, ackMs, watchdogMs,
        driftPpm);
  }

  /** `renew 1s, ack 1s, watchdog 5s, lease 8s, drift 1%`: the terms of the inequality, for events and the CLI. */
  public String terms() {
    return "renew " + Durations.format(renewMs) + ", ack " + Durations.format(ackMs) + ", watchdog "
        + Durations.format(watchdogMs) + ", lease " + Durations.format(leaseMs) + ", drift " + driftPpm / 10_000.0
        + "%";
  }

  /** Silence after which the manager reports a node `unknown` (before it is taken as dead at L). */
  public long unknownAfterMs() {
    return Math.min(2 * renewMs + ackMs, leaseMs);
  }

  public Timing withLeaseMs(long value) {
    return new Timing(renewMs, ackMs, watchdogMs, value, driftPpm, tickMs, restartHoldMs);
  }

  private static void bounded(long value, String key) {
    if (value <= 0) throw new ConfigException(key + " must be positive, got " + value + "ms");
    if (value > MAX_DURATION_MS) {
      throw new ConfigException(key + "=" + Durations.format(value) + " is above the limit of "
          + Durations.format(MAX_DURATION_MS) + " (one day)");
    }
  }
}
