package palisade.runtime.daemon;

import static palisade.runtime.daemon.ConfigYaml.onlyKeys;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.Timing;

/** The daemon configuration's {@code timing} section: the initial cluster timing and this node's tick. */
final class TimingSection {
  private TimingSection() {}

  /** The timing; DRIVER is the node's watchdog driver, whose granularity the watchdog timeout must fit. */
  static Timing parse(JsonNode t, String driver) {
    Timing timing = timing(t);
    if (driver.equals("linux") && timing.watchdogMs() % 1000 != 0) {
      throw new ConfigException("timing.watchdog_timeout: " + timing.watchdogMs() + "ms cannot be set on the linux "
          + "watchdog, which counts whole seconds (use e.g. " + Math.max(1, timing.watchdogMs() / 1000) + "s and a "
          + "lease_timeout that still satisfies the inequality)");
    }
    return timing;
  }

  private static Timing timing(JsonNode t) {
    // A real daemon ticks every R/10: the manager notices a silent lease and an agent its new work within
    // 100 ms (the simulator keeps R/4, which its virtual time makes exact anyway).
    Timing base = Timing.defaults();
    Timing d = new Timing(base.renewMs(), base.ackMs(), base.watchdogMs(), base.leaseMs(), base.driftPpm(),
        base.renewMs() / 10, base.restartHoldMs());
    if (t.isMissingNode()) return d;
    onlyKeys(t, "timing.", Set.of("renew_interval", "ack_timeout", "watchdog_timeout", "lease_timeout", "drift",
        "tick", "restart_hold"));
    long renew = t.has("renew_interval") ? Durations.parseMs(t.get("renew_interval").asText(),
        "timing.renew_interval") : d.renewMs();
    long ack = t.has("ack_timeout") ? Durations.parseMs(t.get("ack_timeout").asText(), "timing.ack_timeout")
        : d.ackMs();
    long wd = t.has("watchdog_timeout") ? Durations.parseMs(t.get("watchdog_timeout").asText(),
        "timing.watchdog_timeout") : d.watchdogMs();
    long lease = t.has("lease_timeout") ? Durations.parseMs(t.get("lease_timeout").asText(),
        "timing.lease_timeout") : d.leaseMs();
    long tick = t.has("tick") ? Durations.parseMs(t.get("tick").asText(), "timing.tick") : Math.max(1, renew / 10);
    long hold = !t.has("restart_hold") ? -1 : t.get("restart_hold").asText().trim().equals("0") ? 0
        : Durations.parseMs(t.get("restart_hold").asText(), "timing.restart_hold");
    long drift = d.driftPpm();
    if (t.has("drift")) {
      String s = t.get("drift").asText().trim();
      if (!s.matches("\\d+(\\.\\d+)?%")) throw new ConfigException("timing.drift: '" + s + "' is not a percentage");
      drift = Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 10_000);
    }
    try {
      // Without restart_hold: the default, or none when W is longer than that default already.
      return hold < 0 ? new Timing(renew, ack, wd, lease, drift, tick)
          : new Timing(renew, ack, wd, lease, drift, tick, hold);
    } catch (ConfigException e) {
      throw new ConfigException("timing: " + e.getMessage());
    }
  }
}
