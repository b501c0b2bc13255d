package palisade.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.FenceDeviceDef;
import palisade.core.NodeConfig;
import palisade.core.StorePaths;
import palisade.fencing.FenceDeviceSpec;
import palisade.fencing.FenceDevices;
import palisade.fencing.FenceException;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade fence device add|set|remove|list`: the fence devices the cluster defines in /config. The definition
 * (type, address, port, user, options) is the cluster's; the secret never leaves the hosts: each keeps it in
 * {@code secrets/<name>} beside its store credential (/etc/palisade/secrets/NAME, mode 0600), named by {@code
 * --secret-file-name}. Every daemon builds a device added or changed here without a restart.
 */
final class FenceDeviceConfigCommands {
  private FenceDeviceConfigCommands() {}

  /** The definition's parts `add` and `set` share; null = not given. */
  static final class Definition {
    @Option(names = "--type", paramLabel = "ipmi|redfish|agent", description = "the device's kind (agent: a "
        + "ClusterLabs fence agent, named by --agent)")
    String type;

    @Option(names = "--address", paramLabel = "HOST", description = "the BMC's address (option host; ip for an agent)")
    String address;

    @Option(names = "--port", paramLabel = "N", description = "the BMC's port (option port; ipport for an agent)")
    String port;

    @Option(names = "--user", paramLabel = "NAME", description = "the BMC's user (option username)")
    String user;

    @Option(names = "--agent", paramLabel = "fence_x", description = "the fence agent (type agent)")
    String agent;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "any other option of the device (e.g. "
        + "cipher=3, ssl_insecure=true, lanplus=1); KEY= removes it. Never a password")
    List<String> options = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION", description = "the deadline of one call (default 20s for "
        + "an agent, 10s otherwise)")
    String timeout;

    @Option(names = "--secret-file-name", paramLabel = "NAME", description = "the secret's file on every host: "
        + "secrets/NAME beside the host's store credential, mode 0600 (/etc/palisade/secrets/NAME on an installed "
        + "host; <data_dir>/secrets/NAME in the lab); 'none' for no secret")
    String secret;

    /** The definition with every given part applied to base (null: a new device); refused naming the argument. */
    FenceDeviceDef applyTo(String name, FenceDeviceDef base) {
      String t = type != null ? type : base == null ? null : base.type();
      if (t == null) throw new CliError("--type: required for a new device (ipmi, redfish or agent)");
      boolean agentType = t.equals("agent");
      TreeMap<String, String> opts = new TreeMap<>(base == null ? Map.of() : base.options());
      put(opts, agentType ? "ip" : "host", address);
      put(opts, agentType ? "ipport" : "port", port);
      put(opts, "username", user);
      if (agent != null && !agentType) throw new CliError("--agent: only for --type agent");
      put(opts, "agent", agent);
      for (String o : options) {
        int eq = o.indexOf('=');
        if (eq <= 0) throw new CliError("--option: '" + o + "' is not KEY=VALUE; nothing was written");
        put(opts, o.substring(0, eq), o.substring(eq + 1));
      }
      long deadline = timeout != null ? ms(timeout) : base != null && (type == null || type.equals(base.type()))
          ? base.timeoutMs() : agentType ? 20_000 : 10_000;
      String s = secret == null ? base == null ? null : base.secret() : secret.equals("none") ? null : secret;
      FenceDeviceDef def;
      try {
        def = new FenceDeviceDef(t, opts, deadline, s);
      } catch (ConfigException e) {
        throw new CliError("fence device " + name + ": " + e.getMessage() + "; nothing was written");
      }
      check(name, def);
      return def;
    }

    private static void put(Map<String, String> opts, String key, String value) {
      if (value == null) return;
      if (value.isEmpty()) opts.remove(key);
      else opts.put(key, value);
    }

    private static long ms(String text) {
      try {
        return Durations.parseMs(text, "--timeout");
      } catch (ConfigException e) {
        throw new CliError(e.getMessage() + "; nothing was written");
      }
    }
  }

  /**
   * What can be judged here, before anything is written: no secret among the options; an ipmi or redfish device's
   * options as the daemons will build it (with a stand-in secret: the real one is on the hosts); an agent named.
   */
  static void check(String name, FenceDeviceDef def) {
    try {
      TreeMap<String, String> opts = new TreeMap<>(def.options());
      FenceDeviceSpec plain = FenceDeviceSpec.of(name, def.type(), opts);
      if (plain.hasInlineSecret()) {
        throw new CliError("fence device " + name + ": an option holds a secret (" + plain.describe() + "); "
            + "secrets stay on the hosts: name the file with --secret-file-name; nothing was written");
      }
      if (def.type().equals("agent")) {
        if (!opts.containsKey("agent")) throw new FenceException("option 'agent' is required (--agent fence_x)");
        return;
      }
      if (def.secret() == null) {
        throw new FenceException("a " + def.type() + " device needs a password: name its file on the hosts with "
            + "--secret-file-name");
      }
      opts.put("password", "stand-in");
      FenceDevices.create(FenceDeviceSpec.of(name, def.type(), opts));
    } catch (FenceException e) {
      String m = e.getMessage();
      throw new CliError((m.startsWith("fence device") ? m : "fence device " + name + ": " + m)
          + "; nothing was written");
    }
  }

  /** Nodes whose fence levels name the device. */
  static TreeSet<String> users(ClusterConfig cfg, String device) {
    TreeSet<String> out = new TreeSet<>();
    for (NodeConfig n : cfg.nodes().values()) {
      for (List<String> level : n.fenceLevels()) {
        if (level.contains(device)) out.add(n.name());
      }
    }
    return out;
  }

  static String describe(FenceDeviceDef d) {
    return d.type() + ", " + (d.options().isEmpty() ? "no options" : d.options().toString().replaceAll("[{}]", ""))
        + ", timeout " + Durations.format(d.timeoutMs()) + ", secret " + (d.secret() == null ? "none"
        : "secrets/" + d.secret());
  }

  @Command(name = "add", description = {"Define a fence device for the whole cluster (no secret: each host keeps "
      + "it in /etc/palisade/secrets/NAME, mode 0600). Every daemon builds it without a restart; name it in a node's "
      + "fence levels with `node set NODE --fence-level DEV`. Bad input exits 2 and writes nothing."})
  static final class Add implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the device's name")
    String name;

    @Mixin
    Definition definition = new Definition();

    @Override
    public Integer call() throws Exception {
      if (!FenceDeviceDef.NAME.matcher(name).matches()) {
        throw new CliError("NAME: '" + name + "' is not a device name (lower-case letters, digits, '-', '_')");
      }
      FenceDeviceDef def = definition.applyTo(name, null); // judged before any connection
      try (Admin admin = store.admin()) {
        admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
          if (c == null) throw new CliError("the cluster has no configuration yet; nothing was written", 1);
          if (c.fence().devices().containsKey(name)) {
            throw new CliError("fence device " + name + " exists (change it with fence device set); nothing was "
                + "written");
          }
          return c.withFence(c.fence().withDevice(name, def));
        });
        String line = "fence device " + name + " added (" + describe(def) + ")";
        admin.audit(line);
        System.out.println(line + "; every daemon builds it from its next round");
      }
      return 0;
    }
  }

  @Command(name = "set", description = {"Change a fence device of the cluster's configuration: the given parts "
      + "only. Every daemon builds the new definition without a restart. Bad input exits 2 and writes nothing."})
  static final class Set implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the device")
    String name;

    @Mixin
    Definition definition = new Definition();

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        ClusterConfig after = admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
          FenceDeviceDef base = c == null ? null : c.fence().devices().get(name);
          if (base == null) throw new CliError("no fence device '" + name + "' in the cluster's configuration");
          return c.withFence(c.fence().withDevice(name, definition.applyTo(name, base)));
        });
        String line = "fence device " + name + " changed (" + describe(after.fence().devices().get(name)) + ")";
        admin.audit(line);
        System.out.println(line + "; every daemon builds it from its next round");
      }
      return 0;
    }
  }

  @Command(name = "remove", description = "Remove a fence device from the cluster's configuration; refused (exit 2) "
      + "while a node's fence levels name it")
  static final class Remove implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the device")
    String name;

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
          if (c == null || !c.fence().devices().containsKey(name)) {
            throw new CliError("no fence device '" + name + "' in the cluster's configuration");
          }
          TreeSet<String> users = users(c, name);
          if (!users.isEmpty()) {
            throw new CliError("fence device " + name + " is in the fence levels of " + String.join(", ", users)
                + " (change them first: palisade node set NODE --fence-level ...); nothing was written");
          }
          return c.withFence(c.fence().withDevice(name, null));
        });
        admin.audit("fence device " + name + " removed");
        System.out.println("fence device " + name + " removed");
      }
      return 0;
    }
  }

  @Command(name = "list", description = "The fence devices the cluster's configuration defines, and who uses them "
      + "(never a secret)")
  static final class ListDevices implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    OutputOption output = new OutputOption();

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        ClusterConfig cfg = NodeConfigCommands.config(admin);
        List<Map<String, Object>> json = new ArrayList<>();
        Table t = new Table("NAME", "TYPE", "TIMEOUT", "SECRET", "USED BY", "OPTIONS");
        cfg.fence().devices().forEach((n, d) -> {
          TreeSet<String> users = users(cfg, n);
          LinkedHashMap<String, Object> o = new LinkedHashMap<>();
          o.put("name", n);
          o.put("type", d.type());
          o.put("timeout", Durations.format(d.timeoutMs()));
          o.put("secret", d.secret());
          o.put("usedBy", new ArrayList<>(users));
          o.put("options", d.options());
          json.add(o);
          t.row(n, d.type(), Durations.format(d.timeoutMs()), d.secret(), users.isEmpty() ? null
              : String.join(",", users), d.options().isEmpty() ? null : d.options().toString().replaceAll("[{}]",
              ""));
        });
        if (output.json()) {
          OutputOption.print(json, System.out);
        } else if (t.isEmpty()) {
          System.out.println("no fence devices in the cluster's configuration (a host's YAML may define its own)");
        } else {
          t.print(System.out);
        }
      }
      return 0;
    }
  }
}
