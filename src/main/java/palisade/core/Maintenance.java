package palisade.core;

import java.util.SortedMap;

/**
 * Maintenance with Proxmox's semantics, in two kinds. The operator's (`node maintenance NODE on`) is a decision that
 * lasts: it is kept apart from the node's state ({@link Working#operatorMaintenance}) and survives power loss,
 * reboot, clean shutdown and fence, until `node maintenance NODE off`. A migrate-policy shutdown's is the node's
 * state while the policy moves its resources away; it ends by itself (offline once the node is down, online once a
 * new agent is back). In both, nothing is placed on the node.
 *
 * <p>The one rule decides what silence means: a node in maintenance that may still run something of ours — a
 * resource assigned to it or migrating to it, a resource in error there (its stop may have failed), the SPM role,
 * or an armed watchdog by its last record — is fenced like any other; one that runs nothing of ours needs no fence.
 */
final class Maintenance {
  private final ClusterConfig config;
  private final Working w;
  private final SortedMap<String, NodeRecord> records;

  Maintenance(ClusterConfig config, Working w, SortedMap<String, NodeRecord> records) {
    this.config = config;
    this.w = w;
    this.records = records;
  }

  /**
   * Whether something of ours may run on node: what its fence must cover. Conservative on purpose — a resource in
   * error or fence there, or an armed watchdog in its last record, counts.
   */
  boolean hostsAnything(String node) {
    SpmRole spm = w.spm();
    if (spm != null && node.equals(spm.node())) return true;
    NodeRecord rec = records.get(node);
    if (rec != null && rec.armed()) return true;
    for (ServiceStatus ss : w.services.values()) {
      boolean here = switch (ss.state()) {
        case STARTED, REQUEST_STOP, RELOCATE, FREEZE, ERROR -> node.equals(ss.node());
        case MIGRATE, FENCE -> node.equals(ss.node()) || node.equals(ss.target());
        case RECOVERY -> node.equals(ss.target());
        case REQUEST_START, STOPPED, DISABLED, IGNORED -> false;
      };
      if (here) return true;
    }
    return false;
  }

  /** Is node's agent shutting down under the migrate policy (its resources are being moved away live)? */
  boolean migratePolicyShutdown(String node, NodeRecord rec) {
    if (rec == null || rec.fenced()) return false;
    boolean shuttingDown = rec.mode() == AgentMode.SHUTTING_DOWN || rec.mode() == AgentMode.REBOOTING;
    return shuttingDown
        && config.shutdownPolicyOf(node).effective(rec.mode() == AgentMode.REBOOTING) == ShutdownPolicy.MIGRATE;
  }

  /**
   * The state a node returning to online takes: maintenance while the operator's maintenance lasts. Every return
   * (back from a clean shutdown, renewed before its fence write, rejoined after a fence) goes through here.
   */
  NodeState returning(String node, NodeState to) {
    return to == NodeState.ONLINE && w.operatorMaintenance(node) ? NodeState.MAINTENANCE : to;
  }

  /**
   * One step of a node in maintenance. Returns the change to make (state and reason), or null when the generic
   * rules of {@link NodeMachine} apply (a clean shutdown's offline, a silent node's fence). Stays put (returns
   * {@link #STAY}) when nothing needs deciding.
   */
  Change step(String node, NodeRecord rec, boolean renewing, boolean silentForLease) {
    boolean operator = w.operatorMaintenance(node);
    boolean hosts = hostsAnything(node);
    if (rec != null && rec.mode().down()) {
      // Down cleanly: the operator's maintenance with nothing left there stays; otherwise offline, whose rules
      // release or freeze what is still there (the flag survives and brings maintenance back at boot).
      return operator && !hosts ? STAY : null;
    }
    if (silentForLease) return hosts ? null : STAY; // nothing of ours runs there: no fence
    if (!operator && renewing && rec != null && rec.mode() == AgentMode.ACTIVE) {
      return new Change(NodeState.ONLINE, "back: the maintenance of its shutdown ends");
    }
    return STAY;
  }

  /** A state change for a node, or {@link #STAY}. */
  record Change(NodeState to, String reason) {}

  static final Change STAY = new Change(null, "stays");

  /**
   * The operator's `node maintenance NODE on|off`; returns why it was refused, or null. On: an online node enters
   * maintenance, a node in its shutdown's maintenance stays in it past the shutdown. Off: the operator's maintenance
   * ends in any state; a node in maintenance goes online, or offline if it is silent with nothing of ours on it (it
   * must not be fenced for having been switched off while in maintenance), or stays in maintenance for the
   * migrate-policy shutdown it is in.
   */
  String command(String node, boolean on, boolean renewing) {
    NodeStatus st = w.node(node);
    boolean operator = w.operatorMaintenance(node);
    if (on) {
      if (operator) return node + " is in maintenance already";
      if (st.state() == NodeState.ONLINE) {
        w.setOperatorMaintenance(node, true, null); // the state line below says it
        w.setNode(node, new NodeStatus(NodeState.MAINTENANCE, st.generation(), st.confirmation()), "operator");
      } else if (st.state() == NodeState.MAINTENANCE) {
        w.setOperatorMaintenance(node, true, "operator: it stays in maintenance after its shutdown");
      } else {
        return node + " is " + st.state().label();
      }
      return null;
    }
    if (!operator) {
      return node + (st.state() == NodeState.MAINTENANCE ? " is in maintenance for its shutdown; that ends when "
          + "it is back" : " is " + st.state().label());
    }
    if (st.state() != NodeState.MAINTENANCE) {
      w.setOperatorMaintenance(node, false, "operator; the node is " + st.state().label());
      return null;
    }
    if (migratePolicyShutdown(node, records.get(node))) {
      w.setOperatorMaintenance(node, false, "operator; its shutdown keeps it in maintenance until it is down");
      return null;
    }
    w.setOperatorMaintenance(node, false, null);
    boolean off = !renewing && !hostsAnything(node);
    w.setNode(node, new NodeStatus(off ? NodeState.OFFLINE : NodeState.ONLINE, st.generation(), st.confirmation()),
        off ? "operator; the node is silent and runs nothing of ours" : "operator");
    return null;
  }
}
