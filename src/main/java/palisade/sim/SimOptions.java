package palisade.sim;

import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.FenceOptions;
import palisade.core.ShutdownPolicy;
import palisade.core.Timing;

/**
 * What a simulated world is parameterised by; scenario `option NAME=VALUE` lines set them. Every value is bounded
 * (durations by {@link #MAX_DURATION_MS}, percentages by their meaning), so no arithmetic on them can overflow.
 */
public final class SimOptions {
  /** Longest duration an option may give: one day, as for the timings. */
  public static final long MAX_DURATION_MS = Timing.MAX_DURATION_MS;
  /** A probability: at most 100%. */
  static final long ACK_LOSS_MAX_PPM = 1_000_000;

  long renewMs = Timing.DEFAULT_RENEW_MS;
  long ackMs = Timing.DEFAULT_ACK_MS;
  long watchdogMs = Timing.DEFAULT_WATCHDOG_MS;
  long leaseMs = Timing.DEFAULT_LEASE_MS;
  long driftPpm = Timing.DEFAULT_DRIFT_PPM;
  long restartHoldMs = Timing.DEFAULT_RESTART_HOLD_MS;
  ShutdownPolicy shutdownPolicy = ShutdownPolicy.CONDITIONAL;
  long bootMs = 30_000;
  long startMs = 500;
  long stopMs = 500;
  long migrateMs = 2_000;
  /** Upper bound of one-way store latency; each message draws from 1..this. */
  long storeLatencyMs = 5;
  /** How far a connected node's view trails the store. */
  long storeLagMs = 2;
  long shutdownTimeoutMs = 120_000;
  /** Store peers are the first N nodes; 0 = 3 or 5 depending on cluster size. */
  int storePeers;
  /** Probability, in parts per million, that a store acknowledgement is lost after its write committed. */
  long ackLossPpm;
  /** The cluster option `repair_after`; 0 = off. */
  long repairAfterMs;
  /** How long a crashed kernel dumps (`kdump NODE`) before the node reboots. */
  long kdumpMs = 60_000;
  /** The power-fencing options: `fence_grace`, `fence_grace_spm`, `fence_grace_per_resource`, `fence_device_check`. */
  FenceOptions fence = FenceOptions.defaults();
  /** The managers' `status_budget`: statuses and disk leases one write changes at most (0: the manager's default). */
  int statusBudget;
  private boolean stepAll;

  /** The validated timing (throws ConfigException naming the parameters when the inequality breaks). */
  public Timing timing() {
    return new Timing(renewMs, ackMs, watchdogMs, leaseMs, driftPpm, Math.max(1, renewMs / 4), restartHoldMs);
  }

  /** The `store_peers` option (0: the default, 3 or 5 depending on cluster size). */
  public int storePeers() {
    return storePeers;
  }

  /** The `shutdown_policy` option. */
  public ShutdownPolicy shutdownPolicy() {
    return shutdownPolicy;
  }

  /**
   * Managers step every node and resource every round instead of skipping the calm and quiet ones: set by a test
   * that replays a history both ways and compares the event logs (no scenario option: it must change nothing).
   */
  public void stepAll(boolean on) {
    stepAll = on;
  }

  boolean stepAll() {
    return stepAll;
  }

  /** The `repair_after` option (0: off). */
  public long repairAfterMs() {
    return repairAfterMs;
  }

  /** The power-fencing options (grace, device checks). */
  public FenceOptions fence() {
    return fence;
  }

  /** The `status_budget` option (0: the manager's default). */
  public int statusBudget() {
    return statusBudget;
  }

  /** Applies one `option` line; throws ConfigException naming the key. */
  public void set(String key, String value) {
    switch (key) {
      case "lease_timeout" -> leaseMs = ms(key, value);
      case "watchdog_timeout" -> watchdogMs = ms(key, value);
      case "ack_timeout" -> ackMs = ms(key, value);
      case "renew_interval" -> renewMs = ms(key, value);
      case "restart_hold" -> restartHoldMs = value.equals("0") ? 0 : ms(key, value);
      case "drift" -> {
        driftPpm = percentPpm(key, value);
        if (driftPpm >= Timing.DRIFT_LIMIT_PPM) {
          throw new ConfigException("option drift: '" + value + "' must be below 20%");
        }
      }
      case "shutdown_policy" -> shutdownPolicy = ShutdownPolicy.parse(value, "option shutdown_policy");
      case "boot_time" -> bootMs = ms(key, value);
      case "start_time" -> startMs = ms(key, value);
      case "stop_time" -> stopMs = ms(key, value);
      case "migrate_time" -> migrateMs = ms(key, value);
      case "store_latency" -> storeLatencyMs = Math.max(1, ms(key, value));
      case "shutdown_timeout" -> shutdownTimeoutMs = ms(key, value);
      case "repair_after" -> repairAfterMs = value.equals("off") ? 0 : ms(key, value);
      case "kdump_time" -> kdumpMs = Math.max(1, ms(key, value));
      case "fence_grace" -> fence = fence.withGrace(zeroOrMs(key, value), fence.graceSpmMs(),
          fence.gracePerResourceMs());
      case "fence_grace_spm" -> fence = fence.withGrace(fence.graceMs(), zeroOrMs(key, value),
          fence.gracePerResourceMs());
      case "fence_grace_per_resource" -> fence = fence.withGrace(fence.graceMs(), fence.graceSpmMs(),
          zeroOrMs(key, value));
      case "fence_device_check" -> fence = fence.withDeviceCheck(value.equals("off") ? 0 : zeroOrMs(key, value));
      case "ack_loss" -> {
        ackLossPpm = percentPpm(key, value);
        if (ackLossPpm > ACK_LOSS_MAX_PPM) {
          throw new ConfigException("option ack_loss: '" + value + "' must be at most 100%");
        }
      }
      case "store_peers" -> {
        if (!value.matches("\\d{1,9}")) {
          throw new ConfigException("option store_peers: '" + value + "' is not a whole number");
        }
        storePeers = Integer.parseInt(value);
        if (storePeers < 1) throw new ConfigException("option store_peers: must be at least 1");
      }
      case "status_budget" -> {
        if (!value.matches("[1-9]\\d{0,8}")) {
          throw new ConfigException("option status_budget: '" + value + "' is not a whole number of at least 1");
        }
        statusBudget = Integer.parseInt(value);
      }
      default -> throw new ConfigException("unknown option '" + key + "' (known: lease_timeout, watchdog_timeout, "
          + "ack_timeout, renew_interval, restart_hold, drift, shutdown_policy, boot_time, start_time, stop_time, "
          + "migrate_time, store_latency, shutdown_timeout, store_peers, ack_loss, repair_after, kdump_time, "
          + "fence_grace, fence_grace_spm, fence_grace_per_resource, fence_device_check, status_budget)");
    }
  }

  private static long ms(String key, String value) {
    long ms = Durations.parseMs(value, "option " + key);
    if (ms > MAX_DURATION_MS) {
      throw new ConfigException("option " + key + ": '" + value + "' is longer than the limit of "
          + Durations.format(MAX_DURATION_MS) + " (one day)");
    }
    return ms;
  }

  private static long zeroOrMs(String key, String value) {
    return value.equals("0") ? 0 : ms(key, value);
  }

  /** `1%`, `0.5%` or `1` (percent): digits only, so NaN, Infinity, 1e3 and negative values are refused. */
  private static long percentPpm(String key, String value) {
    String v = value.endsWith("%") ? value.substring(0, value.length() - 1) : value;
    if (!v.matches("\\d{1,6}(\\.\\d{1,6})?")) {
      throw new ConfigException("option " + key + ": '" + value + "' is not a percentage (example: 1%)");
    }
    return Math.round(Double.parseDouble(v) * 10_000);
  }
}
