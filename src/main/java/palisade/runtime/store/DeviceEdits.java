package palisade.runtime.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.FenceDeviceDef;
import palisade.core.NodeConfig;
import palisade.core.StorePaths;
import palisade.fencing.FenceDeviceSpec;
import palisade.fencing.FenceDevices;
import palisade.fencing.FenceException;
import palisade.runtime.store.Operations.Done;
import palisade.runtime.store.Operations.Problem;
import palisade.runtime.store.Operations.Refused;

/**
 * The fence devices the cluster defines in /config, added, changed and removed by `palisade fence device` and the
 * HTTP API alike. The definition (type, address, port, user, options) is the cluster's; the secret never leaves the
 * hosts: each keeps it in {@code secrets/<name>}, which the definition only names. A refusal is a {@link Refused}
 * naming the field in the caller's spelling; a success's line is what the caller prints and records as an event.
 */
public final class DeviceEdits {
  /** A definition's parts; null = not given. An option whose value is "" is removed; secret "none" = no secret. */
  public record Definition(String type, String address, String port, String user, String agent,
      Map<String, String> options, String timeout, String secret) {}

  /** One device as listed: never a secret, only the name of its file on the hosts. */
  public record Listed(String name, FenceDeviceDef def, List<String> usedBy) {}

  private final Supplier<Admin> store;
  private final UnaryOperator<String> name;

  public DeviceEdits(Supplier<Admin> admin, UnaryOperator<String> names) {
    this.store = admin;
    this.name = names;
  }

  public Done add(String device, Definition d) throws Exception {
    if (device == null || !FenceDeviceDef.NAME.matcher(device).matches()) {
      throw new Refused(Problem.BAD_INPUT, name.apply("name") + ": '" + device + "' is not a device name "
          + "(lower-case letters, digits, '-', '_')");
    }
    FenceDeviceDef def = applyTo(device, d, null); // judged before the store is asked
    store.get().update(StorePaths.CONFIG, ClusterConfig.class, c -> {
      if (c == null) throw new Refused(Problem.NO_CONFIG, "the cluster has no configuration yet");
      if (c.fence().devices().containsKey(device)) {
        throw new Refused(Problem.CONFLICT, "fence device " + device + " exists (change it with fence device set)");
      }
      return c.withFence(c.fence().withDevice(device, def));
    });
    return new Done("fence device " + device + " added (" + describe(def) + ")", 0);
  }

  public Done set(String device, Definition d) throws Exception {
    ClusterConfig after = store.get().update(StorePaths.CONFIG, ClusterConfig.class, c -> {
      FenceDeviceDef base = c == null ? null : c.fence().devices().get(device);
      if (base == null) throw missing(device);
      return c.withFence(c.fence().withDevice(device, applyTo(device, d, base)));
    });
    return new Done("fence device " + device + " changed (" + describe(after.fence().devices().get(device)) + ")", 0);
  }

  /** Refused while a node's fence levels name the device. */
  public Done remove(String device) throws Exception {
    store.get().update(StorePaths.CONFIG, ClusterConfig.class, c -> {
      if (c == null || !c.fence().devices().containsKey(device)) throw missing(device);
      TreeSet<String> users = users(c, device);
      if (!users.isEmpty()) {
        throw new Refused(Problem.CONFLICT, "fence device " + device + " is in the fence levels of "
            + String.join(", ", users) + " (change them first: palisade node set NODE --fence-level ...)");
      }
      return c.withFence(c.fence().withDevice(device, null));
    });
    return new Done("fence device " + device + " removed", 0);
  }

  /** The devices /config defines, sorted by name, with the nodes whose fence levels name each. */
  public static List<Listed> list(ClusterConfig cfg) {
    List<Listed> out = new ArrayList<>();
    cfg.fence().devices().forEach((n, d) -> out.add(new Listed(n, d, new ArrayList<>(users(cfg, n)))));
    return out;
  }

  private static Refused missing(String device) {
    return new Refused(Problem.NOT_FOUND, "no fence device '" + device + "' in the cluster's configuration");
  }

  /** The definition with every given part applied to base (null: a new device); refused naming the field. */
  FenceDeviceDef applyTo(String device, Definition d, FenceDeviceDef base) {
    String t = d.type() != null ? d.type() : base == null ? null : base.type();
    if (t == null) throw bad(name.apply("type") + ": required for a new device (ipmi, redfish or agent)");
    boolean agentType = t.equals("agent");
    TreeMap<String, String> opts = new TreeMap<>(base == null ? Map.of() : base.options());
    put(opts, agentType ? "ip" : "host", d.address());
    put(opts, agentType ? "ipport" : "port", d.port());
    put(opts, "username", d.user());
    if (d.agent() != null && !agentType) throw bad(name.apply("agent") + ": only for type agent");
    put(opts, "agent", d.agent());
    if (d.options() != null) d.options().forEach((k, v) -> put(opts, k, v));
    long deadline = d.timeout() != null ? ms(d.timeout()) : base != null && (d.type() == null
        || d.type().equals(base.type())) ? base.timeoutMs() : agentType ? 20_000 : 10_000;
    String s = d.secret() == null ? base == null ? null : base.secret() : d.secret().equals("none") ? null
        : d.secret();
    FenceDeviceDef def;
    try {
      def = new FenceDeviceDef(t, opts, deadline, s);
    } catch (ConfigException e) {
      // the definition's own checks speak the CLI's words; the caller's field names instead
      throw bad("fence device " + device + ": " + e.getMessage().replace("--secret-file-name",
          name.apply("secret_file_name")).replace("secret: '", name.apply("secret_file_name") + ": '"));
    }
    check(device, def);
    return def;
  }

  private static void put(Map<String, String> opts, String key, String value) {
    if (value == null) return;
    if (value.isEmpty()) opts.remove(key);
    else opts.put(key, value);
  }

  private long ms(String text) {
    try {
      return Durations.parseMs(text, name.apply("timeout"));
    } catch (ConfigException e) {
      throw bad(e.getMessage());
    }
  }

  /**
   * What can be judged before anything is written: no secret among the options; an ipmi or redfish device's options
   * as the daemons will build it (with a stand-in secret: the real one is on the hosts); an agent named.
   */
  private void check(String device, FenceDeviceDef def) {
    try {
      TreeMap<String, String> opts = new TreeMap<>(def.options());
      FenceDeviceSpec plain = FenceDeviceSpec.of(device, def.type(), opts);
      if (plain.hasInlineSecret()) {
        throw bad("fence device " + device + ": an option holds a secret (" + plain.describe() + "); secrets stay "
            + "on the hosts: name the file with " + name.apply("secret_file_name"));
      }
      if (def.type().equals("agent")) {
        if (!opts.containsKey("agent")) {
          throw new FenceException("option 'agent' is required (" + name.apply("agent") + " fence_x)");
        }
        return;
      }
      if (def.secret() == null) {
        throw new FenceException("a " + def.type() + " device needs a password: name its file on the hosts with "
            + name.apply("secret_file_name"));
      }
      opts.put("password", "stand-in");
      FenceDevices.create(FenceDeviceSpec.of(device, def.type(), opts));
    } catch (FenceException e) {
      String m = e.getMessage();
      throw bad(m.startsWith("fence device") ? m : "fence device " + device + ": " + m);
    }
  }

  /** Nodes whose fence levels name the device. */
  public static TreeSet<String> users(ClusterConfig cfg, String device) {
    TreeSet<String> out = new TreeSet<>();
    for (NodeConfig n : cfg.nodes().values()) {
      for (List<String> level : n.fenceLevels()) {
        if (level.contains(device)) out.add(n.name());
      }
    }
    return out;
  }

  /** `ipmi, host=10.0.1.4, username=root, timeout 10s, secret secrets/bmc4`. */
  public static String describe(FenceDeviceDef d) {
    return d.type() + ", " + (d.options().isEmpty() ? "no options" : d.options().toString().replaceAll("[{}]", ""))
        + ", timeout " + Durations.format(d.timeoutMs()) + ", secret " + (d.secret() == null ? "none"
        : "secrets/" + d.secret());
  }

  private static Refused bad(String message) {
    return new Refused(Problem.BAD_INPUT, message);
  }
}
