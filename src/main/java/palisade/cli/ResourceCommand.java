package palisade.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.Command;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade resource add|remove|set|start|stop|disable|enable|migrate|relocate|cleanup`: config edits by CAS, moves
 * and cleanup as commands.
 */
@picocli.CommandLine.Command(name = "resource", description = "Add, change, start, stop and move HA resources",
    subcommands = {ResourceCommand.Add.class, ResourceCommand.Remove.class, ResourceCommand.Set.class,
        ResourceCommand.Start.class, ResourceCommand.Stop.class, ResourceCommand.Disable.class,
        ResourceCommand.Enable.class, ResourceCommand.Migrate.class, ResourceCommand.Relocate.class,
        ResourceCommand.Cleanup.class})
final class ResourceCommand {
  private ResourceCommand() {}

  /** Read /config, change it, compare-and-set it; a refusal (exception) writes nothing. */
  static ClusterConfig edit(StoreOptions store, java.util.function.UnaryOperator<ClusterConfig> change)
      throws Exception {
    try (Admin admin = store.admin()) {
      return admin.update(StorePaths.CONFIG, ClusterConfig.class, cfg -> {
        if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
        return change.apply(cfg);
      });
    }
  }

  static ResourceConfig existing(ClusterConfig cfg, String id) {
    ResourceConfig rc = cfg.resources().get(id);
    if (rc == null) throw new CliError("no resource '" + id + "'");
    return rc;
  }

  static TreeMap<String, String> options(List<String> pairs, Map<String, String> base) {
    TreeMap<String, String> out = new TreeMap<>(base);
    for (String p : pairs) {
      int eq = p.indexOf('=');
      if (eq <= 0) throw new CliError("--option '" + p + "' is not KEY=VALUE");
      out.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return out;
  }

  static RequestState state(String s) {
    return RequestState.parse(s, "--state");
  }

  @picocli.CommandLine.Command(name = "add", description = "Add a resource (its node, type and driver options)")
  static final class Add implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", description = "resource id, e.g. vm:101")
    String id;

    @Option(names = "--node", required = true)
    String node;

    @Option(names = "--type", defaultValue = "process", description = "process or libvirt")
    String type;

    @Option(names = "--option", description = "driver option KEY=VALUE (process: command=...)")
    List<String> options = new ArrayList<>();

    @Option(names = "--state", defaultValue = "started")
    String state;

    @Option(names = "--group")
    String group;

    @Option(names = "--priority", defaultValue = "0")
    int priority;

    @Option(names = "--max-restart", defaultValue = "1")
    int maxRestart;

    @Option(names = "--max-relocate", defaultValue = "1")
    int maxRelocate;

    @Override
    public Integer call() throws Exception {
      if (!id.matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) throw new CliError("resource id '" + id + "' is not valid");
      if (!type.equals("process") && !type.equals("libvirt")) {
        throw new CliError("--type must be process or libvirt, got '" + type + "'");
      }
      TreeMap<String, String> opts = options(options, Map.of());
      if (type.equals("process") && !opts.containsKey("command")) {
        throw new CliError("a process resource needs --option command=...");
      }
      RequestState st = state(state);
      edit(store, cfg -> {
        if (cfg.resources().containsKey(id)) throw new CliError("resource '" + id + "' exists already");
        return cfg.withResource(new ResourceConfig(id, node, st, group, priority, maxRestart, maxRelocate,
            List.of(), type, opts));
      });
      System.out.println(id + ": added on " + node);
      return 0;
    }
  }

  @picocli.CommandLine.Command(name = "remove", description = "Remove a resource from management")
  static final class Remove implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0")
    String id;

    @Override
    public Integer call() throws Exception {
      edit(store, cfg -> {
        existing(cfg, id);
        return cfg.withoutResource(id);
      });
      System.out.println(id + ": removed");
      return 0;
    }
  }

  @picocli.CommandLine.Command(name = "set", description = "Change a resource's settings")
  static final class Set implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0")
    String id;

    @Option(names = "--state")
    String state;

    @Option(names = "--group", description = "a group name, or - for none")
    String group;

    @Option(names = "--priority")
    Integer priority;

    @Option(names = "--max-restart")
    Integer maxRestart;

    @Option(names = "--max-relocate")
    Integer maxRelocate;

    @Option(names = "--option", description = "driver option KEY=VALUE")
    List<String> options = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      RequestState st = state == null ? null : state(state);
      edit(store, cfg -> {
        ResourceConfig rc = existing(cfg, id);
        return cfg.withResource(new ResourceConfig(id, rc.node(), st == null ? rc.state() : st,
            group == null ? rc.group() : group.equals("-") ? null : group,
            priority == null ? rc.priority() : priority, maxRestart == null ? rc.maxRestart() : maxRestart,
            maxRelocate == null ? rc.maxRelocate() : maxRelocate, rc.disks(), rc.type(),
            options(options, rc.options())));
      });
      System.out.println(id + ": updated");
      return 0;
    }
  }

  /** start, stop, disable, enable: set the requested state. */
  abstract static class StateChange implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0")
    String id;

    abstract RequestState target();

    @Override
    public Integer call() throws Exception {
      edit(store, cfg -> cfg.withResource(existing(cfg, id).withState(target())));
      System.out.println(id + ": requested " + target().name().toLowerCase(java.util.Locale.ROOT));
      return 0;
    }
  }

  @picocli.CommandLine.Command(name = "start", description = "Request the resource started")
  static final class Start extends StateChange {
    @Override
    RequestState target() {
      return RequestState.STARTED;
    }
  }

  @picocli.CommandLine.Command(name = "stop", description = "Request the resource stopped")
  static final class Stop extends StateChange {
    @Override
    RequestState target() {
      return RequestState.STOPPED;
    }
  }

  @picocli.CommandLine.Command(name = "disable", description = "Stop the resource and clear its error state")
  static final class Disable extends StateChange {
    @Override
    RequestState target() {
      return RequestState.DISABLED;
    }
  }

  @picocli.CommandLine.Command(name = "enable", description = "Request a disabled resource started again")
  static final class Enable extends StateChange {
    @Override
    RequestState target() {
      return RequestState.STARTED;
    }
  }

  /** migrate, relocate: an operator command for the manager. */
  abstract static class Move implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0")
    String id;

    @Parameters(index = "1")
    String node;

    abstract Command make(long seq);

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
        if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
        existing(cfg, id);
        if (!cfg.nodes().containsKey(node)) throw new CliError("no node '" + node + "'");
        long seq = admin.command(this::make);
        System.out.println(id + ": command " + seq + " queued (" + make(seq) + ")");
      }
      return 0;
    }
  }

  @picocli.CommandLine.Command(name = "migrate", description = "Live-migrate the resource to NODE")
  static final class Migrate extends Move {
    @Override
    Command make(long seq) {
      return new Command.Migrate(seq, id, node);
    }
  }

  @picocli.CommandLine.Command(name = "relocate", description = "Stop the resource and start it on NODE")
  static final class Relocate extends Move {
    @Override
    Command make(long seq) {
      return new Command.Relocate(seq, id, node);
    }
  }

  @picocli.CommandLine.Command(name = "cleanup", description = "Clear the error state: stop the resource where it "
      + "is, then apply its requested state again")
  static final class Cleanup implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", description = "resource id, e.g. vm:101")
    String id;

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
        if (cfg == null) throw new CliError("the cluster has no configuration yet", 1);
        existing(cfg, id);
        long seq = admin.command(s -> new Command.Cleanup(s, id));
        System.out.println(id + ": cleanup queued as command " + seq + " (the manager clears it if it is in error)");
      }
      return 0;
    }
  }
}
