package palisade.runtime.daemon;

import static palisade.runtime.daemon.ConfigYaml.onlyKeys;
import static palisade.runtime.daemon.ConfigYaml.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.runtime.daemon.DaemonConfig.Node;

/**
 * The daemon configuration's {@code watchdog} section: this node's driver and its endpoint, which must agree with
 * what the node's own entry in {@code nodes} says.
 *
 * @param device the driver's endpoint: the device, or the process supervisor's socket
 */
record WatchdogSection(String driver, Path device) {

  static WatchdogSection parse(JsonNode wd, Path base, Path dataDir, List<Node> nodes, String self) {
    String driver = "linux";
    Path device = Path.of("/dev/watchdog");
    if (!wd.isMissingNode()) {
      onlyKeys(wd, "watchdog.", Set.of("driver", "device", "socket"));
      if (wd.has("driver")) driver = text(wd.get("driver"), "watchdog.driver").toLowerCase(Locale.ROOT);
      if (wd.has("device")) device = Path.of(text(wd.get("device"), "watchdog.device"));
    }
    if (!DaemonConfig.WATCHDOG_DRIVERS.contains(driver)) {
      throw new ConfigException("watchdog.driver: '" + driver + "' is not one of linux, process, none");
    }
    if (driver.equals("process")) {
      // The supervisor's socket comes from this file only (not the environment, which resources would inherit);
      // it is kept in watchdogDevice, the driver's endpoint.
      if (wd.has("device")) throw new ConfigException("watchdog.device: not used by driver process (use socket)");
      device = wd.has("socket") ? base.resolve(text(wd.get("socket"), "watchdog.socket"))
          : dataDir.resolve(DaemonConfig.DEFAULT_WATCHDOG_SOCKET);
    } else if (wd.has("socket")) {
      throw new ConfigException("watchdog.socket: only used by driver process, not " + driver);
    }
    agreesWithNodes(driver, nodes, self);
    return new WatchdogSection(driver, device);
  }

  /** The driver and this node's {@code nodes[i].watchdog} tell the same story. */
  private static void agreesWithNodes(String driver, List<Node> nodes, String self) {
    for (int idx = 0; idx < nodes.size(); idx++) {
      Node n = nodes.get(idx);
      if (n.name().equals(self) && driver.equals("none") && n.fenceLevels().isEmpty()) {
        throw new ConfigException("watchdog.driver: 'none' is only allowed for a node with a fence device "
            + "(nodes[" + idx + "].fence_levels is empty)");
      }
      if (n.name().equals(self) && driver.equals("none") && n.watchdog()) {
        // every node's file must tell the same story: whichever node seeds /config writes this flag
        throw new ConfigException("watchdog.driver: 'none' needs nodes[" + idx + "].watchdog: none too (every "
            + "node's file must say that " + self + " has no watchdog)");
      }
      if (n.name().equals(self) && !driver.equals("none") && !n.watchdog()) {
        throw new ConfigException("nodes[" + idx + "].watchdog: 'none' but watchdog.driver is '" + driver + "'");
      }
    }
  }
}
