package palisade.sim.scenario;

import java.util.Set;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeRecord;
import palisade.core.NodeRemoval;
import palisade.core.StorePaths;
import palisade.core.Versioned;
import palisade.sim.SimWorld;

/**
 * `node add NODE ...` and `node remove NODE`: the operator's `palisade node add|remove` in a run. An added member is
 * written to the configuration, then its machine is powered and boots (the manager times it from its first
 * renewal). A removal is judged as the runtime judges it ({@link NodeRemoval}: stopped, holding nothing, named by
 * nothing) and refused otherwise, with the reason as an event; a removed node's machine is switched off (its daemon
 * would refuse to start), and the manager forgets it.
 */
final class MemberActions {
  private MemberActions() {}

  static Void apply(SimWorld world, OperatorWords.Member a, Set<String> fenceDevices) {
    return switch (a.verb()) {
      case ADD -> add(world, a, fenceDevices);
      case REMOVE -> remove(world, a.node());
      case SET -> agentOnly(world, a);
    };
  }

  /** `node set NODE agent_only=yes|no`: refused, as the store's writer refuses it, if no candidate would be left. */
  private static Void agentOnly(SimWorld world, OperatorWords.Member a) {
    boolean only = a.settings().get("agent_only").equals("yes");
    NodeConfig nc = world.config().nodes().get(a.node());
    if (nc == null) {
      world.log("operator", a.words() + " refused: no node '" + a.node() + "'");
      return null;
    }
    try {
      world.config().withNode(nc.withAgentOnly(only));
    } catch (ConfigException e) {
      world.log("operator", a.words() + " refused: " + e.getMessage());
      return null;
    }
    world.operatorConfig(a.words(), c -> c.withNode(c.nodes().get(a.node()).withAgentOnly(only)));
    return null;
  }

  private static Void add(SimWorld world, OperatorWords.Member a, Set<String> fenceDevices) {
    String what = a.words();
    if (world.config().nodes().containsKey(a.node())) {
      world.log("operator", what + " refused: node " + a.node() + " exists");
      return null;
    }
    NodeConfig nc = NodeDeclarations.nodeConfig(a.node(), a.settings(), fenceDevices); // checked when parsed
    try {
      world.config().withNodeAdded(nc); // the same check the store's writer makes before it writes
    } catch (ConfigException e) {
      world.log("operator", what + " refused: " + e.getMessage());
      return null;
    }
    world.operatorConfig(what, c -> c.withNodeAdded(nc));
    if (world.node(a.node()) == null) world.addMachine(nc, true); // racked and cabled, whether the write landed
    if (!world.config().nodes().containsKey(a.node())) return null; // no store quorum: not a member, left off
    world.powerOn(a.node());
    return null;
  }

  private static Void remove(SimWorld world, String node) {
    String what = "node remove " + node;
    ClusterConfig cfg = world.config();
    if (!cfg.nodes().containsKey(node)) {
      world.log("operator", what + " refused: no node '" + node + "'");
      return null;
    }
    ManagerState ms = world.managerState();
    Versioned<Object> rec = world.store().get(StorePaths.node(node));
    String why = NodeRemoval.running(ms, rec == null ? null : (NodeRecord) rec.value(), node);
    if (why != null) why += ": stop the node first";
    if (why == null) why = NodeRemoval.holding(ms, node);
    if (why == null && !world.runningOn(node).isEmpty()) {
      why = "resources still run on its machine: " + String.join(", ", world.runningOn(node));
    }
    if (why == null) {
      try {
        NodeRemoval.without(cfg, ms, node);
      } catch (ConfigException e) {
        why = e.getMessage();
      }
    }
    if (why != null) {
      world.log("operator", what + " refused: " + why);
      return null;
    }
    world.operatorConfig(what, c -> NodeRemoval.without(c, ms, node));
    if (world.config().nodes().containsKey(node)) return null; // no store quorum: nothing written
    world.powerOff(node, "removed from the cluster");
    return null;
  }
}
