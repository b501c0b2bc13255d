package palisade.core;

import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The manager's resource state machine with Proxmox's semantics. One method per state, read top to bottom; every
 * change goes through {@link #set}, which keeps placement load in step and logs through the funnel.
 */
final class ServiceMachine {
  private final ClusterConfig config;
  private final Working w;
  private final SortedMap<String, NodeRecord> records;
  private final Placement placement;

  ServiceMachine(ClusterConfig config, Working w, SortedMap<String, NodeRecord> records, Placement placement) {
    this.config = config;
    this.w = w;
    this.records = records;
    this.placement = placement;
  }

  /** Adds configured resources the state does not know yet; starts removing the ones no longer configured. */
  void syncConfig(String id) {
    ServiceStatus ss = w.services.get(id);
    ResourceConfig rc = config.resources().get(id);
    if (ss == null && rc != null) {
      ServiceState s = switch (rc.state()) {
        case STARTED -> ServiceState.REQUEST_START;
        case STOPPED -> ServiceState.STOPPED;
        case DISABLED -> ServiceState.DISABLED;
        case IGNORED -> ServiceState.IGNORED;
      };
      set(id, new ServiceStatus(s, rc.node(), null, 0, 0, new TreeSet<>(), null), "added");
    } else if (ss != null && rc == null) {
      switch (ss.state()) {
        case STOPPED, DISABLED, IGNORED, ERROR, REQUEST_START -> set(id, null, "removed from the configuration");
        case STARTED, FREEZE -> set(id, ss.with(ServiceState.REQUEST_STOP).withToken(w.newToken()),
            "removed from the configuration");
        case REQUEST_STOP, MIGRATE, RELOCATE, FENCE, RECOVERY -> { } // finish first
      }
    }
  }

  /** One step of resource id, whose configuration the caller looked up already (null: removed). */
  void step(String id, ResourceConfig rc) {
    ServiceStatus ss = w.services.get(id);
    if (ss == null) return;
    if (rc == null) {
      rc = ResourceConfig.removed(id);
    }
    if (rc.state() == RequestState.IGNORED && ss.state() != ServiceState.IGNORED
        && ss.state() != ServiceState.FENCE && ss.state() != ServiceState.RECOVERY) {
      set(id, ss.with(ServiceState.IGNORED), "configured ignored: no longer managed");
      return;
    }
    switch (ss.state()) {
      case REQUEST_START -> requestStart(id, ss, rc);
      case STARTED -> started(id, ss, rc);
      case REQUEST_STOP -> requestStop(id, ss, rc);
      case STOPPED, DISABLED -> stopped(id, ss, rc);
      case MIGRATE -> migrate(id, ss);
      case RELOCATE -> relocate(id, ss, rc);
      case FENCE -> fence(id, ss, rc);
      case RECOVERY -> recovery(id, ss, rc);
      case FREEZE -> freeze(id, ss);
      case ERROR -> error(id, ss, rc);
      case IGNORED -> ignored(id, ss, rc);
    }
  }

  // ---- one method per state --------------------------------------------------------------------------------------

  private void requestStart(String id, ServiceStatus ss, ResourceConfig rc) {
    if (rc.state() != RequestState.STARTED) {
      set(id, ss.with(stoppedStateFor(rc)), "configured " + rc.state().name().toLowerCase(java.util.Locale.ROOT));
      return;
    }
    NodeState home = ss.node() == null ? null : w.nodeState(ss.node());
    if (home == NodeState.UNKNOWN || (home == NodeState.ONLINE && !placement.heardFrom(ss.node()))) {
      return; // its node may be booting, or this manager is new: wait until it is heard or its fate is decided
    }
    if (w.diskWait(id) != null) return; // a disk it lists is held by another resource: told once, retried
    // crs_rebalance_on_start: the node it was on counts for nothing, so it starts on the best node.
    String from = config.placement().rebalanceOnStart() ? null : ss.node();
    String target = placed(rc, placement.select(rc, from, Set.of()));
    if (target == null) return; // no allowed node online yet: retried every round
    set(id, ss.with(ServiceState.STARTED).onNode(target, w.newToken()), "start requested");
  }

  private void started(String id, ServiceStatus ss, ResourceConfig rc) {
    NodeState ns = w.nodeState(ss.node());
    if (ns == NodeState.FENCING || ns == NodeState.FENCED) {
      set(id, ss.with(ServiceState.FENCE), ss.node() + " is " + ns.label());
      return;
    }
    if (ns == NodeState.OFFLINE) {
      NodeRecord down = records.get(ss.node());
      boolean reboot = down != null && down.mode() == AgentMode.DOWN_REBOOT;
      if (config.shutdownPolicyOf(ss.node()).effective(reboot) == ShutdownPolicy.FREEZE) {
        set(id, ss.with(ServiceState.FREEZE), ss.node() + " went down for a reboot (freeze policy)");
      } else {
        set(id, ss.with(ServiceState.RECOVERY), ss.node() + " shut down cleanly with it stopped");
      }
      return;
    }
    if (rc.state() != RequestState.STARTED) {
      set(id, ss.with(ServiceState.REQUEST_STOP).withToken(w.newToken()).withFailedStarts(0)
          .withTried(new TreeSet<>()), "configured " + rc.state().name().toLowerCase(java.util.Locale.ROOT));
      return;
    }
    ResourceResult r = result(ss.node(), id);
    if (r != null && r.token() == ss.token() && r.outcome() == RequestOutcome.START_FAILED) {
      startFailed(id, ss, rc);
      return;
    }
    boolean confirmed = r != null && r.token() == ss.token() && r.outcome() == RequestOutcome.STARTED;
    NodeRecord rec = records.get(ss.node());
    if (rec != null && (rec.mode() == AgentMode.REBOOTING || rec.mode() == AgentMode.SHUTTING_DOWN)) {
      ShutdownPolicy policy = config.shutdownPolicyOf(ss.node()).effective(rec.mode() == AgentMode.REBOOTING);
      if (policy == ShutdownPolicy.FREEZE) {
        set(id, ss.with(ServiceState.FREEZE), ss.node() + " is shutting down (freeze policy)");
        return;
      }
      if (policy == ShutdownPolicy.MIGRATE) {
        if (confirmed) moveAway(id, ss, rc, "shutdown policy migrate");
        return;
      }
      return; // failover: the agent stops it and reports the node down; recovery follows
    }
    // Moves below wait until the current start is confirmed: a move never races a start in flight.
    if (!confirmed) return;
    if (ns == NodeState.MAINTENANCE) {
      moveAway(id, ss, rc, ss.node() + " is in maintenance");
      return;
    }
    if (ns != NodeState.ONLINE) return;
    if (ss.failedStarts() > 0) {
      // The nodes it failed on stay remembered (no failback onto them) until it is stopped or disabled.
      set(id, ss.withFailedStarts(0), "running: restart counter reset");
      ss = w.services.get(id);
    }
    if (ss.node().equals(ss.maintenanceNode())) {
      // Back on the node it left for maintenance by another way (recovered or moved there): nothing to return to.
      set(id, ss.withMaintenanceNode(null), "on " + ss.node() + " again: no return after maintenance due");
      ss = w.services.get(id);
    }
    if (ss.maintenanceNode() != null && placement.eligible(ss.maintenanceNode())
        && placement.mayReturn(rc, ss.maintenanceNode())) {
      String back = ss.maintenanceNode();
      set(id, ss.with(move(ss)).withTarget(back, w.newToken()).withMaintenanceNode(null),
          "returning to " + back + " after maintenance");
      return;
    }
    String misplaced = placement.misplaced(rc, ss.node());
    if (misplaced != null) {
      String to = placed(rc, placement.select(rc, null, Set.of(ss.node())));
      if (to != null) set(id, ss.with(move(ss)).withTarget(to, w.newToken()), misplaced + ": moving to " + to);
      return; // nowhere to go: it stays (the rule's wait is logged once); retried every round
    }
    // Failback improves on a node that can host the resource; it is no evacuation: while its node is momentarily
    // unable to take new starts (a renewal acknowledged late, the agent rejoining), the resource stays.
    if (!placement.failback(rc) || !placement.eligible(ss.node()) || !placement.couldImprove(rc, ss.node())) return;
    String best = placed(rc, placement.select(rc, ss.node(), ss.triedNodes()));
    if (best != null && !best.equals(ss.node())) {
      set(id, ss.with(move(ss)).withTarget(best, w.newToken()), "failback to " + best);
    }
  }

  /** Restart on the same node up to max_restart, then relocate up to max_relocate, then error. */
  private void startFailed(String id, ServiceStatus ss, ResourceConfig rc) {
    int failures = ss.failedStarts() + 1;
    // A node in maintenance gets no new start, a restart there included: it relocates at once.
    if (failures <= rc.maxRestart() && w.nodeState(ss.node()) != NodeState.MAINTENANCE) {
      set(id, ss.withFailedStarts(failures).withToken(w.newToken()),
          "start failed: restart " + failures + "/" + rc.maxRestart() + " on " + ss.node());
      return;
    }
    TreeSet<String> tried = new TreeSet<>(ss.triedNodes());
    tried.add(ss.node());
    String next = tried.size() <= rc.maxRelocate() ? placed(rc, placement.select(rc, null, tried)) : null;
    if (next == null) {
      set(id, ss.with(ServiceState.ERROR).withTried(tried), "start failed on " + String.join(", ", tried)
          + ": max_restart=" + rc.maxRestart() + " and max_relocate=" + rc.maxRelocate() + " used up");
      return;
    }
    set(id, ss.withTried(tried).onNode(next, w.newToken()), "start failed on " + ss.node()
        + ": relocating " + tried.size() + "/" + rc.maxRelocate() + " to " + next);
  }

  private void moveAway(String id, ServiceStatus ss, ResourceConfig rc, String why) {
    String target = placed(rc, placement.select(rc, null, Set.of(ss.node())));
    if (target == null) return; // nowhere to go: it stays; retried every round
    set(id, ss.with(move(ss)).withTarget(target, w.newToken()).withMaintenanceNode(ss.node()), why);
  }

  private void requestStop(String id, ServiceStatus ss, ResourceConfig rc) {
    NodeState ns = w.nodeState(ss.node());
    if (ns == NodeState.FENCING || ns == NodeState.FENCED) {
      set(id, ss.with(ServiceState.FENCE), ss.node() + " is " + ns.label());
      return;
    }
    ResourceResult r = result(ss.node(), id);
    boolean offline = ns == NodeState.OFFLINE;
    if (offline || (r != null && r.token() == ss.token() && r.outcome() == RequestOutcome.STOPPED)) {
      set(id, ss.with(rc.state() == RequestState.DISABLED ? ServiceState.DISABLED : ServiceState.STOPPED),
          offline ? ss.node() + " shut down cleanly" : "stopped");
    } else if (r != null && r.token() == ss.token() && r.outcome() == RequestOutcome.STOP_FAILED) {
      set(id, ss.with(ServiceState.ERROR), "stop failed on " + ss.node());
    }
  }

  private void stopped(String id, ServiceStatus ss, ResourceConfig rc) {
    switch (rc.state()) {
      case STARTED -> set(id, ss.with(ServiceState.REQUEST_START), "configured started");
      case STOPPED -> {
        if (ss.state() != ServiceState.STOPPED) set(id, ss.with(ServiceState.STOPPED), "configured stopped");
      }
      case DISABLED -> {
        if (ss.state() != ServiceState.DISABLED) set(id, ss.with(ServiceState.DISABLED), "configured disabled");
      }
      case IGNORED -> { } // handled before the switch
    }
  }

  private void migrate(String id, ServiceStatus ss) {
    NodeState ns = w.nodeState(ss.node());
    if (ns == NodeState.FENCING || ns == NodeState.FENCED) {
      // Keeps the target: the hand-over may have happened, so recovery must go there or wait for it.
      set(id, ss.with(ServiceState.FENCE), ss.node() + " is " + ns.label() + " during migration to " + ss.target());
      return;
    }
    ResourceResult r = result(ss.node(), id);
    boolean answered = r != null && r.token() == ss.token();
    NodeState target = w.nodeState(ss.target());
    if (!answered && target == NodeState.FENCED) {
      // The target is confirmed dead: whatever it received is gone; the source keeps or restarts it. (A cleanly
      // offline target does not qualify: its agent waits for incoming migrations before it goes down.)
      set(id, ss.with(ServiceState.STARTED).onNode(ss.node(), w.newToken()), "migration target " + ss.target()
          + " is " + target.label() + ": stays on " + ss.node());
      return;
    }
    if (!answered) return;
    if (r.outcome() == RequestOutcome.MIGRATED) {
      set(id, ss.with(ServiceState.STARTED).onNode(ss.target(), ss.token()).withMigrationFailed(false), "migrated");
    } else if (r.outcome() == RequestOutcome.STOPPED) {
      set(id, ss.with(ServiceState.STARTED).onNode(ss.target(), ss.token()), "not on " + ss.node()
          + " any more: continues on " + ss.target());
    } else if (r.outcome() == RequestOutcome.MIGRATE_FAILED) {
      set(id, ss.with(ServiceState.STARTED).onNode(ss.node(), w.newToken()).withMigrationFailed(true),
          "migration failed: stays on " + ss.node() + "; automatic moves will relocate it");
    }
  }

  private void relocate(String id, ServiceStatus ss, ResourceConfig rc) {
    NodeState ns = w.nodeState(ss.node());
    if (ns == NodeState.FENCING || ns == NodeState.FENCED) {
      set(id, ss.withTarget(null, ss.token()).with(ServiceState.FENCE), ss.node() + " is " + ns.label());
      return;
    }
    ResourceResult r = result(ss.node(), id);
    if (r == null || r.token() != ss.token()) return;
    if (r.outcome() == RequestOutcome.STOPPED) {
      String target = placement.eligible(ss.target()) ? ss.target() : placed(rc, placement.select(rc, null, Set.of()));
      if (target == null) {
        set(id, ss.withTarget(null, ss.token()).with(ServiceState.REQUEST_STOP), "relocation target gone");
        return;
      }
      set(id, ss.with(ServiceState.STARTED).onNode(target, w.newToken()), "relocated: stopped on " + ss.node());
    } else if (r.outcome() == RequestOutcome.STOP_FAILED) {
      set(id, ss.withTarget(null, ss.token()).with(ServiceState.ERROR), "stop for relocation failed");
    }
  }

  private void fence(String id, ServiceStatus ss, ResourceConfig rc) {
    NodeStatus node = w.node(ss.node());
    if (node.state() == NodeState.FENCED) {
      Check.invariant(4, node.confirmation() != null, "%s: %s fenced without confirmation", id, ss.node());
      set(id, ss.with(ServiceState.RECOVERY), "fence of " + ss.node() + " confirmed by "
          + node.confirmation().kind().name().toLowerCase(java.util.Locale.ROOT));
      recovery(id, w.services.get(id), rc); // placed in the same round: every round trip counts in a failover
    } else if (back(node.state()) && ss.target() != null) {
      set(id, ss.with(ServiceState.MIGRATE), ss.node() + " came back before it was fenced: migration outcome "
          + "pending");
    } else if (back(node.state())) {
      set(id, ss.with(ServiceState.STARTED), ss.node() + " came back before it was fenced");
    }
  }

  /** A node that came back (before its fence), in the operator's maintenance or not. */
  private static boolean back(NodeState ns) {
    return ns == NodeState.ONLINE || ns == NodeState.MAINTENANCE;
  }

  private void recovery(String id, ServiceStatus ss, ResourceConfig rc) {
    // Entry into recovery already required the node's confirmed fence or clean release (see fence(), started());
    // the node may have rejoined and failed again since, which changes nothing for this resource.
    if (rc.state() != RequestState.STARTED && rc.state() != RequestState.STOPPED) {
      set(id, ss.with(stoppedStateFor(rc)), "configured " + rc.state().name().toLowerCase(java.util.Locale.ROOT));
      return;
    }
    // Proxmox's semantics: a stopped resource belongs to a living node too, so configured stopped it stays in
    // recovery until a node can take it, and is placed there stopped (only disabled ends recovery at once).
    boolean stopped = rc.state() == RequestState.STOPPED;
    if (!stopped && w.diskWait(id) != null) return; // another resource holds a disk it lists: it waits here
    String target = null;
    String why = "recovered from " + ss.node();
    if (ss.target() != null) {
      // Its node failed during a live migration: it may already run on the target.
      if (placement.eligible(ss.target())) {
        target = ss.target();
        why += " to its migration target";
      } else {
        NodeState t = w.nodeState(ss.target());
        if (t != NodeState.FENCED && t != NodeState.OFFLINE) return; // wait: the target might still run it
      }
    }
    if (target == null) target = placed(rc, placement.select(rc, null, Set.of()));
    if (target == null) return; // no recovery target: stays in recovery and is retried every round
    set(id, ss.with(stopped ? ServiceState.STOPPED : ServiceState.STARTED).onNode(target, w.newToken()),
        stopped ? why + ", configured stopped: placed on " + target + " stopped" : why);
  }

  private void freeze(String id, ServiceStatus ss) {
    NodeState ns = w.nodeState(ss.node());
    NodeRecord rec = records.get(ss.node());
    if (ns == NodeState.FENCING || ns == NodeState.FENCED) {
      set(id, ss.with(ServiceState.FENCE), ss.node() + " is " + ns.label());
    } else if ((ns == NodeState.ONLINE || ns == NodeState.MAINTENANCE) && rec != null
        && rec.mode() == AgentMode.ACTIVE) {
      set(id, ss.with(ServiceState.STARTED), ss.node() + " is back"); // in maintenance it is then moved away
    }
  }

  private void error(String id, ServiceStatus ss, ResourceConfig rc) {
    if (rc.state() == RequestState.DISABLED) {
      // Like Proxmox, clearing the error forgets the failures: a later enable gets its full restart budget.
      set(id, ss.with(ServiceState.REQUEST_STOP).withToken(w.newToken()).withFailedStarts(0)
          .withTried(new TreeSet<>()), "disabled: clearing error");
    }
  }

  private void ignored(String id, ServiceStatus ss, ResourceConfig rc) {
    if (rc.state() == RequestState.IGNORED) return;
    if (rc.state() == RequestState.STARTED && ss.node() != null && placement.eligible(ss.node())
        && w.diskWait(id) == null) {
      set(id, ss.with(ServiceState.STARTED).withToken(w.newToken()), "managed again");
    } else if (ss.node() != null && w.nodeState(ss.node()) == NodeState.ONLINE) {
      set(id, ss.with(ServiceState.REQUEST_STOP).withToken(w.newToken()), "managed again");
    }
  }

  // ---- operator commands -----------------------------------------------------------------------------------------

  /** `resource cleanup ID`: clears error (like disable, then enable): stopped where it is, then as requested. */
  String cleanupCommand(String id) {
    ServiceStatus ss = w.services.get(id);
    if (ss == null || config.resources().get(id) == null) return "unknown resource " + id;
    if (ss.state() != ServiceState.ERROR) return id + " is " + ss.state().label() + ", not error";
    set(id, ss.with(ServiceState.REQUEST_STOP).withToken(w.newToken()).withFailedStarts(0)
        .withTried(new TreeSet<>()), "operator: cleanup, clearing error");
    return null;
  }

  String migrateCommand(String id, String target, boolean live) {
    ServiceStatus ss = w.services.get(id);
    ResourceConfig rc = config.resources().get(id);
    if (ss == null || rc == null) return "unknown resource " + id;
    if (ss.state() != ServiceState.STARTED) return id + " is " + ss.state().label() + ", not started";
    ResourceResult r = result(ss.node(), id);
    if (r == null || r.token() != ss.token() || r.outcome() != RequestOutcome.STARTED) {
      return id + " is still starting on " + ss.node() + "; try again once it runs";
    }
    if (target.equals(ss.node())) return id + " is already on " + target;
    if (!placement.eligible(target)) return placement.notEligible(target);
    if (placement.priority(rc, target) == null) return target + " is not allowed by group " + rc.group();
    // A positive rule moves its whole set (Proxmox): every partner must be running and allowed on target.
    java.util.List<String> moving = new java.util.ArrayList<>(List.of(id));
    for (String p : placement.partners(id)) {
      ServiceStatus ps = w.services.get(p);
      if (ps != null && ps.state() == ServiceState.STARTED && target.equals(ps.node())) continue;
      ResourceConfig pc = config.resources().get(p);
      ResourceResult pr = ps == null ? null : result(ps.node(), p);
      if (ps == null || pc == null || ps.state() != ServiceState.STARTED || pr == null || pr.token() != ps.token()
          || pr.outcome() != RequestOutcome.STARTED || placement.priority(pc, target) == null) {
        return p + ", which a positive rule keeps with " + id + ", cannot move to " + target + " now";
      }
      moving.add(p);
    }
    for (String m : moving) {
      String refused = placement.refusedOn(config.resources().get(m), target);
      if (refused != null) return refused;
    }
    for (String m : moving) {
      ServiceStatus ms = w.services.get(m);
      placed(config.resources().get(m), target);
      set(m, ms.with(live ? ServiceState.MIGRATE : ServiceState.RELOCATE).withTarget(target, w.newToken()),
          "operator: " + (live ? "migrate" : "relocate") + " to " + target + (m.equals(id) ? "" : " with " + id));
    }
    return null;
  }

  /** An automatic rebalancing move of a running resource, to a target AutoRebalance chose under the rules. */
  void rebalance(String id, String target, String why) {
    ServiceStatus ss = w.services.get(id);
    Check.that(ss != null && ss.state() == ServiceState.STARTED && placement.eligible(target)
        && placement.refusedOn(config.resources().get(id), target) == null, "%s: rebalanced to %s as %s", id,
        target, ss);
    placed(config.resources().get(id), target);
    set(id, ss.with(move(ss)).withTarget(target, w.newToken()), why);
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  /** How an automatic move goes: live, unless a live migration of this resource failed before. */
  private static ServiceState move(ServiceStatus ss) {
    return ss.migrationFailed() ? ServiceState.RELOCATE : ServiceState.MIGRATE;
  }

  private static ServiceState stoppedStateFor(ResourceConfig rc) {
    return rc.state() == RequestState.DISABLED ? ServiceState.DISABLED : ServiceState.STOPPED;
  }

  private ResourceResult result(String node, String id) {
    NodeRecord rec = node == null ? null : records.get(node);
    return rec == null ? null : rec.results().get(id);
  }

  private void set(String id, ServiceStatus to, String reason) {
    ServiceStatus from = w.services.get(id);
    if (from != null && to != null) Leaving.check(w, records, id, from, to, reason);
    placement.moved(id, from, to);
    w.setService(id, to, reason);
  }

  /** Invariant 7 where a node is chosen: never one in maintenance, never one outside a restricted group. */
  private String placed(ResourceConfig rc, String node) {
    if (node == null) return null;
    Check.invariant(7, w.nodeState(node) != NodeState.MAINTENANCE && placement.priority(rc, node) != null,
        "%s placed on %s, which is %s (group %s)", rc.id(), node, w.nodeState(node).label(), rc.group());
    return node;
  }
}
