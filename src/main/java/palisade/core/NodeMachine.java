package palisade.core;

import java.util.SortedMap;

/**
 * The manager's node state machine: from lease silence and the agent's record to online, unknown, fencing, fenced,
 * offline or maintenance. Reads top to bottom, one node at a time; every change goes through the funnel.
 */
final class NodeMachine {
  private final Timing timing;
  private final ClusterConfig config;
  private final Working w;
  private final SortedMap<String, NodeRecord> records;
  private final SortedMap<String, NodeTimer> timers;
  private final Maintenance maintenance;
  /** The host's wall clock this round: only the time stamp of the history lines written here. */
  private final long wallMs;
  /** The manager's node: who declares a watchdog confirmation, in the history. */
  private final String manager;
  /** The manager's memory of the fences the operator asked for: node -> generation of its fence write (0: none yet). */
  private final java.util.Map<String, Long> asked;
  private boolean liveTimings;
  /** The cluster is not managed (HA disarm): silence leads to no fence, however long. */
  private boolean holdFencing;

  NodeMachine(Timing timing, ClusterConfig config, Working w, SortedMap<String, NodeRecord> records,
      SortedMap<String, NodeTimer> timers) {
    this(timing, config, w, records, timers, 0, "manager", new java.util.TreeMap<>());
  }

  NodeMachine(Timing timing, ClusterConfig config, Working w, SortedMap<String, NodeRecord> records,
      SortedMap<String, NodeTimer> timers, long wallMs, String manager, java.util.Map<String, Long> asked) {
    this.asked = asked;
    this.wallMs = wallMs;
    this.manager = manager;
    this.timing = timing;
    this.config = config;
    this.w = w;
    this.records = records;
    this.timers = timers;
    this.maintenance = new Maintenance(config, w, records);
  }

  void step(String node, long nowMs) {
    NodeStatus st = w.node(node);
    Check.that(config.nodes().containsKey(node) && timers.containsKey(node), "node %s: stepped unconfigured or "
        + "untimed", node);
    NodeRecord rec = records.get(node);
    long silent = timers.get(node).silentMs(nowMs);
    boolean renewing = rec != null && silent < timing.unknownAfterMs();
    // In maintenance, silence and a clean shutdown mean what Maintenance says (null: the generic rules below).
    Maintenance.Change kept = st.state() == NodeState.MAINTENANCE
        ? maintenance.step(node, rec, renewing, silent >= timing.leaseMs()) : null;
    switch (st.state()) {
      case ONLINE, UNKNOWN, MAINTENANCE, OFFLINE -> {
        if (rec != null && rec.fenced() && rec.generation() > st.generation()) {
          // A previous manager's fence write committed: the node was dead by then.
          to(node, st, NodeState.FENCING, "lease found fenced at generation " + rec.generation());
        } else if (kept != null) {
          if (kept != Maintenance.STAY) to(node, st, kept.to(), kept.reason());
        } else if (rec != null && !rec.fenced() && rec.mode().down()) {
          if (st.state() != NodeState.OFFLINE) to(node, st, NodeState.OFFLINE, "shut down cleanly");
        } else if (silent >= timers.get(node).boundMs(timing) && st.state() != NodeState.OFFLINE && !holdFencing) {
          to(node, st, NodeState.FENCING, "lease silent for " + Durations.format(silent) + " >= lease_timeout"
              + (rec != null && rec.holdMs() > 0 ? " with its restart hold" : "")
              + (timers.get(node).armedLateMs() > 0 ? ", and for lease_timeout since the cluster was armed" : ""));
        } else if (st.state() == NodeState.OFFLINE) {
          if (renewing && rec.mode() == AgentMode.ACTIVE) to(node, st, NodeState.ONLINE, "back");
        } else if (!renewing && st.state() == NodeState.ONLINE) {
          to(node, st, NodeState.UNKNOWN, "lease silent for " + Durations.format(silent));
        } else if (renewing && st.state() == NodeState.UNKNOWN) {
          to(node, st, NodeState.ONLINE, "lease renewed");
        } else if (renewing && st.state() == NodeState.ONLINE && maintenance.migratePolicyShutdown(node, rec)) {
          to(node, st, NodeState.MAINTENANCE, "shutdown policy migrate: its resources move away first");
        }
      }
      case FENCING -> {
        if (acknowledged(node, st, rec) && renewing) {
          confirm(node, rec.generation(), new FenceConfirmation(ConfirmKind.AGENT, node + "'s agent killed its "
              + "resources", rec.generation()));
          return;
        }
        if (!fenceWritten(st, rec)) {
          // An operator's fence stands until confirmed: a node renewing before its fence write still gets it.
          if (renewing && !rec.fenced() && !asked.containsKey(node)) {
            to(node, st, NodeState.ONLINE, "lease renewed before the fence write");
          }
          return; // the manager's fence write goes out with this state, or in its next round
        }
        if (st.confirmation() != null && st.confirmation().generation() == rec.generation()) {
          confirm(node, rec.generation(), st.confirmation());
        } else if (watchdogConfirms(node, rec) && silent >= timers.get(node).boundMs(timing)) {
          // The silence on this manager's own clock is what makes the watchdog proof (DESIGN "Fence
          // confirmation"): a fence written early, at the operator's word, proves nothing until it has lasted.
          confirm(node, rec.generation(), new FenceConfirmation(ConfirmKind.WATCHDOG, "watchdog", rec.generation()));
        } // else: a power or manual confirmation, through powerConfirmed or manualConfirm
      }
      case STANDBY -> { } // silence is expected: only PowerSaving moves a standby node (never to a fence)
      case FENCED -> {
        if (rec != null && !rec.fenced() && rec.generation() == st.generation() && renewing) {
          to(node, st, NodeState.ONLINE, "rejoined after fence, generation " + rec.generation());
        }
      }
    }
  }

  /**
   * Whether the committed fence write of rec is itself the proof that node runs nothing (DESIGN "Fence
   * confirmation"): the cluster says the node is watchdog-protected, and the version the fence write named was
   * written by an agent that claims a real watchdog under the timings this manager waited L by, which are the
   * cluster's current ones. The configuration alone proves nothing: it says what the node should have, the record
   * says what its agent had. A record saying its watchdog was released (for the cluster's disarm) proves nothing,
   * whoever manages now: that node stays in fencing until power, kdump or an operator confirms (DESIGN "HA disarm").
   */
  boolean watchdogConfirms(String node, NodeRecord rec) {
    Timing cluster = config.timing();
    return config.nodes().get(node).watchdog() && !rec.released() && (rec.watchdogProtects(timing)
        && (cluster == null || NodeRecord.sameTerms(cluster, timing)) || liveTimings && changedTimingProtects(node, rec));
  }

  /**
   * Once timings were changed live, the claim may differ from the manager's own and from the target: the fence
   * write is proof when the record claims a real watchdog and the wait this manager applied to the fenced version
   * covers what its claim lets the watchdog count (DESIGN "Changing timings live").
   */
  private boolean changedTimingProtects(String node, NodeRecord rec) {
    return rec.watchdog() != null && !rec.watchdog().equals(Watchdog.NONE) && rec.timing() != null
        && timers.get(node).boundMs(timing) >= TimingChange.needMs(rec.timing(), timing);
  }

  /** Timings were changed live in this cluster (a /timing publication exists): see changedTimingProtects. */
  NodeMachine liveTimings(boolean changed) {
    liveTimings = changed;
    return this;
  }

  /** The fence write of this episode committed: the record carries a generation newer than the last confirmed. */
  private static boolean fenceWritten(NodeStatus st, NodeRecord rec) {
    return rec != null && rec.fenced() && rec.generation() > st.generation();
  }

  /**
   * The operator's fence of node was written and its agent has since acknowledged that very generation: it does so
   * only once it killed every HA resource (Agent's rejoin), as a clean shutdown says it stopped them.
   */
  private boolean acknowledged(String node, NodeStatus st, NodeRecord rec) {
    Long gen = asked.get(node);
    // A live migration lands a resource without the agent starting it: none may be under way (the command waits).
    return gen != null && gen > st.generation() && rec != null && !rec.fenced() && rec.generation() == gen
        && migrating(node) == null;
  }

  /** A resource migrating to or from node (the first by id), or null. */
  private String migrating(String node) {
    for (var e : w.services.entrySet()) {
      ServiceStatus ss = e.getValue();
      if (ss.state() == ServiceState.MIGRATE && (node.equals(ss.node()) || node.equals(ss.target()))) {
        return e.getKey();
      }
    }
    return null;
  }

  private void confirm(String node, long generation, FenceConfirmation c) {
    NodeStatus st = w.node(node);
    NodeRecord rec = records.get(node);
    // Invariant 4's root: a fence is confirmed only for the episode whose fence write committed, never before it.
    Check.invariant(4, st.state() == NodeState.FENCING && (c.kind() == ConfirmKind.AGENT ? acknowledged(node, st,
        rec) : fenceWritten(st, rec)) && rec.generation() == generation && c.generation() == generation, "%s: fence confirmed by %s at generation %s, status %s, record %s", node,
        c.kind(), generation, st, rec);
    Check.invariant(4, c.kind() != ConfirmKind.WATCHDOG || watchdogConfirms(node, rec),
        "%s: watchdog confirmation without a watchdog the fenced record proves (config watchdog=%s, record %s "
            + "under %s, manager under %s)", node, config.nodes().get(node).watchdog(), rec.watchdog(), rec.timing(),
        timing);
    w.setNode(node, new NodeStatus(NodeState.FENCED, generation, c),
        "fence confirmed by " + c.kind().name().toLowerCase(java.util.Locale.ROOT)
            + (c.kind() == ConfirmKind.WATCHDOG ? "" : " (" + c.by() + ")"));
    // Power and manual confirmations are in the history already (the proxy's lines, the operator's command);
    // a watchdog or agent confirmation is this manager's conclusion from the records, so it says so itself.
    if (c.kind() == ConfirmKind.WATCHDOG || c.kind() == ConfirmKind.AGENT) {
      w.addHistory(new FenceEntry(node, generation, 0, null, FenceEntry.SUMMARY, c.kind() == ConfirmKind.WATCHDOG
          ? FenceEntry.WATCHDOG : FenceEntry.AGENT, manager, wallMs, wallMs));
    }
  }

  void holdFencing(boolean hold) {
    holdFencing = hold;
  }

  long wallMs() {
    return wallMs;
  }

  private void to(String node, NodeStatus st, NodeState s, String reason) {
    NodeState to = maintenance.returning(node, s); // the operator's maintenance outlasts every absence
    if (to != s) reason += "; still in the operator's maintenance";
    w.setNode(node, new NodeStatus(to, st.generation(), to == NodeState.FENCING ? null : st.confirmation()), reason);
  }

  /** The operator's `node maintenance NODE on|off` (see {@link Maintenance#command}); why it was refused, or null. */
  String maintenanceCommand(String node, boolean on, long nowMs) {
    boolean renewing = records.get(node) != null && timers.containsKey(node)
        && timers.get(node).silentMs(nowMs) < timing.unknownAfterMs();
    return maintenance.command(node, on, renewing);
  }

  /**
   * The operator's `fence node NODE`: the node goes to fencing now, whatever its lease says; why it was refused, or
   * null. Its fence write goes out with this state; a watchdog confirms it only after this manager saw it silent
   * for L, and a fence device is ordered at once ({@link PowerFencing}, told through asked).
   */
  String fenceCommand(String node, String by) {
    NodeConfig nc = config.nodes().get(node);
    if (nc == null) return "unknown node " + node;
    NodeStatus st = w.node(node);
    if (st.state() == NodeState.FENCING) return node + " is being fenced already";
    if (st.state() == NodeState.FENCED) return node + " is fenced already and has not rejoined";
    if (st.state() == NodeState.STANDBY) return node + " is in standby, powered off by power saving";
    if (!nc.watchdog() && KdumpLevel.levels(nc).isEmpty()) {
      return node + " has neither a watchdog nor a fence device: nothing here can fence it (power it off, then "
          + "fence confirm " + node + ")";
    }
    if (node.equals(manager)) {
      return node + " runs the manager, which never fences its own node: restart the daemon there so that another "
          + "node takes the manager lease, then ask again";
    }
    String moving = migrating(node);
    if (moving != null) return moving + " is migrating to or from " + node + ": try again once it has moved";
    asked.put(node, 0L);
    w.setNode(node, new NodeStatus(NodeState.FENCING, st.generation(), null), "fence asked by " + by);
    return null;
  }

  /**
   * Records an operator's confirmation that the node is off (it takes effect once the fence write is done); or says
   * why it is refused.
   */
  String manualConfirm(Command.FenceConfirm f) {
    String node = f.node();
    String by = f.by();
    NodeStatus st = w.node(node);
    if (st.state() != NodeState.FENCING) return node + " is " + st.state().label() + ", not fencing";
    NodeRecord rec = records.get(node);
    // Invariant 4: the operator judged the incarnation whose record had this counter; one that renewed since runs.
    long counter = rec == null ? -1 : rec.counter();
    if (f.seen() != null && counter != f.seen()) {
      return node + "'s record changed since the confirmation was given (counter " + f.seen() + ", now " + counter
          + ": its agent renewed, so it ran after it was judged off); confirm again once it is off";
    }
    long gen = rec == null ? 1 : fenceWritten(st, rec) ? rec.generation() : rec.generation() + 1;
    w.setNode(node, new NodeStatus(NodeState.FENCING, st.generation(),
        new FenceConfirmation(ConfirmKind.MANUAL, by, gen)), "operator " + by + " confirms the node is off");
    w.addHistory(new FenceEntry(node, gen, 0, null, FenceEntry.SUMMARY, FenceEntry.MANUAL, by, wallMs, wallMs));
    return null;
  }

  /** A fence device confirmed power off: with the fence write done, the node is confirmed fenced. */
  void powerConfirmed(String node, String devices, long generation) {
    NodeStatus st = w.node(node);
    NodeRecord rec = records.get(node);
    if (st.state() != NodeState.FENCING || !fenceWritten(st, rec)) return;
    Check.that(rec.generation() == generation, "power confirmation of %s for generation %s, fence is at %s", node,
        generation, rec.generation());
    confirm(node, rec.generation(), new FenceConfirmation(ConfirmKind.POWER, devices, rec.generation()));
  }

  /** The node's crashing kernel reported its dump to proxy: with the fence write done, the node is confirmed fenced. */
  void kdumpConfirmed(String node, String proxy, long generation) {
    NodeStatus st = w.node(node);
    NodeRecord rec = records.get(node);
    if (st.state() != NodeState.FENCING || !fenceWritten(st, rec)) return;
    Check.that(rec.generation() == generation, "kdump confirmation of %s for generation %s, fence is at %s", node,
        generation, rec.generation());
    confirm(node, rec.generation(), new FenceConfirmation(ConfirmKind.KDUMP, "kdump message via " + proxy,
        rec.generation()));
  }

  /**
   * Whether this manager sends node's fence write in this round: the node needs one, and this manager's own wait
   * allows it (the record silent for its bound on our clock, or an operator's fence asked of this manager). A node
   * found in fencing without its write (a previous manager's decision, say an operator's fence it held in memory)
   * waits here until our own timer says so, or goes back online when it renews.
   */
  boolean fenceWriteDue(String node, long nowMs) {
    NodeTimer t = timers.get(node);
    return needsFenceWrite(node) && (t.silentMs(nowMs) >= t.boundMs(timing) || asked.containsKey(node));
  }

  /** Does node need the manager's fence write now? */
  boolean needsFenceWrite(String node) {
    NodeStatus st = w.node(node);
    if (st.state() != NodeState.FENCING) return false;
    return !fenceWritten(st, records.get(node)) && !acknowledged(node, st, records.get(node));
  }
}
