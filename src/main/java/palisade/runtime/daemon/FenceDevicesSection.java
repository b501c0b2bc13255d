package palisade.runtime.daemon;

import static palisade.runtime.daemon.ConfigYaml.NAME;
import static palisade.runtime.daemon.ConfigYaml.required;
import static palisade.runtime.daemon.ConfigYaml.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.fencing.FenceDeviceSpec;
import palisade.fencing.FenceException;
import palisade.runtime.daemon.DaemonConfig.FenceDeviceConf;
import palisade.runtime.daemon.DaemonConfig.Node;

/**
 * The daemon configuration's {@code fence_devices}: name -> {type, timeout?, device options...}; values are
 * scalars; nothing is contacted here. Every device a node's fence level names must be declared.
 */
final class FenceDevicesSection {
  private FenceDevicesSection() {}

  static Map<String, FenceDeviceConf> parse(JsonNode fd, Path base, List<Node> nodes) {
    Map<String, FenceDeviceConf> devices = devices(fd, base);
    for (int idx = 0; idx < nodes.size(); idx++) {
      for (List<String> level : nodes.get(idx).fenceLevels()) {
        if (level.isEmpty()) throw new ConfigException("nodes[" + idx + "].fence_levels: a level without devices");
        for (String d : level) {
          if (!devices.containsKey(d)) {
            throw new ConfigException("nodes[" + idx + "].fence_levels: device '" + d + "' is not in fence_devices "
                + devices.keySet() + " (every node may act as fence proxy, so every node's file declares it)");
          }
        }
      }
    }
    return devices;
  }

  private static Map<String, FenceDeviceConf> devices(JsonNode fd, Path base) {
    TreeMap<String, FenceDeviceConf> out = new TreeMap<>();
    if (fd.isMissingNode() || fd.isNull()) return out;
    if (!fd.isObject()) throw new ConfigException("fence_devices: must be a mapping of device name to options");
    for (Iterator<String> it = fd.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      String where = "fence_devices." + name;
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException(where + ": the device name must be lower-case letters, digits, '-' or '_'");
      }
      out.put(name, device(fd.get(name), name, where, base));
    }
    return out;
  }

  private static FenceDeviceConf device(JsonNode d, String name, String where, Path base) {
    if (!d.isObject()) throw new ConfigException(where + ": must be a mapping (type: agent|ipmi|redfish, ...)");
    String type = text(required(d, "type", where), where + ".type").toLowerCase(Locale.ROOT);
    Map<String, String> options = new TreeMap<>();
    long timeout = type.equals("agent") ? DaemonConfig.AGENT_TIMEOUT_MS : DaemonConfig.DEVICE_TIMEOUT_MS;
    for (Iterator<String> k = d.fieldNames(); k.hasNext(); ) {
      String key = k.next();
      if (key.equals("type")) continue;
      JsonNode v = d.get(key);
      if (!v.isValueNode() || v.isNull()) throw new ConfigException(where + "." + key + ": must be a scalar");
      if (key.equals("timeout")) {
        timeout = Durations.parseMs(v.asText(), where + ".timeout");
        if (timeout <= 0 || timeout > 300_000) {
          throw new ConfigException(where + ".timeout: must be between 1ms and 300s");
        }
        continue;
      }
      String value = v.asText();
      if (key.equals("password_file")) value = base.resolve(value).toString();
      options.put(key, value);
    }
    FenceDeviceConf conf;
    try {
      conf = new FenceDeviceConf(FenceDeviceSpec.of(name, type, options), timeout);
    } catch (FenceException e) {
      throw new ConfigException(where + ".type: " + e.getMessage());
    }
    if (type.equals("sim")) throw new ConfigException(where + ".type: 'sim' devices exist only in the simulator");
    return conf;
  }
}
