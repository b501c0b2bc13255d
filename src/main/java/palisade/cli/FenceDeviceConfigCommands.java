package palisade.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.Durations;
import palisade.core.FenceDeviceDef;
import palisade.runtime.store.Admin;
import palisade.runtime.store.DeviceEdits;
import palisade.runtime.store.Operations;
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

    /** As the shared edit takes it: each --option split at its first '='. */
    DeviceEdits.Definition definition() {
      TreeMap<String, String> opts = new TreeMap<>();
      for (String o : options) {
        int eq = o.indexOf('=');
        if (eq <= 0) throw new CliError("--option: '" + o + "' is not KEY=VALUE; nothing was written");
        opts.put(o.substring(0, eq), o.substring(eq + 1));
      }
      return new DeviceEdits.Definition(type, address, port, user, agent, opts, timeout, secret);
    }
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
      DeviceEdits.Definition given = definition.definition(); // judged before any connection
      return ConfigEdit.run(store, admin -> new DeviceEdits(admin, Operations.CLI_NAMES).add(name, given),
          line -> line + "; every daemon builds it from its next round");
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
      DeviceEdits.Definition given = definition.definition();
      return ConfigEdit.run(store, admin -> new DeviceEdits(admin, Operations.CLI_NAMES).set(name, given),
          line -> line + "; every daemon builds it from its next round");
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
      return ConfigEdit.run(store, admin -> new DeviceEdits(admin, Operations.CLI_NAMES).remove(name), line -> line);
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
        for (DeviceEdits.Listed l : DeviceEdits.list(cfg)) {
          FenceDeviceDef d = l.def();
          LinkedHashMap<String, Object> o = new LinkedHashMap<>();
          o.put("name", l.name());
          o.put("type", d.type());
          o.put("timeout", Durations.format(d.timeoutMs()));
          o.put("secret", d.secret());
          o.put("usedBy", l.usedBy());
          o.put("options", d.options());
          json.add(o);
          t.row(l.name(), d.type(), Durations.format(d.timeoutMs()), d.secret(), l.usedBy().isEmpty() ? null
              : String.join(",", l.usedBy()), d.options().isEmpty() ? null : d.options().toString()
              .replaceAll("[{}]", ""));
        }
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
