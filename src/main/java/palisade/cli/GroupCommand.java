package palisade.cli;

import java.util.TreeMap;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.GroupConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `palisade group add|remove`: placement groups, edited in /config by compare-and-set. */
@Command(name = "group", description = "Placement groups", subcommands = {GroupCommand.Add.class,
    GroupCommand.Remove.class})
final class GroupCommand {
  private GroupCommand() {}

  static ClusterConfig withGroups(ClusterConfig cfg, TreeMap<String, GroupConfig> groups) {
    return cfg.withGroups(groups);
  }

  @Command(name = "add", description = "Add a group: --nodes node1:2,node2:1 (higher priority wins)")
  static final class Add implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the group's name")
    String name;

    @Option(names = "--nodes", required = true, description = "NODE[:PRIORITY],...")
    String nodes;

    @Option(names = "--restricted", description = "its resources run on these nodes only (else elsewhere when none "
        + "of them is online)")
    boolean restricted;

    @Option(names = "--failback", description = "move a resource back to a higher-priority node when it is online "
        + "again")
    boolean failback;

    @Override
    public Integer call() throws Exception {
      TreeMap<String, Integer> members = new TreeMap<>();
      for (String part : nodes.split(",")) {
        String[] np = part.trim().split(":");
        if (np.length > 2 || np[0].isBlank()) throw new CliError("--nodes: '" + part + "' is not NODE[:PRIORITY]");
        try {
          members.put(np[0], np.length == 2 ? Integer.parseInt(np[1]) : 0);
        } catch (NumberFormatException e) {
          throw new CliError("--nodes: priority of '" + part + "' is not a number");
        }
      }
      GroupConfig g = new GroupConfig(name, members, restricted, failback);
      ResourceCommand.edit(store, cfg -> {
        if (cfg.groups().containsKey(name)) throw new CliError("group '" + name + "' exists already");
        TreeMap<String, GroupConfig> gs = new TreeMap<>(cfg.groups());
        gs.put(name, g);
        return withGroups(cfg, gs);
      });
      System.out.println("group " + name + ": added");
      return 0;
    }
  }

  @Command(name = "remove", description = "Remove a group no resource uses")
  static final class Remove implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the group's name")
    String name;

    @Override
    public Integer call() throws Exception {
      ResourceCommand.edit(store, cfg -> {
        if (!cfg.groups().containsKey(name)) throw new CliError("no group '" + name + "'");
        TreeMap<String, GroupConfig> gs = new TreeMap<>(cfg.groups());
        gs.remove(name);
        return withGroups(cfg, gs);
      });
      System.out.println("group " + name + ": removed");
      return 0;
    }
  }
}
