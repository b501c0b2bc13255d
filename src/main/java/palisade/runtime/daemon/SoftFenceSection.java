package palisade.runtime.daemon;

import static palisade.runtime.daemon.ConfigYaml.address;
import static palisade.runtime.daemon.ConfigYaml.onlyKeys;
import static palisade.runtime.daemon.ConfigYaml.port;
import static palisade.runtime.daemon.ConfigYaml.required;
import static palisade.runtime.daemon.ConfigYaml.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.fencing.KdumpListener;
import palisade.fencing.SshSoftFence;

/**
 * A node's {@code soft_fence} mapping (DESIGN "Soft fencing") and its {@code kdump} / {@code kdump_port} keys:
 *
 * <pre>
 * soft_fence:
 *   method: ssh                 # the only method
 *   user: root
 *   key_file: /etc/palisade/soft-fence.key      # mode 0600; a path, never the key
 *   known_hosts: /etc/palisade/soft-fence.known_hosts
 *   address: 10.0.0.3           # default: the node's address
 *   port: 22                    # default 22
 *   command: systemctl restart palisade         # the default
 * kdump: yes                    # a fence proxy listens for its kdump message (fence_kdump) before the power levels
 * kdump_port: 7410              # default 7410
 * kdump_address: 10.0.9.3       # where its kdump messages come from (default: its address)
 * </pre>
 */
final class SoftFenceSection {
  private SoftFenceSection() {}

  private static final Set<String> KEYS = Set.of("method", "user", "key_file", "known_hosts", "address", "port",
      "command");

  /** The node's soft fence, or null without one; refused on a watchdog node (its watchdog acts first). */
  static DaemonConfig.SoftFenceConf parse(JsonNode sf, String where, String nodeAddress, boolean watchdog) {
    if (sf == null || sf.isNull()) return null;
    String at = where + ".soft_fence";
    if (!sf.isObject()) throw new ConfigException(at + ": must be a mapping (method, user, key_file, ...)");
    onlyKeys(sf, at + ".", KEYS);
    String method = text(required(sf, "method", at), at + ".method");
    if (!method.equals("ssh")) throw new ConfigException(at + ".method: '" + method + "' must be ssh");
    if (watchdog) {
      throw new ConfigException(at + ": only for a node without a watchdog (watchdog: none); on a watchdog node "
          + "the watchdog acts on a silent daemon first");
    }
    String user = text(required(sf, "user", at), at + ".user");
    Path key = Path.of(text(required(sf, "key_file", at), at + ".key_file"));
    Path known = Path.of(text(required(sf, "known_hosts", at), at + ".known_hosts"));
    if (!key.isAbsolute() || !known.isAbsolute()) {
      throw new ConfigException(at + ": key_file and known_hosts must be absolute paths");
    }
    String addr = sf.has("address") ? address(text(sf.get("address"), at + ".address"), at + ".address")
        : nodeAddress;
    String command = sf.has("command") ? text(sf.get("command"), at + ".command") : SshSoftFence.DEFAULT_COMMAND;
    if (command.contains("\n")) throw new ConfigException(at + ".command: must be one line");
    return new DaemonConfig.SoftFenceConf(user, addr, port(sf, "port", SshSoftFence.DEFAULT_PORT, at), key, known,
        command);
  }

  /** The kdump listener's port, or 0 without {@code kdump: yes}. */
  static int kdumpPort(JsonNode n, String where) {
    boolean on = false;
    if (n.has("kdump")) {
      String v = text(n.get("kdump"), where + ".kdump").toLowerCase(Locale.ROOT);
      switch (v) {
        case "yes", "true" -> on = true;
        case "no", "false" -> on = false;
        default -> throw new ConfigException(where + ".kdump: '" + v + "' must be yes or no");
      }
    }
    for (String k : new String[] {"kdump_port", "kdump_address"}) {
      if (!on && n.has(k)) throw new ConfigException(where + "." + k + ": only with kdump: yes");
    }
    return on ? port(n, "kdump_port", KdumpListener.DEFAULT_PORT, where) : 0;
  }

  /** The address the node's kdump messages come from, when it is not the node's address; else null. */
  static String kdumpAddress(JsonNode n, String where) {
    return n.has("kdump_address") ? address(text(n.get("kdump_address"), where + ".kdump_address"),
        where + ".kdump_address") : null;
  }
}
