package palisade.core;

import java.util.SortedMap;

/**
 * The manager's SPM decisions (DESIGN "Roles"): one holder at a time, the online node with the highest
 * {@code spm_priority} (ties: first by name). The role moves only after its holder let go of it cleanly (it said so
 * in its record, or shut down cleanly) or its fence was confirmed; a holder that merely went silent keeps it.
 * Every change goes through {@link Working#setSpm}.
 */
final class SpmMachine {
  private final ClusterConfig config;
  private final Working w;
  private final SortedMap<String, NodeRecord> records;
  /** The host's wall clock now: since when a new holder holds the role, for operators. */
  private final long wallMs;

  SpmMachine(ClusterConfig config, Working w, SortedMap<String, NodeRecord> records, long wallMs) {
    this.config = config;
    this.w = w;
    this.records = records;
    this.wallMs = wallMs;
  }

  /**
   * `spm move NODE`: the holder is asked to release the role, naming NODE to take it once released; refused (the
   * reason returned) for an unknown or ineligible node, the holder itself, or a role already on its way.
   */
  String moveCommand(String node, String by) {
    if (!config.nodes().containsKey(node)) return "unknown node " + node;
    SpmRole role = w.spm();
    if (role == null) return "no node holds the SPM role now";
    if (role.node().equals(node)) return node + " already holds the SPM role";
    if (role.releasing()) return "the SPM role is already being released by " + role.node();
    String not = notEligible(node);
    if (not != null) return not;
    w.setSpm(new SpmRole(role.node(), role.token(), false, node, role.sinceMs()).release(), "spm move to " + node
        + " asked by " + by + ": " + role.node() + " asked to release it");
    return null;
  }

  void step() {
    SpmRole role = w.spm();
    String gone = null;
    if (role != null) {
      gone = letGo(role);
      if (gone != null) {
        w.setSpm(null, gone);
      } else if (!role.releasing() && releaseReason(role.node()) != null) {
        w.setSpm(role.release(), releaseReason(role.node()) + ": asked to release it");
      }
    }
    if (w.spm() == null) name(role, gone);
    // Negative space: a holder the manager keeps is never fenced or down, and is asked back when it should be.
    SpmRole now = w.spm();
    if (now == null) return;
    String over = letGo(now);
    Check.that(over == null, "spm: %s kept although %s", SpmRole.describe(now), over);
    String release = releaseReason(now.node());
    Check.that(now.releasing() || release == null, "spm: %s not asked back although %s", SpmRole.describe(now),
        release);
  }

  /** Names the best eligible node into the empty slot; previous held the role at the start of the round. */
  private void name(SpmRole previous, String gone) {
    String best = null;
    int bestPriority = -1;
    for (NodeConfig nc : config.nodes().values()) {
      if (nc.spmPriority() > bestPriority && eligible(nc.name())) {
        best = nc.name();
        bestPriority = nc.spmPriority();
      }
    }
    if (best == null) return;
    String why = "highest spm_priority (" + bestPriority + ") online";
    String asked = previous == null ? null : previous.moveTo();
    if (asked != null && notEligible(asked) == null) {
      best = asked;
      bestPriority = config.nodes().get(asked).spmPriority();
      why = "spm move to " + asked;
    } else if (asked != null) {
      why += "; spm move to " + asked + " given up: " + notEligible(asked);
    }
    // Invariant 3 where it is decided: the slot is empty because the last holder released the role, was fenced
    // (confirmed) or shut down cleanly, this very round or before; a silent holder keeps it.
    Check.invariant(3, previous == null || gone != null, "spm: %s named while %s never let go",
        best, SpmRole.describe(previous));
    Check.that(bestPriority >= 0 && eligible(best) && w.nodeState(best) != NodeState.MAINTENANCE,
        "spm: %s named while not eligible", best);
    long token = w.newToken();
    Check.invariant(2, previous == null || token > previous.token(), "spm: token %s not above %s", token,
        SpmRole.describe(previous));
    w.setSpm(new SpmRole(best, token, false, null, wallMs), why);
  }

  /** Why the holder no longer has the role, or null while it may still act as SPM. */
  private String letGo(SpmRole role) {
    NodeState st = w.nodeState(role.node());
    if (st == NodeState.FENCED) return role.node() + " fence confirmed";
    if (st == NodeState.OFFLINE) return role.node() + " shut down cleanly";
    NodeRecord rec = records.get(role.node());
    // Asked back, or not (an agent that saw its own fence gives up every token it had seen): the holder's word
    // that it will never act under this token again frees the slot.
    if (rec != null && !rec.fenced() && rec.spmReleased() >= role.token()) {
      return role.node() + " released it";
    }
    return null;
  }

  /** Why the holder should give the role back, or null. */
  private String releaseReason(String node) {
    NodeConfig nc = config.nodes().get(node);
    if (nc == null) return node + " left the configuration";
    if (nc.spmPriority() < 0) return node + " has spm_priority -1 now";
    if (w.nodeState(node) == NodeState.MAINTENANCE) return node + " is in maintenance";
    return null;
  }

  /** Why node may not take the role now (an operator's spm move is refused with it), or null. */
  private String notEligible(String node) {
    NodeConfig nc = config.nodes().get(node);
    if (nc == null) return "unknown node " + node;
    if (nc.spmPriority() < 0) return node + " has spm_priority -1";
    NodeState st = w.nodeState(node);
    if (st == NodeState.MAINTENANCE) return node + " is in maintenance";
    if (st != NodeState.ONLINE) return node + " is " + st.label();
    NodeRecord rec = records.get(node);
    if (rec == null || rec.fenced() || rec.mode() != AgentMode.ACTIVE) return node + " is not active";
    if (!rec.inTime()) return node + " is not renewing in time";
    return null;
  }

  private boolean eligible(String node) {
    NodeRecord rec = records.get(node);
    return w.nodeState(node) == NodeState.ONLINE && rec != null && !rec.fenced() && rec.mode() == AgentMode.ACTIVE
        && rec.inTime();
  }
}
