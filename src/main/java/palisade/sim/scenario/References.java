package palisade.sim.scenario;

import java.util.List;
import java.util.Set;
import palisade.core.ConfigException;

/**
 * Names in actions and expectations refer to declared nodes, resources and devices: the same check for a parsed
 * line and a record fuzz built. Throws ConfigException naming the word and what it should have been.
 */
final class References implements Action.Visitor<Void>, Expectation.Visitor<Void> {
  /** What `node add` takes: a node declaration's settings of the configuration (not the machine's). */
  static final List<String> NODE_ADD_KEYS = List.of("watchdog", "fence", "spm_priority", "manual_only",
      "shutdown_policy", "soft_fence", "kdump", "site", "agent_only");
  private final Set<String> nodes;
  private final Set<String> resources;
  private final Set<String> fenceDevices;

  References(Set<String> nodes, Set<String> resources, Set<String> fenceDevices) {
    this.nodes = nodes;
    this.resources = resources;
    this.fenceDevices = fenceDevices;
  }

  private static ConfigException error(String message) {
    return new ConfigException(message);
  }

  private Void requireNode(String n, String where) {
    if (!nodes.contains(n)) throw error(where + ": unknown node '" + n + "'");
    return null;
  }

  /** `@manager` stands for whichever node holds the manager lease when the step runs. */
  private Void nodeRef(String n, String where) {
    return n.equals("@manager") ? null : requireNode(n, where);
  }

  private Void nodeRefs(List<String> ns, String where) {
    for (String n : ns) nodeRef(n, where);
    return null;
  }

  private void resourceRef(String id) {
    if (!resources.contains(id)) throw error("expect: unknown resource '" + id + "'");
  }

  // ---- actions ---------------------------------------------------------------------------------------------------

  @Override
  public Void power(Action.Power a) {
    return nodeRef(a.node(), "power");
  }

  @Override
  public Void network(Action.Network a) {
    return nodeRef(a.node(), "network");
  }

  @Override
  public Void partition(Action.Partition a) {
    for (List<String> side : a.sides()) {
      for (String n : side) requireNode(n, "partition");
    }
    return null;
  }

  @Override
  public Void heal(Action.Heal a) {
    return null;
  }

  @Override
  public Void pause(Action.Pause a) {
    return nodeRef(a.node(), "pause");
  }

  @Override
  public Void reboot(Action.Reboot a) {
    return nodeRef(a.node(), "reboot");
  }

  @Override
  public Void shutdown(Action.Shutdown a) {
    return nodeRef(a.node(), "shutdown");
  }

  @Override
  public Void hostFault(Action.HostFault a) {
    return nodeRef(a.node(), a.kind() == Action.HostFault.Kind.KDUMP ? "kdump" : "daemon");
  }

  /** An added node is a new name with a node declaration's settings; a removed one a known node. */
  @Override
  public Void member(OperatorWords.Member a) {
    if (a.verb() == OperatorWords.Verb.REMOVE) return requireNode(a.node(), "node remove");
    if (a.verb() == OperatorWords.Verb.SET) {
      if (!a.settings().keySet().equals(java.util.Set.of("agent_only"))) {
        throw error("node set " + a.node() + ": expected agent_only=yes|no (the one setting a run changes)");
      }
      DeclarationValues.yesNo(a.settings().get("agent_only"), "node set " + a.node() + " agent_only");
      return requireNode(a.node(), "node set");
    }
    if (nodes.contains(a.node())) throw error("node add: node '" + a.node() + "' exists already");
    if (!a.node().matches("[a-z0-9][a-z0-9_-]{0,62}")) throw error("node add: '" + a.node() + "' is not a node name");
    for (String k : a.settings().keySet()) {
      if (!NODE_ADD_KEYS.contains(k)) {
        throw error("node add " + a.node() + ": unknown key '" + k + "' (expected " + String.join(", ", NODE_ADD_KEYS)
            + ")");
      }
    }
    DeclarationValues.checkFenceExtras(a.settings(), a.node());
    NodeDeclarations.nodeConfig(a.node(), a.settings(), fenceDevices);
    return null;
  }

  @Override
  public Void freeze(Action.Freeze a) {
    return nodeRef(a.node(), "freeze");
  }

  @Override
  public Void storageWriter(Expectation.StorageWriter e) {
    return nodeRefs(e.nodes(), "expect storage");
  }

  @Override
  public Void storageRejected(Expectation.StorageRejected e) {
    return nodeRef(e.node(), "expect storage");
  }

  @Override
  public Void restartDaemon(Action.RestartDaemon a) {
    return nodeRef(a.node(), "restart-daemon");
  }

  @Override
  public Void ha(Action.Ha a) {
    return null; // names no node
  }

  @Override
  public Void clusterIs(Expectation.ClusterIs x) {
    return null;
  }

  @Override
  public Void service(Action.Service a) {
    if (!resources.contains(a.id())) throw error("service: unknown resource '" + a.id() + "'");
    return a.node() == null ? null : nodeRef(a.node(), "service " + a.command().word());
  }

  @Override
  public Void serviceAdd(Action.ServiceAdd a) {
    return requireNode(a.node(), "service " + a.id() + " add");
  }

  @Override
  public Void serviceDrop(Action.ServiceDrop a) {
    if (!resources.contains(a.id())) throw error("service: unknown resource '" + a.id() + "'");
    return null;
  }

  @Override
  public Void usage(Action.Usage a) {
    if (!resources.contains(a.id())) throw error("usage: unknown resource '" + a.id() + "'");
    return null;
  }

  @Override
  public Void maintenance(Action.Maintenance a) {
    return nodeRef(a.node(), "maintenance");
  }

  @Override
  public Void fenceNode(Action.FenceNode a) {
    return nodeRef(a.node(), "fence node");
  }

  @Override
  public Void fenceConfirm(Action.FenceConfirm a) {
    return nodeRef(a.node(), "fence confirm");
  }

  @Override
  public Void fenceDevice(Action.FenceDevice a) {
    if (!fenceDevices.contains(a.device())) throw error("fence-device: unknown device '" + a.device() + "'");
    return null;
  }

  @Override
  public Void dropAcks(Action.DropAcks a) {
    return nodeRef(a.node(), "drop-acks");
  }

  @Override
  public Void slowAcks(Action.SlowAcks a) {
    return nodeRef(a.node(), "slow-acks");
  }

  @Override
  public Void watchdogDevice(Action.WatchdogDevice a) {
    return nodeRef(a.node(), "watchdog");
  }

  // ---- expectations ----------------------------------------------------------------------------------------------

  @Override
  public Void runningOn(Expectation.RunningOn e) {
    resourceRef(e.id());
    return nodeRefs(e.nodes(), "expect running");
  }

  @Override
  public Void notRunning(Expectation.NotRunning e) {
    resourceRef(e.id());
    return nodeRefs(e.nodes(), "expect running");
  }

  @Override
  public Void serviceIs(Expectation.ServiceIs e) {
    resourceRef(e.id());
    return null;
  }

  @Override
  public Void nodeState(Expectation.NodeState e) {
    return nodeRef(e.node(), "expect node");
  }

  @Override
  public Void nodeNotIn(Expectation.NodeNotIn e) {
    return nodeRef(e.node(), "expect node");
  }

  @Override
  public Void powered(Expectation.Powered e) {
    return nodeRef(e.node(), "expect node");
  }

  @Override
  public Void setTiming(Action.SetTiming a) {
    return null; // names nothing
  }

  @Override
  public Void timingIs(Expectation.TimingIs e) {
    return null;
  }

  @Override
  public Void managerOn(Expectation.ManagerOn e) {
    return nodeRefs(e.nodes(), "expect manager");
  }

  @Override
  public Void managerNotOn(Expectation.ManagerNotOn e) {
    return nodeRefs(e.nodes(), "expect manager");
  }

  @Override
  public Void spmOn(Expectation.SpmOn e) {
    return nodeRefs(e.nodes(), "expect spm");
  }

  @Override
  public Void spmNone(Expectation.SpmNone e) {
    return null;
  }

  @Override
  public Void spmNotOn(Expectation.SpmNotOn e) {
    return nodeRefs(e.nodes(), "expect spm");
  }

  @Override
  public Void diskHeld(Expectation.DiskHeld e) {
    return nodeRefs(e.nodes(), "expect disk");
  }

  @Override
  public Void diskFree(Expectation.DiskFree e) {
    return null; // any disk name: one no resource lists is always free
  }

  @Override
  public Void spmMove(OperatorWords.SpmMove a) {
    return null; // an unknown node is the manager's to refuse (the scenario may show that)
  }

  @Override
  public Void fencedBy(Expectation.FencedBy e) {
    return nodeRef(e.node(), "expect fenced");
  }

  @Override
  public Void fenceHistoryHas(Expectation.FenceHistoryHas e) {
    return nodeRef(e.node(), "expect fence-history");
  }

  @Override
  public Void fenceProxy(Expectation.FenceProxy e) {
    nodeRef(e.node(), "expect fence proxy");
    return nodeRefs(e.proxies(), "expect fence proxy");
  }

  @Override
  public Void fenceDeviceIs(Expectation.FenceDeviceIs e) {
    if (!fenceDevices.contains(e.device())) throw error("expect fence-device: unknown device '" + e.device() + "'");
    return null;
  }

  @Override
  public Void converged(Expectation.Converged e) {
    return null;
  }
}
