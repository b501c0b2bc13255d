package palisade.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * The agent's local resources: runs the manager's requests for this node through the resource driver (start, stop,
 * live migration) and keeps the results the next renewal reports. Every start carries the resource's token, never
 * one below a token this node saw for it (DESIGN invariant 2, checked here the second time after the manager).
 */
final class AgentResources {
  /** When this node first saw a migration request of a resource (by its token): a target never ready is given up. */
  private record MigrationSeen(long token, long sinceMs) {}

  private final AgentEnv env;
  private final Timing timing;
  private final String node;
  private final String source;

  private final TreeMap<String, ResourceResult> results = new TreeMap<>();
  /** Resources with a driver operation in flight, and the token it carries. */
  private final TreeMap<String, Long> inFlight = new TreeMap<>();
  /** Highest token this node was ever asked to run each resource with: a start never goes below it. */
  private final TreeMap<String, Long> highestToken = new TreeMap<>();
  private final TreeMap<String, MigrationSeen> migrationSeen = new TreeMap<>();
  /** Bumped when the node is fenced so completions of older driver operations are ignored. */
  private long opsEpoch;
  /** Operations in flight when everything was killed, not answered yet: what they finish may need killing too. */
  private int staleOps;
  /** The manager state this node acts on this step: its disk leases gate every start and hand-over. */
  private ManagerState acting;
  /** Resources whose start or hand-over waits for a disk lease, by the token told of: one event per token. */
  private final TreeMap<String, Long> leaseWaitTold = new TreeMap<>();
  /** The state {@link #mine} was taken from, and what it found there. */
  private ManagerState indexed;
  private List<Map.Entry<String, ServiceStatus>> mine = List.of();

  AgentResources(AgentEnv env, Timing timing, String source) {
    this.env = env;
    this.timing = timing;
    this.node = env.node();
    this.source = source;
  }

  /** The results the next renewal reports. */
  SortedMap<String, ResourceResult> results() {
    return results;
  }

  /** Anything running or in flight here: the watchdog must protect it. */
  boolean busy() {
    return !env.resources().running().isEmpty() || !inFlight.isEmpty();
  }

  boolean inFlight(String id) {
    return inFlight.containsKey(id);
  }

  boolean nothingInFlight() {
    return inFlight.isEmpty();
  }

  /** Every operation started before the last kill-all has answered (a start finishing late was killed again). */
  boolean settled() {
    return staleOps == 0;
  }

  /** An operation of before the last kill-all answered: whatever it left running goes too. */
  private void staleAnswered() {
    staleOps--;
    env.resources().killAll();
  }

  /** Fenced: everything is killed at once, and answers of operations started before are ignored from now on. */
  void killAll() {
    env.resources().killAll();
    opsEpoch++;
    staleOps += inFlight.size();
    inFlight.clear();
    results.clear();
  }

  /**
   * Resources the manager no longer knows are forgotten here too: their results, tokens and migrations can never
   * matter again (a re-added resource gets a new, higher token). This keeps every map within one entry per
   * resource of the manager's state.
   */
  private void prune(ManagerState ms) {
    SortedMap<String, ServiceStatus> known = ms.services();
    results.keySet().retainAll(known.keySet());
    highestToken.keySet().retainAll(known.keySet());
    leaseWaitTold.keySet().retainAll(known.keySet());
    // A migration record is over once its resource carries another token: tokens never come back.
    migrationSeen.entrySet().removeIf(e -> {
      ServiceStatus ss = known.get(e.getKey());
      return ss == null || ss.token() != e.getValue().token();
    });
    Check.that(results.size() <= known.size() && highestToken.size() <= known.size()
        && migrationSeen.size() <= known.size(), "%s: resource memory over its bound of %s", source, known.size());
  }

  /** Did the manager assign anything to this node (a resource, or the SPM role): the watchdog must protect it. */
  boolean assignedAnything(ManagerState ms) {
    if (ms == null) return false;
    if (ms.spm() != null && node.equals(ms.spm().node()) && !ms.spm().releasing()) return true;
    for (var e : mine(ms)) {
      if (needsWatchdog(e.getValue())) return true;
    }
    return false;
  }

  /** Resources the manager still has on this node (what a migrate-policy shutdown waits to see moved away). */
  boolean hostsAnything(ManagerState ms) {
    for (var e : mine(ms)) {
      ServiceStatus ss = e.getValue();
      if (!node.equals(ss.node())) continue;
      switch (ss.state()) {
        case STARTED, MIGRATE, RELOCATE, FREEZE, REQUEST_STOP -> {
          return true;
        }
        case REQUEST_START, STOPPED, DISABLED, FENCE, RECOVERY, ERROR, IGNORED -> { }
      }
    }
    return false;
  }

  boolean incomingMigration(ManagerState ms) {
    for (var e : mine(ms)) {
      if (e.getValue().state() == ServiceState.MIGRATE && node.equals(e.getValue().target())) return true;
    }
    return false;
  }

  /**
   * The resources placed on this node or migrating to it, in id order: the only ones a tick acts on. Taken once
   * per state (a state is immutable, and ticks between two changes see the same one), so a tick costs what this
   * node holds, not a walk of every resource in the cluster (four walks a second of 50,000 statuses per agent).
   */
  private List<Map.Entry<String, ServiceStatus>> mine(ManagerState ms) {
    if (ms != indexed) {
      List<Map.Entry<String, ServiceStatus>> found = new ArrayList<>();
      for (var e : ms.services().entrySet()) {
        if (node.equals(e.getValue().node()) || node.equals(e.getValue().target())) found.add(e);
      }
      indexed = ms;
      mine = found;
    }
    return mine;
  }

  private boolean needsWatchdog(ServiceStatus ss) {
    return switch (ss.state()) {
      case STARTED, REQUEST_STOP, RELOCATE, FREEZE -> node.equals(ss.node());
      case MIGRATE -> node.equals(ss.node()) || node.equals(ss.target());
      case FENCE, RECOVERY -> node.equals(ss.target());
      case REQUEST_START, STOPPED, DISABLED, ERROR, IGNORED -> false;
    };
  }

  /**
   * Runs the manager's requests for this node, once per request; stops whatever runs here without being assigned
   * here. stopping: the node shuts down and stops its resources rather than have them moved away live.
   */
  void manage(ManagerState ms, ClusterConfig config, boolean stopping, long nowMs) {
    prune(ms);
    acting = ms;
    SortedSet<String> running = env.resources().running();
    // A freeze disarm frozen over several writes: from the first on, HA starts and stops nothing here (DESIGN).
    boolean freezing = ms.ha().phase() == HaMode.Phase.FREEZING;
    for (var e : mine(ms)) {
      String id = e.getKey();
      ServiceStatus ss = freezing && Disarm.frozenByDisarm(e.getValue().state())
          ? e.getValue().with(ServiceState.FREEZE) : e.getValue();
      if (node.equals(ss.node()) || node.equals(ss.target())) {
        highestToken.merge(id, ss.token(), Math::max);
      }
      if (inFlight.containsKey(id) || !node.equals(ss.node())) continue;
      step(id, ss, config, running.contains(id), stopping, nowMs);
    }
    for (String id : running) {
      if (!inFlight.containsKey(id) && !allowedHere(ms.services().get(id))) {
        env.log().event(source, id + ": running here but not assigned here: stopping it");
        stop(id, -1);
      }
    }
  }

  /** One resource assigned to this node: what its request asks of the driver now. */
  private void step(String id, ServiceStatus ss, ClusterConfig config, boolean isRunning, boolean stopping,
      long nowMs) {
    switch (ss.state()) {
      case STARTED -> {
        if (stopping) {
          if (isRunning) stop(id, ss.token());
        } else if (isRunning && env.resources().runningToken(id) >= 0
            && env.resources().runningToken(id) < ss.token()) {
          env.log().event(source, id + ": running here under token " + env.resources().runningToken(id)
              + ", assigned token " + ss.token() + ": stopping the old instance");
          stop(id, -1);
        } else if (isRunning) {
          report(id, ss.token(), RequestOutcome.STARTED);
        } else if (!reported(id, ss.token(), RequestOutcome.START_FAILED)) {
          start(resource(config, id), ss.token());
        }
      }
      case REQUEST_STOP, ERROR, STOPPED, DISABLED, RELOCATE -> {
        if (isRunning) stop(id, ss.token());
        else if (ss.state() != ServiceState.STOPPED && ss.state() != ServiceState.DISABLED) {
          report(id, ss.token(), RequestOutcome.STOPPED);
        }
      }
      case MIGRATE -> migrateStep(id, ss, config, isRunning, stopping, nowMs);
      case FREEZE -> {
        if (isRunning && stopping) stop(id, ss.token());
      }
      case REQUEST_START, FENCE, RECOVERY, IGNORED -> { }
    }
  }

  private void migrateStep(String id, ServiceStatus ss, ClusterConfig config, boolean isRunning, boolean stopping,
      long nowMs) {
    // The target may be this very node: a return after maintenance can name the node the resource already is on.
    Check.that(ss.target() != null, "%s: migration of %s without a target", source, id);
    if (reported(id, ss.token(), RequestOutcome.MIGRATE_FAILED) || reported(id, ss.token(), RequestOutcome.MIGRATED)) {
      return; // one attempt per request: the manager decides what happens next
    }
    if (isRunning && !stopping && resource(config, id) != null) {
      MigrationSeen seen = migrationSeen.get(id);
      if (seen == null || seen.token() != ss.token()) {
        seen = new MigrationSeen(ss.token(), nowMs);
        migrationSeen.put(id, seen);
      }
      if (targetReady(ss.target())) {
        migrate(resource(config, id), ss);
      } else if (nowMs - seen.sinceMs() >= timing.leaseMs()) {
        env.log().event(source, id + ": migration to " + ss.target() + " given up: its watchdog is not armed");
        report(id, ss.token(), RequestOutcome.MIGRATE_FAILED);
      }
    } else if (isRunning) {
      stop(id, ss.token());
    } else {
      report(id, ss.token(), RequestOutcome.STOPPED); // not here (any more): it can only be on the target
    }
  }

  private boolean allowedHere(ServiceStatus ss) {
    if (ss == null) return false;
    return switch (ss.state()) {
      case IGNORED -> true;
      case MIGRATE, FENCE, RECOVERY -> node.equals(ss.node()) || node.equals(ss.target());
      case STARTED, REQUEST_STOP, RELOCATE, FREEZE, ERROR, STOPPED, DISABLED -> node.equals(ss.node());
      case REQUEST_START -> false;
    };
  }

  /**
   * A live migration hands a running resource over: only to a node whose watchdog already protects it, and not to
   * one whose daemon is away for a restart (its record carries a hold: nobody there would take the resource on).
   */
  private boolean targetReady(String target) {
    Versioned<NodeRecord> t = env.store().view().get(StorePaths.node(target), NodeRecord.class);
    return t != null && t.value().armed() && !t.value().fenced() && t.value().mode() == AgentMode.ACTIVE
        && t.value().holdMs() == 0;
  }

  private static ResourceConfig resource(ClusterConfig config, String id) {
    return config == null ? null : config.resources().get(id);
  }

  private boolean reported(String id, long token, RequestOutcome outcome) {
    ResourceResult r = results.get(id);
    return r != null && r.token() == token && r.outcome() == outcome;
  }

  private void report(String id, long token, RequestOutcome outcome) {
    if (token < 0 || reported(id, token, outcome)) return;
    results.put(id, new ResourceResult(token, outcome));
  }

  /** The one gate every start passes: the watchdog protects it and its token is the newest seen here. */
  private void start(ResourceConfig rc, long token) {
    if (rc == null || !env.watchdog().armed()) return; // armed on the next in-time renewal: nothing unprotected
    String id = rc.id();
    if (!leasesHeld(rc, node, token, "starting")) return;
    Check.invariant(2, token >= highestToken.getOrDefault(id, 0L),
        "%s: start of %s with token %d below %d already seen here", node, id, token, highestToken.get(id));
    Check.that(token > 0 && !inFlight.containsKey(id), "%s: start of %s (token %s) while busy or without a token",
        node, id, token);
    env.log().event(source, id + ": starting (token " + token + ")");
    long epoch = opsEpoch;
    inFlight.put(id, token);
    env.resources().start(rc, token, (r, t) -> {
      if (epoch != opsEpoch) {
        staleAnswered();
        return;
      }
      inFlight.remove(id);
      if (r.ok()) {
        env.log().event(source, id + ": started");
        report(id, token, RequestOutcome.STARTED);
      } else {
        env.log().event(source, id + ": start failed: " + r.detail());
        report(id, token, RequestOutcome.START_FAILED);
      }
    });
  }

  /**
   * Does holder hold the lease of every disk rc lists, for rc under token, in the state this node acts on (DESIGN
   * "Disk leases")? The manager writes it with the assignment, so a view that shows one shows the other; if not,
   * nothing starts or moves, and an event says why once per token.
   */
  private boolean leasesHeld(ResourceConfig rc, String holder, long token, String what) {
    for (String d : rc.disks()) {
      DiskLease l = acting == null ? null : acting.disks().get(d);
      if (l != null && l.node().equals(holder) && l.resource().equals(rc.id()) && l.token() == token) continue;
      Long told = leaseWaitTold.put(rc.id(), token);
      if (told == null || told != token) {
        env.log().event(source, rc.id() + ": not " + what + " (token " + token + "): disk " + d + " lease is "
            + DiskLease.describe(l) + ", not " + holder + " under this token");
      }
      return false;
    }
    return true;
  }

  /** Stops id; token -1: nobody asked (it runs here unassigned, or at shutdown), so nothing is reported. */
  void stop(String id, long token) {
    Check.that(!inFlight.containsKey(id), "%s: stop of %s while an operation on it is in flight", node, id);
    env.log().event(source, id + ": stopping");
    long epoch = opsEpoch;
    inFlight.put(id, token);
    env.resources().stop(id, (r, t) -> {
      if (epoch != opsEpoch) {
        staleAnswered();
        return;
      }
      inFlight.remove(id);
      env.log().event(source, id + (r.ok() ? ": stopped" : ": stop failed: " + r.detail()));
      report(id, token, r.ok() ? RequestOutcome.STOPPED : RequestOutcome.STOP_FAILED);
    });
  }

  private void migrate(ResourceConfig rc, ServiceStatus ss) {
    String id = rc.id();
    long token = ss.token();
    if (!leasesHeld(rc, ss.target(), token, "migrating to " + ss.target())) {
      report(id, token, RequestOutcome.MIGRATE_FAILED); // the manager keeps it here under a new token
      return;
    }
    Check.invariant(2, token >= highestToken.getOrDefault(id, 0L),
        "%s: migration of %s with token %d below %d already seen here", node, id, token, highestToken.get(id));
    env.log().event(source, id + ": migrating to " + ss.target() + " (token " + token + ")");
    long epoch = opsEpoch;
    inFlight.put(id, token);
    env.resources().migrate(rc, ss.target(), token, (r, t) -> {
      if (epoch != opsEpoch) {
        staleAnswered();
        return;
      }
      inFlight.remove(id);
      env.log().event(source, id + (r.ok() ? ": migrated to " + ss.target() : ": migration failed: " + r.detail()));
      report(id, token, r.ok() ? RequestOutcome.MIGRATED : RequestOutcome.MIGRATE_FAILED);
    });
  }
}
