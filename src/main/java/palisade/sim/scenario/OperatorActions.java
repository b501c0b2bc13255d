package palisade.sim.scenario;

import java.util.List;
import java.util.Map;
import palisade.core.ClusterConfig;
import palisade.core.Command;
import palisade.core.ConfigException;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.sim.SimWorld;

/**
 * What the operator's `service` actions do to a simulated world: requested-state changes and moves (through the
 * store, as the CLI does them), adding, deleting and ignoring resources, and measured usage. A change the
 * configuration refuses (an unknown group, a resource added twice) is logged as refused and changes nothing.
 */
final class OperatorActions {
  private OperatorActions() {}

  /** `service ID add node=NODE [state=...] [group=G] [cpu=N] [mem=SIZE]`, the words from `service` on. */
  static Action.ServiceAdd add(List<String> a) {
    String id = a.get(1);
    Map<String, String> kv = DeclarationValues.keyValues(a.subList(3, a.size()), "service " + id + " add",
        List.of("node", "state", "group", "cpu", "mem"));
    if (!kv.containsKey("node")) throw new ConfigException("service " + id + " add: node= is required");
    return new Action.ServiceAdd(id, kv.get("node"), RequestState.parse(kv.getOrDefault("state", "started"),
        "service " + id + " add"), kv.get("group"), RuleDeclaration.capacity(kv, "service " + id + " add"));
  }

  /** `usage ID cpu=X mem=SIZE`, the words from `usage` on. */
  static Action.Usage usage(List<String> a) {
    if (a.size() < 3) throw new ConfigException("usage: expected usage ID cpu=X mem=SIZE");
    Map<String, String> kv = DeclarationValues.keyValues(a.subList(2, a.size()), "usage " + a.get(1),
        List.of("cpu", "mem"));
    return new Action.Usage(a.get(1), RuleDeclaration.capacity(kv, "usage " + a.get(1)));
  }

  /** A move (node already resolved from `@manager`), or a requested-state change, or cleanup. */
  static Void service(SimWorld world, Action.Service a, String node) {
    String id = a.id();
    String what = "service " + id + " " + a.command().word();
    switch (a.command()) {
      case MIGRATE, RELOCATE -> {
        boolean live = a.command() == Action.ServiceCommand.MIGRATE;
        world.operatorCommand(what + " " + node,
            seq -> live ? new Command.Migrate(seq, id, node) : new Command.Relocate(seq, id, node));
      }
      case CLEANUP -> world.operatorCommand(what, seq -> new Command.Cleanup(seq, id));
      case STOP, DISABLE, START, ENABLE -> {
        RequestState st = switch (a.command()) {
          case STOP -> RequestState.STOPPED;
          case DISABLE -> RequestState.DISABLED;
          case START, ENABLE, MIGRATE, RELOCATE, CLEANUP -> RequestState.STARTED;
        };
        change(world, what, c -> {
          ResourceConfig rc = c.resources().get(id);
          if (rc == null) throw new ConfigException(id + " is not configured");
          return c.withResource(rc.withState(st));
        });
      }
    }
    return null;
  }

  static Void add(SimWorld world, Action.ServiceAdd a) {
    change(world, a.words(), c -> {
      if (c.resources().containsKey(a.id())) throw new ConfigException(a.id() + " is configured already");
      ClusterConfig next = c.withResource(ResourceConfig.sim(a.id(), a.node(), a.state(), a.group(), 0,
          ResourceConfig.DEFAULT_MAX_RESTART, ResourceConfig.DEFAULT_MAX_RELOCATE, List.of()));
      return a.demand() == null ? next : next.withPlacement(next.placement().withResourceDemand(a.id(), a.demand()));
    });
    return null;
  }

  static Void drop(SimWorld world, Action.ServiceDrop a) {
    change(world, a.words(), c -> {
      ResourceConfig rc = c.resources().get(a.id());
      if (rc == null) throw new ConfigException(a.id() + " is not configured");
      return a.delete() ? c.withoutResource(a.id()) : c.withResource(rc.withState(RequestState.IGNORED));
    });
    return null;
  }

  static Void usage(SimWorld world, Action.Usage a) {
    world.drivers().measure(a.id(), a.used());
    world.log("operator", a.words());
    return null;
  }

  /** `maintenance NODE on|off` (node resolved), through the store's command queue as the CLI sends it. */
  static Void maintenance(SimWorld world, String n, boolean on) {
    world.operatorCommand("maintenance " + n + " " + (on ? "on" : "off"), seq -> new Command.Maintenance(seq, n, on));
    return null;
  }

  /** `spm move NODE` (node resolved), through the command queue as the CLI sends it. */
  static Void spmMove(SimWorld world, String n) {
    world.operatorCommand("spm move " + n, seq -> new Command.SpmMove(seq, n, "operator"));
    return null;
  }

  /** `fence node NODE` (node resolved). */
  static Void fenceNode(SimWorld world, String n) {
    world.operatorCommand("fence node " + n, seq -> new Command.FenceNode(seq, n, "operator"));
    return null;
  }

  /** `fence confirm NODE [if-off]` (node resolved): with if-off, nothing while the node is powered. */
  static Void fenceConfirm(SimWorld world, String n, boolean ifOff) {
    if (ifOff && world.node(n).powered()) {
      world.log("operator", n + " is powered on: no fence confirmation");
      return null;
    }
    var rec = world.store().get(palisade.core.StorePaths.node(n)); // the incarnation the operator judges off
    long seen = rec == null ? -1 : ((palisade.core.NodeRecord) rec.value()).counter();
    world.operatorCommand("fence confirm " + n, seq -> new Command.FenceConfirm(seq, n, "operator", seen));
    return null;
  }

  /** `disarm freeze|ignore` and `arm`. */
  static Void ha(SimWorld world, Action.Ha a) {
    world.operatorCommand(a.words(), seq -> a.disarm() == null ? new Command.Arm(seq) : new Command.Disarm(seq,
        a.disarm()));
    return null;
  }

  /** A configuration change as the CLI makes it: refused, with the reason logged, if the result is not valid. */
  private static void change(SimWorld world, String what, java.util.function.UnaryOperator<ClusterConfig> f) {
    try {
      f.apply(world.config()); // the same check the store's writer makes before it writes
    } catch (ConfigException e) {
      world.log("operator", what + " refused: " + e.getMessage());
      return;
    }
    world.operatorConfig(what, f);
  }
}
