package palisade.sim;

import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.ShutdownPolicy;
import palisade.core.Timing;

/** What a simulated world is parameterised by; scenario `option NAME=VALUE` lines set them. */
public final class SimOptions {
  long renewMs = Timing.DEFAULT_RENEW_MS;
  long ackMs = Timing.DEFAULT_ACK_MS;
  long watchdogMs = Timing.DEFAULT_WATCHDOG_MS;
  long leaseMs = Timing.DEFAULT_LEASE_MS;
  long driftPpm = Timing.DEFAULT_DRIFT_PPM;
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

  /** The validated timing (throws ConfigException naming the parameters when the inequality breaks). */
  public Timing timing() {
    return new Timing(renewMs, ackMs, watchdogMs, leaseMs, driftPpm, Math.max(1, renewMs / 4));
  }

  /** The `shutdown_policy` option. */
  public ShutdownPolicy shutdownPolicy() {
    return shutdownPolicy;
  }

  /** Applies one `option` line; throws ConfigException naming the key. */
  public void set(String key, String value) {
    switch (key) {
      case "lease_timeout" -> leaseMs = ms(key, value);
      case "watchdog_timeout" -> watchdogMs = ms(key, value);
      case "ack_timeout" -> ackMs = ms(key, value);
      case "renew_interval" -> renewMs = ms(key, value);
      case "drift" -> driftPpm = percentPpm(key, value);
      case "shutdown_policy" -> shutdownPolicy = ShutdownPolicy.parse(value, "option shutdown_policy");
      case "boot_time" -> bootMs = ms(key, value);
      case "start_time" -> startMs = ms(key, value);
      case "stop_time" -> stopMs = ms(key, value);
      case "migrate_time" -> migrateMs = ms(key, value);
      case "store_latency" -> storeLatencyMs = Math.max(1, ms(key, value));
      case "shutdown_timeout" -> shutdownTimeoutMs = ms(key, value);
      case "ack_loss" -> ackLossPpm = percentPpm(key, value);
      case "store_peers" -> {
        try {
          storePeers = Integer.parseInt(value);
        } catch (NumberFormatException e) {
          throw new ConfigException("option store_peers: '" + value + "' is not a number");
        }
        if (storePeers < 1) throw new ConfigException("option store_peers: must be at least 1");
      }
      default -> throw new ConfigException("unknown option '" + key + "' (known: lease_timeout, watchdog_timeout, "
          + "ack_timeout, renew_interval, drift, shutdown_policy, boot_time, start_time, stop_time, migrate_time, "
          + "store_latency, shutdown_timeout, store_peers, ack_loss)");
    }
  }

  private static long ms(String key, String value) {
    return Durations.parseMs(value, "option " + key);
  }

  private static long percentPpm(String key, String value) {
    String v = value.endsWith("%") ? value.substring(0, value.length() - 1) : value;
    try {
      double pct = Double.parseDouble(v);
      if (pct < 0) throw new ConfigException("option " + key + ": must not be negative");
      return Math.round(pct * 10_000);
    } catch (NumberFormatException e) {
      throw new ConfigException("option " + key + ": '" + value + "' is not a percentage (example: 1%)");
    }
  }
}
