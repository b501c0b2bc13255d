package palisade.runtime.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.ShutdownPolicy;

/**
 * How this node shuts down cleanly (local facts, top-level keys): {@code shutdown_timeout}, how long a clean
 * shutdown or reboot may take before the daemon exits anyway (default 3 min; systemd's {@code TimeoutStopSec} of
 * the unit must be longer), and {@code host_shutdown_file}, a file that answers "is the host going down?" instead
 * of systemd's job queue (the lab; see {@link HostShutdown#file}). {@code shutdown_policy} is the initial cluster-wide
 * policy of a new cluster's {@code /config} (default conditional; later: {@code palisade config set}).
 *
 * @param hostShutdownFile null: ask systemd
 */
record ShutdownSection(long timeoutMs, Path hostShutdownFile, ShutdownPolicy initialPolicy) {
  static final long DEFAULT_TIMEOUT_MS = 180_000;
  /** A clean shutdown waits for migrations; more than a day is a typo. */
  static final long MAX_TIMEOUT_MS = 86_400_000;

  static ShutdownSection defaults() {
    return new ShutdownSection(DEFAULT_TIMEOUT_MS, null, ShutdownPolicy.CONDITIONAL);
  }

  static ShutdownSection parse(JsonNode root, Path base) {
    long timeout = DEFAULT_TIMEOUT_MS;
    if (root.has("shutdown_timeout")) {
      timeout = Durations.parseMs(ConfigYaml.text(root.get("shutdown_timeout"), "shutdown_timeout"),
          "shutdown_timeout");
      if (timeout <= 0 || timeout > MAX_TIMEOUT_MS) {
        throw new ConfigException("shutdown_timeout: '" + root.get("shutdown_timeout").asText()
            + "' must be above 0 and at most 24h");
      }
    }
    Path file = root.has("host_shutdown_file")
        ? base.resolve(ConfigYaml.text(root.get("host_shutdown_file"), "host_shutdown_file")) : null;
    ShutdownPolicy policy = ShutdownPolicy.CONDITIONAL;
    if (root.has("shutdown_policy")) {
      String v = ConfigYaml.text(root.get("shutdown_policy"), "shutdown_policy");
      try {
        policy = ShutdownPolicy.parse(v, "");
      } catch (ConfigException e) {
        throw new ConfigException("shutdown_policy: '" + v + "' is not one of conditional, freeze, failover, migrate");
      }
    }
    return new ShutdownSection(timeout, file, policy);
  }

  HostShutdown host() {
    return hostShutdownFile == null ? HostShutdown.systemd() : HostShutdown.file(hostShutdownFile);
  }
}
