package palisade.core;

import java.util.Collections;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A fence device as the cluster defines it in /config ({@code palisade fence device add}): its type, address and
 * options — never a secret. Each host keeps the device's secret in a file of its own, named here by {@code secret}
 * (the daemon reads {@code secrets/<secret>} beside its store credential, e.g. /etc/palisade/secrets/bmc4); a
 * device defined in a host's YAML {@code fence_devices} wins over this one on that host.
 *
 * @param type {@code ipmi}, {@code redfish} or {@code agent} (a ClusterLabs agent named by option {@code agent})
 * @param options the device's options ({@code host}, {@code port}, {@code username}, ...); no password, no
 *     password_file: the secret is the host's
 * @param timeoutMs the deadline of one call
 * @param secret the name of the host-local secret file, or null (a device without a password)
 */
public record FenceDeviceDef(String type, SortedMap<String, String> options, long timeoutMs, String secret) {
  /** Device and secret names: as the YAML's fence_devices names. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  public static final Set<String> TYPES = Set.of("ipmi", "redfish", "agent");
  public static final long TIMEOUT_MAX_MS = 300_000;

  public FenceDeviceDef {
    options = Collections.unmodifiableSortedMap(new TreeMap<>(options == null ? new TreeMap<>() : options));
    if (type == null || !TYPES.contains(type)) {
      throw new ConfigException("type: '" + type + "' is not one of agent, ipmi, redfish");
    }
    if (timeoutMs <= 0 || timeoutMs > TIMEOUT_MAX_MS) {
      throw new ConfigException("timeout: must be between 1ms and 300s, got " + timeoutMs + "ms");
    }
    if (secret != null && !NAME.matcher(secret).matches()) {
      throw new ConfigException("secret: '" + secret + "' is not a file name (lower-case letters, digits, '-', "
          + "'_')");
    }
    for (String k : options.keySet()) {
      if (k.equals("password_file") || k.equals("password") || k.equals("type") || k.equals("timeout")) {
        throw new ConfigException("option '" + k + "' cannot be set here (" + (k.startsWith("password")
            ? "a secret stays on the hosts: name its file with --secret-file-name" : "it has its own argument")
            + ")");
      }
    }
  }
}
