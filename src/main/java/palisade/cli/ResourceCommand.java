package palisade.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.RequestState;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Operations;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade resource add|remove|set|start|stop|disable|enable|migrate|relocate|cleanup`: config edits by CAS, moves
 * and cleanup as commands; `list` and `show`: see {@link ResourceReads}; `import` and `export`: {@link
 * ResourceTransfer}.
 */
@picocli.CommandLine.Command(name = "resource", description = "Add, change, start, stop and move HA resources",
    subcommands = {ResourceCommand.Add.class, ResourceCommand.Remove.class, ResourceCommand.Set.class,
        ResourceCommand.Start.class, ResourceCommand.Stop.class, ResourceCommand.Disable.class,
        ResourceCommand.Enable.class, ResourceCommand.Migrate.class, ResourceCommand.Relocate.class,
        ResourceCommand.Cleanup.class, ResourceReads.ListCommand.class, ResourceReads.Show.class,
        ResourceTransfer.Import.class, ResourceTransfer.Export.class})
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

  static TreeMap<String, String> options(List<String> pairs, Map<String, String> base) {
    TreeMap<String, String> out = new TreeMap<>(base);
    for (String p : pairs) {
      int eq = p.indexOf('=');
      if (eq <= 0) throw new CliError("--option '" + p + "' is not KEY=VALUE");
      out.put(p.substring(0, eq), p.substring(eq + 1));
    }
    return out;
  }

  /** An operation shared with the HTTP API (same checks, same wording): prints its line, or refuses. */
  interface Op {
    Operations.Done apply(Operations ops) throws Exception;
  }

  static int run(StoreOptions store, Op op) throws Exception {
    return run(store, op, null, null);
  }

  /** As {@link #run(StoreOptions, Op)}; with {@code --wait}, returns only once goal is reached (see Waiter). */
  static int run(StoreOptions store, Op op, WaitOptions wait, WaitGoal goal) throws Exception {
    long timeoutMs = wait == null ? -1 : wait.checkedTimeoutMs(); // a bad --timeout writes nothing
    // the store is reached only once the input passed the checks that need none (bad input needs no cluster)
    ConfigEdit.LazyAdmin admin = new ConfigEdit.LazyAdmin(store);
    try {
      Operations.Done done = op.apply(new Operations(admin, Operations.CLI_NAMES));
      if (timeoutMs < 0) {
        System.out.println(done.message());
      } else {
        String line = new Waiter(admin.get(), done.commandSeq()).await(goal, timeoutMs, done.message());
        System.out.println(done.message() + "; " + line);
      }
    } catch (Operations.Refused r) {
      throw new CliError(r.getMessage(), r.exitCode());
    } finally {
      admin.close();
    }
    return 0;
  }

  @picocli.CommandLine.Command(name = "add", description = "Add a resource (its node, type and driver options)")
  static final class Add implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "ID", description = "resource id, e.g. vm:101")
    String id;

    @Option(names = "--node", required = true, paramLabel = "NODE", description = "the node it runs on first")
    String node;

    @Option(names = "--type", defaultValue = "process", paramLabel = "TYPE", description = "process or libvirt "
        + "(default ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "a driver option, repeatable (process: "
        + "command=...; libvirt: domain=...)")
    List<String> options = new ArrayList<>();

    @Option(names = "--state", defaultValue = "started", paramLabel = "STATE", description = "requested state: "
        + "started, stopped or disabled (default ${DEFAULT-VALUE})")
    String state;

    @Option(names = "--disk", paramLabel = "PATH", description = "a disk it writes, repeatable: its lease is held "
        + "wherever the resource runs (a libvirt domain's own disks are added from its XML)")
    List<String> disks = new ArrayList<>();

    @Option(names = "--group", paramLabel = "GROUP", description = "its placement group")
    String group;

    @Option(names = "--priority", defaultValue = "0", paramLabel = "N", description = "recovery order: higher "
        + "first (default ${DEFAULT-VALUE})")
    int priority;

    @Option(names = "--max-restart", defaultValue = "1", paramLabel = "N", description = "restarts on the same "
        + "node after a failed start (default ${DEFAULT-VALUE})")
    int maxRestart;

    @Option(names = "--max-relocate", defaultValue = "1", paramLabel = "N", description = "moves to another node "
        + "after failed restarts (default ${DEFAULT-VALUE})")
    int maxRelocate;

    @Mixin
    WaitOptions wait = new WaitOptions();

    @Override
    public Integer call() throws Exception {
      TreeMap<String, String> opts = options(options, Map.of());
      return run(store, ops -> ops.add(new Operations.NewResource(id, node, type, opts, state, group, priority,
          maxRestart, maxRelocate, disks)), wait, WaitGoal.asConfigured(id));
    }
  }

  @picocli.CommandLine.Command(name = "remove", description = "Remove a resource from management")
  static final class Remove implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "ID", description = "resource id, e.g. vm:101")
    String id;

    @Override
    public Integer call() throws Exception {
      return run(store, ops -> ops.remove(id));
    }
  }

  @picocli.CommandLine.Command(name = "set", description = "Change a resource's settings")
  static final class Set implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "ID", description = "resource id, e.g. vm:101")
    String id;

    @Option(names = "--state", paramLabel = "STATE", description = "requested state: started, stopped or disabled")
    String state;

    @Option(names = "--group", paramLabel = "GROUP", description = "a group name, or - for none")
    String group;

    @Option(names = "--priority", paramLabel = "N", description = "recovery order: higher first")
    Integer priority;

    @Option(names = "--max-restart", paramLabel = "N", description = "restarts on the same node after a failed start")
    Integer maxRestart;

    @Option(names = "--max-relocate", paramLabel = "N", description = "moves to another node after failed restarts")
    Integer maxRelocate;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "a driver option, repeatable")
    List<String> options = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      Map<String, String> opts = options(options, Map.of());
      return run(store, ops -> ops.set(id, new Operations.Change(state, group, priority, maxRestart, maxRelocate,
          opts)));
    }
  }

  /** start, stop, disable, enable: set the requested state. */
  abstract static class StateChange implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "ID", description = "resource id, e.g. vm:101")
    String id;

    @Mixin
    WaitOptions wait = new WaitOptions();

    abstract RequestState target();

    @Override
    public Integer call() throws Exception {
      return run(store, ops -> ops.request(id, target()), wait, WaitGoal.asConfigured(id));
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

    @Parameters(index = "0", paramLabel = "ID", description = "resource id, e.g. vm:101")
    String id;

    @Parameters(index = "1", paramLabel = "NODE", description = "the node to move it to")
    String node;

    @Mixin
    WaitOptions wait = new WaitOptions();

    abstract boolean live();

    @Override
    public Integer call() throws Exception {
      return run(store, ops -> ops.move(id, node, live()), wait, WaitGoal.movedTo(id, node));
    }
  }

  @picocli.CommandLine.Command(name = "migrate", description = "Live-migrate the resource to NODE")
  static final class Migrate extends Move {
    @Override
    boolean live() {
      return true;
    }
  }

  @picocli.CommandLine.Command(name = "relocate", description = "Stop the resource and start it on NODE")
  static final class Relocate extends Move {
    @Override
    boolean live() {
      return false;
    }
  }

  @picocli.CommandLine.Command(name = "cleanup", description = "Clear the error state: stop the resource where it "
      + "is, then apply its requested state again")
  static final class Cleanup implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "ID", description = "resource id, e.g. vm:101")
    String id;

    @Mixin
    WaitOptions wait = new WaitOptions();

    @Override
    public Integer call() throws Exception {
      return run(store, ops -> ops.cleanup(id), wait, WaitGoal.asConfigured(id));
    }
  }
}
