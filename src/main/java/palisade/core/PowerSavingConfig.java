package palisade.core;

import java.util.List;

/**
 * Power saving ({@code power_saving}, oVirt's power-saving policy, vSphere DPM): when the load of the powered-on
 * capacity stays below {@code low} for {@code holdMs} and more than {@code minNodes} nodes are online, the manager
 * empties the least loaded node, puts it in standby and powers it off through its fence device; when the load rises
 * above {@code high}, or fewer than {@code minNodes} nodes are online, it powers a standby node on again. See
 * {@link PowerSaving} for the measure.
 *
 * @param on {@code power_saving=on|off} (default off)
 * @param minNodes {@code power_saving_min_nodes}: the fewest nodes left online (default 2: one failure still leaves
 *     a node to recover onto while a standby node boots; at least 1)
 * @param low {@code power_saving_low}: load below which a node may go to standby (default 0.3)
 * @param high {@code power_saving_high}: load above which a standby node is powered on (default 0.75)
 * @param holdMs {@code power_saving_hold}: how long the load must stay below low (default 60s)
 */
public record PowerSavingConfig(boolean on, int minNodes, double low, double high, long holdMs) {
  /** The option keys, in the order the docs list them. */
  public static final List<String> KEYS = List.of("power_saving", "power_saving_min_nodes", "power_saving_low",
      "power_saving_high", "power_saving_hold");
  public static final int DEFAULT_MIN_NODES = 2;
  public static final double DEFAULT_LOW = 0.3;
  public static final double DEFAULT_HIGH = 0.75;
  public static final long DEFAULT_HOLD_MS = 60_000;
  public static final PowerSavingConfig OFF = new PowerSavingConfig(false, DEFAULT_MIN_NODES, DEFAULT_LOW,
      DEFAULT_HIGH, DEFAULT_HOLD_MS);

  /** Each value on its own; {@link #check} says whether they hold together. */
  public PowerSavingConfig {
    if (minNodes < 1 || minNodes > 10_000) {
      throw new ConfigException("power_saving_min_nodes: " + minNodes + " is out of range (1 to 10000)");
    }
    if (!(low >= 0) || low > 1) throw new ConfigException("power_saving_low: " + low + " is out of range (0 to 1)");
    if (!(high > 0) || high > 1) {
      throw new ConfigException("power_saving_high: " + high + " is out of range (above 0, up to 1)");
    }
    if (holdMs < 0 || holdMs > Timing.MAX_DURATION_MS) {
      throw new ConfigException("power_saving_hold: " + holdMs + "ms is out of range (0 to 24h)");
    }
  }

  /** The values together: low must be below high, or the cluster would power nodes off and on in turn. */
  public PowerSavingConfig check() {
    if (low >= high) {
      throw new ConfigException("power_saving_low: " + low + " must be below power_saving_high (" + high + ")");
    }
    return this;
  }

  /** This configuration with one option set from its text (key one of {@link #KEYS}); an error names the key. */
  public PowerSavingConfig with(String key, String value) {
    return switch (key) {
      case "power_saving" -> new PowerSavingConfig(onOff(value, key), minNodes, low, high, holdMs);
      case "power_saving_min_nodes" -> new PowerSavingConfig(on, count(value, key), low, high, holdMs);
      case "power_saving_low" -> new PowerSavingConfig(on, minNodes, AutoRebalanceConfig.parseNumber(value, key), high,
          holdMs);
      case "power_saving_high" -> new PowerSavingConfig(on, minNodes, low, AutoRebalanceConfig.parseNumber(value, key),
          holdMs);
      case "power_saving_hold" -> new PowerSavingConfig(on, minNodes, low, high, Durations.parseMs(value, key));
      default -> throw new ConfigException(key + ": not a power saving option");
    };
  }

  /** The options as `key=value` lines, in {@link #KEYS} order. */
  public List<String> lines() {
    return List.of("power_saving=" + (on ? "on" : "off"), "power_saving_min_nodes=" + minNodes,
        "power_saving_low=" + low, "power_saving_high=" + high, "power_saving_hold=" + Durations.format(holdMs));
  }

  private static boolean onOff(String v, String key) {
    return switch (v) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new ConfigException(key + ": expected on or off, got '" + v + "'");
    };
  }

  private static int count(String v, String key) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(key + ": '" + v + "' is not a whole number");
    }
  }
}
