package palisade.core;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * The local resource manager of one node (Proxmox's LRM). It renews the node lease by compare-and-set every R and
 * feeds the watchdog only when the acknowledgement came within X of sending; it runs the manager's requests for
 * this node through the resource driver and reports the results in the same record. On seeing itself fenced it
 * kills every HA resource at once, stops feeding, and starts nothing until it has rejoined.
 *
 * <p>No I/O, threads or clocks: the host calls {@link #tick} and delivers callbacks with the node's clock reading.
 */
public final class Agent {

  /** The agent's own lifecycle. */
  public enum State {
    /** Waiting for the store and its own record. */
    BOOTING,
    /** Renewing its lease and running resources. */
    ACTIVE,
    /** Saw its lease fenced: resources killed; rejoins by acknowledging the new generation. */
    FENCED,
    /** Shut down cleanly: nothing runs, watchdog disarmed; the host may power the node off. */
    DOWN;

    Set<State> predecessors() {
      return switch (this) {
        case BOOTING -> EnumSet.noneOf(State.class);
        case ACTIVE -> EnumSet.of(BOOTING, FENCED);
        case FENCED -> EnumSet.of(BOOTING, ACTIVE);
        case DOWN -> EnumSet.of(ACTIVE);
      };
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final AgentEnv env;
  private final Timing timing;
  private final Fencer fencer;
  private final String node;
  private final String path;
  private final String source;

  private State state = State.BOOTING;
  private AgentMode mode = AgentMode.ACTIVE;
  /** Our record as last committed, and its version: the next renewal's compare-and-set names it. */
  private NodeRecord written;
  private long writtenVersion = Op.ABSENT;
  private boolean writePending;
  private long writeSentMs;
  private long writeSeq;
  private long lastWriteSentMs = Long.MIN_VALUE / 2;
  /** Send time of the last renewal acknowledged within X: the watchdog was fed then. */
  private long lastGoodRenewalMs = Long.MIN_VALUE / 2;
  private boolean leaseOk;

  private final TreeMap<String, ResourceResult> results = new TreeMap<>();
  /** Resources with a driver operation in flight, and the token it carries. */
  private final TreeMap<String, Long> inFlight = new TreeMap<>();
  /** Highest token this node was ever asked to run each resource with: a start never goes below it. */
  private final TreeMap<String, Long> highestToken = new TreeMap<>();
  /** When this node first saw each migration request (by token): a target that never gets ready is given up. */
  private final TreeMap<Long, Long> migrationSeen = new TreeMap<>();
  /** Highest SPM token seen naming this node, and the highest it gave back: neither is ever acted on again. */
  private long spmSeen;
  private long spmReleased;
  /** Bumped when the node is fenced so completions of older driver operations are ignored. */
  private long opsEpoch;

  public Agent(AgentEnv env, Timing timing) {
    this(env, timing, FencePolicy.defaults());
  }

  public Agent(AgentEnv env, Timing timing, FencePolicy fencePolicy) {
    this.fencer = new Fencer(env, fencePolicy, timing);
    this.env = env;
    this.timing = timing;
    this.node = env.node();
    this.path = StorePaths.node(node);
    this.source = node + "/agent";
  }

  public State state() {
    return state;
  }

  public boolean isDown() {
    return state == State.DOWN;
  }

  /** The operator asked for a clean reboot or power-off; the cluster's shutdown policy applies. */
  public void requestShutdown(boolean reboot, long nowMs) {
    if (state != State.ACTIVE || mode != AgentMode.ACTIVE) return;
    mode = reboot ? AgentMode.REBOOTING : AgentMode.SHUTTING_DOWN;
    env.log().event(source, (reboot ? "reboot" : "shutdown") + " requested");
  }

  public void tick(long nowMs) {
    if (writePending && nowMs - writeSentMs > timing.ackMs()) {
      writePending = false; // counted as lost; a late acknowledgement only updates the version
      adoptOwnVersion(); // it may have committed unseen: continue from what the store shows
    }
    switch (state) {
      case BOOTING -> boot(nowMs);
      case ACTIVE -> active(nowMs);
      case FENCED -> rejoin(nowMs);
      case DOWN -> { }
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------------

  private void boot(long nowMs) {
    StoreClient store = env.store();
    if (writePending || !store.synced()) return;
    Versioned<NodeRecord> rec = store.view().get(path, NodeRecord.class);
    if (rec == null) {
      NodeRecord fresh = NodeRecord.fresh(node);
      submitWrite(Op.ABSENT, fresh, nowMs, false);
      return;
    }
    written = rec.value();
    writtenVersion = rec.version();
    spmReleased = Math.max(spmReleased, written.spmReleased());
    if (written.fenced()) {
      fenced(nowMs, "lease was fenced while this node was away (generation " + written.generation() + ")");
      return;
    }
    transition(State.ACTIVE, "store synced, generation " + written.generation());
    active(nowMs);
  }

  private void active(long nowMs) {
    Versioned<NodeRecord> mine = env.store().view().get(path, NodeRecord.class);
    if (mine != null && mine.value().fenced() && mine.value().generation() > written.generation()) {
      fenced(nowMs, "manager fenced this node (generation " + mine.value().generation() + ")");
      return;
    }
    trackLease(nowMs);
    ManagerState ms = viewOf(StorePaths.MANAGER_STATE, ManagerState.class);
    ClusterConfig config = viewOf(StorePaths.CONFIG, ClusterConfig.class);
    // Act only on a view that holds our own last write: it then holds every manager decision committed before it,
    // such as the release of this node's resources after a clean shutdown of its previous incarnation.
    boolean current = mine != null && mine.version() >= writtenVersion;
    if (ms != null && leaseOk && current) manage(ms, config, nowMs);
    spm(ms == null ? null : ms.spm(), current);
    if (leaseOk) fencer.tick(ms, nowMs);
    if (mode == AgentMode.REBOOTING || mode == AgentMode.SHUTTING_DOWN) shutdownStep(ms, config, nowMs);
    maybeRenew(nowMs);
  }

  private void fenced(long nowMs, String reason) {
    transition(State.FENCED, reason);
    env.log().event(source, "killing all HA resources; watchdog no longer fed");
    env.resources().killAll();
    if (env.spm().activeToken() != 0) {
      env.spm().deactivate();
      env.log().event(source, "no longer SPM (fenced)");
    }
    opsEpoch++;
    inFlight.clear();
    results.clear();
    leaseOk = false;
    rejoin(nowMs);
  }

  /** After a fence: acknowledge the new generation once nothing runs here, then start over as a fresh member. */
  private void rejoin(long nowMs) {
    StoreClient store = env.store();
    if (writePending || !store.synced()) return;
    Check.that(env.resources().running().isEmpty(), "%s: resources still running after kill-all", node);
    Versioned<NodeRecord> rec = store.view().get(path, NodeRecord.class);
    if (rec == null) return;
    written = rec.value();
    writtenVersion = rec.version();
    if (!written.fenced()) {
      transition(State.ACTIVE, "lease not fenced (generation " + written.generation() + ")");
      return;
    }
    submitWrite(rec.version(), written.rejoined(), nowMs, false);
  }

  // ---- lease -----------------------------------------------------------------------------------------------------

  private void trackLease(long nowMs) {
    boolean ok = nowMs - lastGoodRenewalMs <= 2 * timing.renewMs() + timing.ackMs();
    if (ok != leaseOk) {
      leaseOk = ok;
      env.log().event(source, ok ? "lease renewed" : "lease renewal failed");
    }
  }

  private void maybeRenew(long nowMs) {
    if (writePending) return;
    boolean armed = env.watchdog().armed();
    boolean news = !results.equals(written.results()) || mode != written.mode() || armed != written.armed()
        || leaseOk != written.inTime() || spmReleased != written.spmReleased();
    boolean due = nowMs - lastWriteSentMs >= timing.renewMs();
    if (!due && !(news && nowMs - lastWriteSentMs >= timing.tickMs())) return;
    boolean idle = mode != AgentMode.ACTIVE || (env.resources().running().isEmpty() && inFlight.isEmpty()
        && !assignedAnything() && env.spm().activeToken() == 0);
    NodeRecord next = written.renewed(mode, new TreeMap<>(results), armed, leaseOk, spmReleased);
    submitWrite(writtenVersion, next, nowMs, idle);
  }

  private void submitWrite(long expectedVersion, NodeRecord next, long nowMs, boolean idleAtSend) {
    long seq = ++writeSeq;
    long sentMs = nowMs;
    boolean rejoin = state == State.FENCED;
    writePending = true;
    writeSentMs = nowMs;
    lastWriteSentMs = nowMs;
    env.store().submit(Txn.of(new Op.Put(path, expectedVersion, next)),
        (result, t) -> onWriteResult(seq, rejoin, sentMs, next, idleAtSend, result, t));
  }

  private void onWriteResult(long seq, boolean rejoin, long sentMs, NodeRecord next, boolean idleAtSend,
      TxnResult result, long nowMs) {
    if (seq == writeSeq) writePending = false;
    if (state == State.DOWN || (state == State.FENCED && !rejoin)) return; // stale: written before the fence
    if (result instanceof TxnResult.Committed c) {
      committed(sentMs, next, c.version(path), idleAtSend, nowMs);
    } else if (result instanceof TxnResult.Conflict) {
      conflict(nowMs);
    }
  }

  private void committed(long sentMs, NodeRecord next, long version, boolean idleAtSend, long nowMs) {
    if (version <= writtenVersion && written != null) return; // an older write acknowledged after a newer one
    written = next;
    writtenVersion = version;
    if (state == State.BOOTING) {
      transition(State.ACTIVE, "lease record created");
    } else if (state == State.FENCED) {
      transition(State.ACTIVE, "rejoined, generation " + next.generation());
      return;
    }
    boolean inTime = nowMs - sentMs <= timing.ackMs();
    if (!inTime) {
      env.log().event(source, "renewal acknowledged late (" + (nowMs - sentMs) + "ms > X): watchdog not fed");
      return;
    }
    lastGoodRenewalMs = Math.max(lastGoodRenewalMs, sentMs);
    Watchdog wd = env.watchdog();
    if (next.mode().down()) {
      if (wd.armed()) {
        wd.disarm();
        env.log().event(source, "watchdog disarmed");
      }
      transition(State.DOWN, "shut down cleanly, every resource stopped");
      return;
    }
    boolean needed = !env.resources().running().isEmpty() || !inFlight.isEmpty() || assignedAnything()
        || env.spm().activeToken() != 0;
    if (needed && !wd.armed()) {
      wd.arm();
      env.log().event(source, "watchdog armed");
    } else if (wd.armed() && !needed && idleAtSend) {
      wd.disarm(); // nothing runs here, and the store knew it before we stopped feeding
      env.log().event(source, "watchdog disarmed");
    } else if (wd.armed()) {
      wd.feed();
    }
  }

  /** Continues from our own record as the view shows it, when only the acknowledgement went missing. */
  private void adoptOwnVersion() {
    Versioned<NodeRecord> rec = env.store().view().get(path, NodeRecord.class);
    if (rec == null || written == null || rec.version() <= writtenVersion) return;
    NodeRecord r = rec.value();
    if (!r.fenced() && r.generation() == written.generation() && r.counter() >= written.counter()) {
      written = r;
      writtenVersion = rec.version();
    }
  }

  private void conflict(long nowMs) {
    Versioned<NodeRecord> rec = env.store().view().get(path, NodeRecord.class);
    if (rec == null) return;
    if (rec.value().fenced() && (written == null || rec.value().generation() > written.generation())) {
      if (state == State.ACTIVE) fenced(nowMs, "renewal refused: lease fenced (generation "
          + rec.value().generation() + ")");
      return;
    }
    if (written != null && rec.value().generation() == written.generation() && !rec.value().fenced()) {
      written = rec.value(); // our own write whose acknowledgement was lost: continue from it
      writtenVersion = rec.version();
    }
  }

  // ---- resources -------------------------------------------------------------------------------------------------

  private boolean assignedAnything() {
    ManagerState ms = viewOf(StorePaths.MANAGER_STATE, ManagerState.class);
    if (ms == null) return false;
    if (ms.spm() != null && node.equals(ms.spm().node()) && !ms.spm().releasing()) return true;
    for (ServiceStatus ss : ms.services().values()) {
      if (needsWatchdog(ss)) return true;
    }
    return false;
  }

  /** Resources the manager still has on this node (what a migrate-policy shutdown waits to see moved away). */
  private boolean hostsAnything(ManagerState ms) {
    for (ServiceStatus ss : ms.services().values()) {
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

  private boolean incomingMigration(ManagerState ms) {
    for (ServiceStatus ss : ms.services().values()) {
      if (ss.state() == ServiceState.MIGRATE && node.equals(ss.target())) return true;
    }
    return false;
  }

  private boolean needsWatchdog(ServiceStatus ss) {
    return switch (ss.state()) {
      case STARTED, REQUEST_STOP, RELOCATE, FREEZE -> node.equals(ss.node());
      case MIGRATE -> node.equals(ss.node()) || node.equals(ss.target());
      case FENCE, RECOVERY -> node.equals(ss.target());
      case REQUEST_START, STOPPED, DISABLED, ERROR, IGNORED -> false;
    };
  }

  private void manage(ManagerState ms, ClusterConfig config, long nowMs) {
    SortedSet<String> running = env.resources().running();
    // Shutting down stops resources here, except under the migrate policy: the manager moves them away live.
    boolean stopping = mode != AgentMode.ACTIVE && (config == null
        || config.shutdownPolicy().effective(mode == AgentMode.REBOOTING) != ShutdownPolicy.MIGRATE);
    for (var e : ms.services().entrySet()) {
      String id = e.getKey();
      ServiceStatus ss = e.getValue();
      if (node.equals(ss.node()) || node.equals(ss.target())) {
        highestToken.merge(id, ss.token(), Math::max);
      }
      if (inFlight.containsKey(id) || !node.equals(ss.node())) continue;
      boolean isRunning = running.contains(id);
      switch (ss.state()) {
        case STARTED -> {
          if (stopping) {
            if (isRunning) stop(id, ss.token(), nowMs);
          } else if (isRunning) {
            report(id, ss.token(), Outcome.STARTED);
          } else if (!reported(id, ss.token(), Outcome.START_FAILED)) {
            start(resource(config, id), ss.token(), nowMs);
          }
        }
        case REQUEST_STOP, ERROR, STOPPED, DISABLED, RELOCATE -> {
          if (isRunning) stop(id, ss.token(), nowMs);
          else if (ss.state() != ServiceState.STOPPED && ss.state() != ServiceState.DISABLED) {
            report(id, ss.token(), Outcome.STOPPED);
          }
        }
        case MIGRATE -> {
          boolean answered = reported(id, ss.token(), Outcome.MIGRATE_FAILED)
              || reported(id, ss.token(), Outcome.MIGRATED);
          if (answered) {
            continue; // one attempt per request: the manager decides what happens next
          }
          if (isRunning && !stopping && resource(config, id) != null) {
            long since = migrationSeen.computeIfAbsent(ss.token(), k -> nowMs);
            if (targetReady(ss.target())) {
              migrate(resource(config, id), ss, nowMs);
            } else if (nowMs - since >= timing.leaseMs()) {
              env.log().event(source, id + ": migration to " + ss.target() + " given up: its watchdog is not armed");
              report(id, ss.token(), Outcome.MIGRATE_FAILED);
            }
          } else if (isRunning) {
            stop(id, ss.token(), nowMs);
          } else {
            report(id, ss.token(), Outcome.STOPPED); // not here (any more): it can only be on the target
          }
        }
        case FREEZE -> {
          if (isRunning && stopping) stop(id, ss.token(), nowMs);
        }
        case REQUEST_START, FENCE, RECOVERY, IGNORED -> { }
      }
    }
    for (String id : running) {
      if (!inFlight.containsKey(id) && !allowedHere(ms.services().get(id))) {
        env.log().event(source, id + ": running here but not assigned here: stopping it");
        stop(id, -1, nowMs);
      }
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

  /** A live migration hands a running resource over: only to a node whose watchdog already protects it. */
  private boolean targetReady(String target) {
    Versioned<NodeRecord> t = env.store().view().get(StorePaths.node(target), NodeRecord.class);
    return t != null && t.value().armed() && !t.value().fenced() && t.value().mode() == AgentMode.ACTIVE;
  }

  private static ResourceConfig resource(ClusterConfig config, String id) {
    return config == null ? null : config.resources().get(id);
  }

  private boolean reported(String id, long token, Outcome outcome) {
    ResourceResult r = results.get(id);
    return r != null && r.token() == token && r.outcome() == outcome;
  }

  private void report(String id, long token, Outcome outcome) {
    if (token < 0 || reported(id, token, outcome)) return;
    results.put(id, new ResourceResult(token, outcome));
  }

  private void start(ResourceConfig rc, long token, long nowMs) {
    if (rc == null || !env.watchdog().armed()) return; // armed on the next in-time renewal: nothing unprotected
    String id = rc.id();
    Check.that(token >= highestToken.getOrDefault(id, 0L),
        "%s: start of %s with token %d below %d already seen here", node, id, token, highestToken.get(id));
    env.log().event(source, id + ": starting (token " + token + ")");
    long epoch = opsEpoch;
    inFlight.put(id, token);
    env.resources().start(rc, token, (r, t) -> {
      if (epoch != opsEpoch) return;
      inFlight.remove(id);
      if (r.ok()) {
        env.log().event(source, id + ": started");
        report(id, token, Outcome.STARTED);
      } else {
        env.log().event(source, id + ": start failed: " + r.detail());
        report(id, token, Outcome.START_FAILED);
      }
    });
  }

  private void stop(String id, long token, long nowMs) {
    env.log().event(source, id + ": stopping");
    long epoch = opsEpoch;
    inFlight.put(id, token);
    env.resources().stop(id, (r, t) -> {
      if (epoch != opsEpoch) return;
      inFlight.remove(id);
      env.log().event(source, id + (r.ok() ? ": stopped" : ": stop failed: " + r.detail()));
      report(id, token, r.ok() ? Outcome.STOPPED : Outcome.STOP_FAILED);
    });
  }

  private void migrate(ResourceConfig rc, ServiceStatus ss, long nowMs) {
    String id = rc.id();
    long token = ss.token();
    env.log().event(source, id + ": migrating to " + ss.target() + " (token " + token + ")");
    long epoch = opsEpoch;
    inFlight.put(id, token);
    env.resources().migrate(rc, ss.target(), token, (r, t) -> {
      if (epoch != opsEpoch) return;
      inFlight.remove(id);
      env.log().event(source, id + (r.ok() ? ": migrated to " + ss.target() : ": migration failed: " + r.detail()));
      report(id, token, r.ok() ? Outcome.MIGRATED : Outcome.MIGRATE_FAILED);
    });
  }

  // ---- SPM role --------------------------------------------------------------------------------------------------

  /**
   * Acts as SPM while the manager names this node holder and does not ask for the role back, the node is not
   * shutting down, and the watchdog protects it; it takes the role up only with its lease renewed in time. Like a
   * resource, the role survives a few lost renewals (no flapping) and ends with the reset that a silent lease leads
   * to, before the manager can confirm the fence and name another holder.
   */
  private void spm(SpmRole role, boolean current) {
    SpmDuty duty = env.spm();
    long active = duty.activeToken();
    boolean mine = role != null && node.equals(role.node());
    if (mine) spmSeen = Math.max(spmSeen, role.token());
    boolean act = mine && !role.releasing() && mode == AgentMode.ACTIVE && env.watchdog().armed()
        && role.token() == spmSeen && role.token() > spmReleased && (leaseOk && current || active == role.token());
    if (active != 0 && (!act || active != role.token())) {
      duty.deactivate();
      env.log().event(source, "no longer SPM (token " + active + ")");
    }
    if (act && duty.activeToken() == 0) {
      duty.activate(role.token());
      env.log().event(source, "acts as SPM (token " + role.token() + ")");
    }
    if (mine && role.releasing() && duty.activeToken() == 0 && role.token() > spmReleased) {
      spmReleased = role.token(); // reported with the next write; never acted on again
      env.log().event(source, "released the SPM role (token " + role.token() + ")");
    }
  }

  // ---- clean shutdown --------------------------------------------------------------------------------------------

  /** Stops everything (or waits for the manager to move it away), then writes DOWN; the host powers off after. */
  private void shutdownStep(ManagerState ms, ClusterConfig config, long nowMs) {
    boolean reboot = mode == AgentMode.REBOOTING;
    ShutdownPolicy policy = config == null ? ShutdownPolicy.CONDITIONAL : config.shutdownPolicy();
    if (policy.effective(reboot) == ShutdownPolicy.MIGRATE && ms != null && hostsAnything(ms)) return;
    if (ms != null && incomingMigration(ms)) return; // DOWN must stay true: nothing may arrive afterwards
    SortedSet<String> running = env.resources().running();
    for (String id : running) {
      if (!inFlight.containsKey(id)) stop(id, tokenOf(ms, id), nowMs);
    }
    if (running.isEmpty() && inFlight.isEmpty() && !writePending && env.spm().activeToken() == 0) {
      mode = reboot ? AgentMode.DOWN_REBOOT : AgentMode.DOWN;
    }
  }

  private static long tokenOf(ManagerState ms, String id) {
    if (ms == null) return -1;
    ServiceStatus ss = ms.services().get(id);
    return ss == null ? -1 : ss.token();
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  private <T> T viewOf(String p, Class<T> type) {
    Versioned<T> v = env.store().view().get(p, type);
    return v == null ? null : v.value();
  }

  /** The one funnel for state changes: validates and logs `node3/agent: active -> fenced (reason)`. */
  private void transition(State to, String reason) {
    Check.that(to != state, "%s: no-op transition to %s", source, to);
    Check.that(to.predecessors().contains(state), "%s: illegal transition %s -> %s", source, state, to);
    env.log().event(source, state.label() + " -> " + to.label() + " (" + reason + ")");
    state = to;
  }
}
