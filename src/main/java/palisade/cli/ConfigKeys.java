package palisade.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import palisade.core.AutoRebalanceConfig;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.Crs;
import palisade.core.Durations;
import palisade.core.FenceOptions;
import palisade.core.Timing;

/**
 * The cluster-wide settings of /config that `palisade config set` changes at runtime, one table entry a key: its
 * name (the same word as in the node YAML and the scenario grammar's {@code option}), how a value is parsed into a
 * new configuration, and how the value is shown (in the form `config set` takes back). Timings are not here: they
 * change through `palisade config timing`, which keeps the safety inequality true at every instant.
 */
final class ConfigKeys {
  private ConfigKeys() {}

  /** One settable key: {@code set} returns the configuration with the value applied (its withers validate). */
  record Key(String name, BiFunction<ClusterConfig, String, ClusterConfig> set, Function<ClusterConfig, String> show) {}

  /** The timing keys, refused here with a pointer to `config timing`. */
  static final Set<String> TIMING = Set.of("renew_interval", "ack_timeout", "watchdog_timeout", "lease_timeout",
      "drift", "restart_hold", "tick");

  /** The table: adding a key is one entry. */
  static final Map<String, Key> KEYS = table(List.of(
      new Key("shutdown_policy", (c, v) -> c.withShutdownPolicy(NodeShutdownCommands.parsePolicy(v,
          "shutdown_policy", false)), c -> NodeShutdownCommands.label(c.shutdownPolicy())),
      new Key("repair_after", (c, v) -> c.withRepairAfter(offOrMs(v, "repair_after")), c -> off(c.repairAfterMs())),
      new Key("fence_grace", (c, v) -> c.withFence(grace(c.fence(), 0, v)), c -> ms(c.fence().graceMs())),
      new Key("fence_grace_spm", (c, v) -> c.withFence(grace(c.fence(), 1, v)), c -> ms(c.fence().graceSpmMs())),
      new Key("fence_grace_per_resource", (c, v) -> c.withFence(grace(c.fence(), 2, v)),
          c -> ms(c.fence().gracePerResourceMs())),
      new Key("fence_device_check", (c, v) -> c.withFence(c.fence().withDeviceCheck(offOrMs(v, "fence_device_check"))),
          c -> off(c.fence().deviceCheckMs())),
      new Key("crs", (c, v) -> c.withPlacement(c.placement().withCrs(Crs.parse(v, "crs"),
          c.placement().rebalanceOnStart())), c -> c.placement().crs().label()),
      new Key("crs_rebalance_on_start", (c, v) -> c.withPlacement(c.placement().withCrs(c.placement().crs(),
          yesNo(v, "crs_rebalance_on_start"))), c -> yesNo(c.placement().rebalanceOnStart())),
      new Key("crs_auto_rebalance", (c, v) -> auto(c, auto(c).withOn(yesNo(v, "crs_auto_rebalance"))),
          c -> yesNo(auto(c).on())),
      new Key("crs_auto_rebalance_method", (c, v) -> auto(c, auto(c).withMethod(AutoRebalanceConfig.Method.parse(v,
          "crs_auto_rebalance_method"))), c -> auto(c).method().label()),
      new Key("crs_auto_rebalance_threshold", (c, v) -> auto(c, auto(c).withThreshold(AutoRebalanceConfig
          .parseNumber(v, "crs_auto_rebalance_threshold"))), c -> number(auto(c).threshold())),
      new Key("crs_auto_rebalance_hold", (c, v) -> auto(c, auto(c).withHoldMs(zeroOrMs(v,
          "crs_auto_rebalance_hold"))), c -> ms(auto(c).holdMs())),
      new Key("crs_auto_rebalance_margin", (c, v) -> auto(c, auto(c).withMargin(AutoRebalanceConfig
          .parseNumber(v, "crs_auto_rebalance_margin"))), c -> number(auto(c).margin())),
      saving("power_saving"), saving("power_saving_min_nodes"), saving("power_saving_low"),
      saving("power_saving_high"), saving("power_saving_hold")));

  /** A power-saving option: set through PowerSavingConfig, shown as its own line says. */
  private static Key saving(String key) {
    int at = palisade.core.PowerSavingConfig.KEYS.indexOf(key);
    return new Key(key, (c, v) -> c.withPlacement(c.placement().withPowerSaving(c.placement().powerSaving()
        .with(key, v))), c -> {
          String line = c.placement().powerSaving().lines().get(at);
          return line.substring(line.indexOf('=') + 1);
        });
  }

  private static Map<String, Key> table(List<Key> keys) {
    LinkedHashMap<String, Key> t = new LinkedHashMap<>();
    for (Key k : keys) t.put(k.name(), k);
    return java.util.Collections.unmodifiableMap(t);
  }

  /** The key, or a refusal naming it: a timing key points to `config timing`, an unknown one lists the keys. */
  static Key key(String name) {
    Key k = KEYS.get(name);
    if (k != null) return k;
    if (TIMING.contains(name)) {
      throw new CliError("config set: '" + name + "' is a timing: use palisade config timing (it keeps the safety "
          + "inequality true while it changes); nothing was written");
    }
    throw new CliError("config set: unknown key '" + name + "' (settable: " + String.join(", ", KEYS.keySet())
        + "); nothing was written");
  }

  /**
   * Every KEY=VALUE applied in order to cfg; the first bad one is refused naming its key (nothing is written: the
   * caller writes only the result).
   */
  static ClusterConfig apply(ClusterConfig cfg, Map<String, String> settings) {
    ClusterConfig c = cfg;
    for (Map.Entry<String, String> e : settings.entrySet()) {
      Key k = key(e.getKey());
      try {
        c = k.set().apply(c, e.getValue());
      } catch (ConfigException ex) {
        String m = ex.getMessage();
        throw new CliError("config set: " + (m.startsWith(k.name()) ? "" : k.name() + ": ") + m
            + "; nothing was written");
      }
    }
    return c;
  }

  /** KEY=VALUE arguments in order; a malformed one or a key given twice is refused naming it. */
  static LinkedHashMap<String, String> parse(List<String> args) {
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq <= 0) throw new CliError("config set: expected KEY=VALUE, got '" + a + "'; nothing was written");
      String k = a.substring(0, eq);
      key(k);
      if (out.put(k, a.substring(eq + 1)) != null) {
        throw new CliError("config set: " + k + " is given twice; nothing was written");
      }
    }
    return out;
  }

  /** Every key with its value as `config set` takes it, in table order. */
  static LinkedHashMap<String, String> show(ClusterConfig c) {
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    for (Key k : KEYS.values()) out.put(k.name(), k.show().apply(c));
    return out;
  }

  private static AutoRebalanceConfig auto(ClusterConfig c) {
    return c.placement().autoRebalance();
  }

  private static ClusterConfig auto(ClusterConfig c, AutoRebalanceConfig a) {
    return c.withPlacement(c.placement().withAutoRebalance(a));
  }

  private static FenceOptions grace(FenceOptions f, int which, String v) {
    String key = which == 0 ? "fence_grace" : which == 1 ? "fence_grace_spm" : "fence_grace_per_resource";
    long ms = zeroOrMs(v, key);
    return f.withGrace(which == 0 ? ms : f.graceMs(), which == 1 ? ms : f.graceSpmMs(),
        which == 2 ? ms : f.gracePerResourceMs());
  }

  /** A duration at most 24 h, or 0. */
  static long zeroOrMs(String v, String key) {
    if (v.equals("0")) return 0;
    long ms = Durations.parseMs(v, key);
    if (ms > Timing.MAX_DURATION_MS) throw new ConfigException(key + ": '" + v + "' is longer than 24h");
    return ms;
  }

  /** A duration at most 24 h, or off / 0 (0 ms). */
  static long offOrMs(String v, String key) {
    return v.equals("off") ? 0 : zeroOrMs(v, key);
  }

  static boolean yesNo(String v, String key) {
    return switch (v) {
      case "yes" -> true;
      case "no" -> false;
      default -> throw new ConfigException(key + ": expected yes or no, got '" + v + "'");
    };
  }

  private static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }

  private static String ms(long ms) {
    return ms == 0 ? "0" : duration(ms);
  }

  private static String off(long ms) {
    return ms == 0 ? "off" : duration(ms);
  }

  /** `10m`, `2h`, `90s`, `1.5s`: as an operator writes it. */
  static String duration(long ms) {
    if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    return Durations.format(ms);
  }

  private static String number(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e9 ? Long.toString((long) d) : Double.toString(d);
  }
}
