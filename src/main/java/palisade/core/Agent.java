package palisade.core;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The local resource manager of one node (Proxmox's LRM). It renews the node lease by compare-and-set every R and
 * feeds the watchdog only when the acknowledgement came within X of sending; it runs the manager's requests for
 * this node through the resource driver and reports the results in the same record. On seeing itself fenced it
 * kills every HA resource at once, stops feeding, and starts nothing until it has rejoined.
 *
 * <p>This class is the lifecycle; it hands the rest to its parts the way the manager's round does: the lease and
 * watchdog to {@link AgentLease}, local resources to {@link AgentResources}, the SPM role to {@link AgentSpm}, the
 * mode and clean shutdown to {@link AgentShutdown}.
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
    DOWN,
    /** The daemon stops for a restart (an upgrade): starts nothing more, writes its record with the restart hold. */
    RESTARTING,
    /** Stopped for a daemon restart, every resource left running: the host exits ({@link #heldForRestart}). */
    STOPPED;

    Set<State> predecessors() {
      return switch (this) {
        case BOOTING -> EnumSet.noneOf(State.class);
        case ACTIVE -> EnumSet.of(BOOTING, FENCED);
        case FENCED -> EnumSet.of(BOOTING, ACTIVE, RESTARTING);
        case DOWN -> EnumSet.of(ACTIVE);
        case RESTARTING -> EnumSet.of(ACTIVE);
        case STOPPED -> EnumSet.of(RESTARTING);
      };
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final AgentEnv env;
  private final Fencer fencer;
  private final String node;
  private final String source;
  private final AgentLease lease;
  private final AgentResources resources;
  private final AgentSpm spm;
  private final AgentShutdown shutdown;
  private final Timing timing;
  private final NodePart part;

  private State state = State.BOOTING;
  /** The record write that carries the restart hold, once sent. */
  private AgentLease.Write holdWrite;
  private boolean held;

  public Agent(AgentEnv env, Timing timing) {
    this(env, timing, FencePolicy.defaults());
  }

  public Agent(AgentEnv env, Timing timing, FencePolicy fencePolicy) {
    this.fencer = new Fencer(env, fencePolicy, timing);
    this.env = env;
    this.node = env.node();
    this.part = new NodePart(node);
    this.source = node + "/agent";
    this.lease = new AgentLease(env, timing, source, this::acknowledged);
    this.resources = new AgentResources(env, timing, source);
    this.spm = new AgentSpm(env, source);
    this.shutdown = new AgentShutdown(env, source);
    this.timing = timing;
  }

  public State state() {
    return state;
  }

  /** The timings this agent claims and renews under now (a live change moves them: AgentTiming). */
  public Timing claimedTiming() {
    return lease.times().claim();
  }

  /** The watchdog timeout this agent has its device count. */
  public long watchdogMs() {
    return lease.times().watchdogMs();
  }

  public boolean isDown() {
    return state == State.DOWN;
  }

  /**
   * The operator asked for a clean reboot or power-off; the cluster's shutdown policy applies. (nowMs is unused:
   * the request acts on the next tick. It stays for the hosts that call this.)
   */
  public void requestShutdown(boolean reboot, long nowMs) {
    if (state != State.ACTIVE) return;
    shutdown.request(reboot);
  }

  /**
   * The daemon alone stops (SIGTERM for an upgrade), not the host: keep every resource running and have the watchdog
   * hold for H (DESIGN "A daemon restart is not a shutdown"). False when this agent cannot hold (not active, a shutdown in progress, or
   * no hold configured): the host then exits plainly and its watchdog fires W after the last feed.
   */
  public boolean requestRestart(long nowMs) {
    if (state != State.ACTIVE || shutdown.mode() != AgentMode.ACTIVE || timing.restartHoldMs() == 0) return false;
    transition(State.RESTARTING, "daemon restart requested: starting nothing, writing a restart hold of "
        + Durations.format(timing.restartHoldMs()));
    return true;
  }

  /** Stopped for a daemon restart: the host may exit now. */
  public boolean stoppedForRestart() {
    return state == State.STOPPED;
  }

  /** Stopped for a restart with the hold written and the watchdog holding it: the next daemon adopts what runs. */
  public boolean heldForRestart() {
    return state == State.STOPPED && held;
  }

  public void tick(long nowMs) {
    lease.expireLostWrite(nowMs);
    switch (state) {
      case BOOTING -> boot(nowMs);
      case ACTIVE -> active(nowMs);
      case FENCED -> rejoin(nowMs);
      case DOWN -> Check.that(shutdown.mode().down(), "%s: down in mode %s", source, shutdown.mode());
      case RESTARTING -> restarting(nowMs);
      case STOPPED -> { } // the host exits
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------------

  private void boot(long nowMs) {
    if (!lease.canWrite()) return;
    ClusterConfig cfg = viewOf(StorePaths.CONFIG, ClusterConfig.class);
    String retimed = lease.times().boot(cfg == null ? null : cfg.timing(), viewOf(StorePaths.TIMING, Timing.class));
    if (retimed != null) env.log().event(source, retimed);
    Versioned<NodeRecord> rec = lease.own();
    if (rec == null) {
      lease.submit(Op.ABSENT, lease.claimed(NodeRecord.fresh(node)), nowMs, false, false);
      return;
    }
    lease.adopt(rec);
    NodeRecord written = lease.written();
    spm.releasedBefore(written.spmReleased());
    if (written.fenced()) {
      fenced(nowMs, "lease was fenced while this node was away (generation " + written.generation() + ")");
      return;
    }
    transition(State.ACTIVE, "store synced, generation " + written.generation());
    active(nowMs);
  }

  private void active(long nowMs) {
    NodeRecord written = lease.written();
    Check.that(written != null && !written.fenced(), "%s: active without an unfenced record of its own", source);
    Versioned<NodeRecord> mine = lease.own();
    if (mine != null && mine.value().fenced() && mine.value().generation() > written.generation()) {
      fenced(nowMs, "manager fenced this node (generation " + mine.value().generation() + ")");
      return;
    }
    lease.track(nowMs);
    ManagerState ms = viewOf(StorePaths.MANAGER_STATE, ManagerState.class);
    ClusterConfig config = viewOf(StorePaths.CONFIG, ClusterConfig.class);
    // Act only on a view that holds our own last write: it then holds every manager decision committed before it,
    // such as the release of this node's resources after a clean shutdown of its previous incarnation.
    boolean current = mine != null && mine.version() >= lease.writtenVersion();
    if (ms != null && ms.ha().releasing() && lease.ok() && current && !lease.released()
        && resources.nothingInFlight()) {
      // Checked twice: the manager enters a freeze disarm's releasing phase only once every resource is frozen.
      Check.that(ms.ha().kind() != HaMode.Kind.FREEZE || Disarm.unfrozen(ms.services()) == 0,
          "%s: invariant disarm: releases its watchdog for %s with resources not frozen", source, ms.ha().label());
      lease.release(); // HA disarm: nothing in flight here, the cluster is disarming
    }
    if (ms != null && lease.ok() && current && (!lease.released() || shutdown.inProgress())) {
      resources.manage(ms, config, shutdown.stopsResources(config), nowMs); // released: HA touches nothing here
    }
    spm.step(ms == null ? null : ms.spm(), shutdown.mode(), lease.ok(), current);
    if (lease.ok()) fencer.tick(ms, nowMs);
    if (shutdown.inProgress()) shutdown.step(ms, config, resources, lease.writePending(), spm.active());
    AgentMode mode = shutdown.mode();
    if (!lease.writePending()) retime(config);
    lease.maybeRenew(nowMs, mode, resources.results(), spm.released(), () -> mode != AgentMode.ACTIVE
        || (!resources.busy() && !assignedAnything() && !spm.active()));
  }

  /**
   * Stopping for a restart: renew as usual (the watchdog stays fed) but start nothing; once nothing is in flight,
   * write the record with the hold. Its in-time acknowledgement lets the watchdog hold for H; anything else stops
   * without a hold (the watchdog then fires W after the last feed: a reset, safe).
   */
  private void restarting(long nowMs) {
    NodeRecord written = lease.written();
    Versioned<NodeRecord> mine = lease.own();
    if (mine != null && mine.value().fenced() && mine.value().generation() > written.generation()) {
      fenced(nowMs, "manager fenced this node (generation " + mine.value().generation() + ")");
      return;
    }
    if (holdWrite != null) {
      if (!lease.writePending()) stopped(false, "restart hold not acknowledged within X");
      return;
    }
    lease.track(nowMs);
    if (resources.nothingInFlight() && lease.canWrite()) {
      NodeRecord next = lease.claimed(written.renewed(shutdown.mode(), new java.util.TreeMap<>(resources.results()),
          env.watchdog().armed(), lease.ok(), spm.released()).held(timing.restartHoldMs()));
      holdWrite = lease.submit(lease.writtenVersion(), next, nowMs, false, false);
      return;
    }
    lease.maybeRenew(nowMs, shutdown.mode(), resources.results(), spm.released(), () -> false);
  }

  /** The hold write was answered in time (or not): hold the watchdog for H, then stop. */
  private void holdAnswered(boolean inTime) {
    Watchdog wd = env.watchdog();
    if (!inTime) {
      stopped(false, "restart hold acknowledged late: the watchdog is not held");
    } else if (!wd.armed() && lease.released()) {
      // HA disarm: armed only to hold, so that what runs here outlives the daemon; the next daemon releases it again
      // (or, armed again by then, keeps it). A watchdog that cannot hold is released again at once.
      wd.arm();
      if (wd.hold(timing.restartHoldMs())) {
        stopped(true, "restart hold written; the released watchdog holds for " + Durations.format(
            timing.restartHoldMs()) + " until the next daemon releases it again");
      } else {
        wd.disarm();
        stopped(false, "restart hold written, but this watchdog cannot hold: it stays released");
      }
    } else if (!wd.armed()) {
      stopped(true, "restart hold written; this daemon never armed the watchdog (any earlier hold keeps counting)");
    } else if (wd.hold(timing.restartHoldMs())) {
      stopped(true, "restart hold written; the watchdog holds for " + Durations.format(timing.restartHoldMs()));
    } else {
      stopped(false, "restart hold written, but this watchdog cannot hold: it fires W after the last feed");
    }
  }

  private void stopped(boolean isHeld, String reason) {
    held = isHeld;
    transition(State.STOPPED, reason);
  }

  private void fenced(long nowMs, String reason) {
    transition(State.FENCED, reason);
    env.log().event(source, "killing all HA resources; watchdog no longer fed");
    resources.killAll();
    spm.fenced();
    lease.lost();
    rejoin(nowMs);
  }

  /** After a fence: acknowledge the new generation once nothing runs here, then start over as a fresh member. */
  private void rejoin(long nowMs) {
    // A start still under way when everything was killed may finish after: acknowledge only once it answered; and
    // only once the SPM duty has ended (a host's stop hook may take a moment).
    if (!lease.canWrite() || !resources.settled() || spm.active()) return;
    Check.that(env.resources().running().isEmpty(), "%s: resources still running after kill-all", node);
    Check.that(!spm.active(), "%s: still SPM after a fence", node);
    Versioned<NodeRecord> rec = lease.own();
    if (rec == null) return;
    lease.adopt(rec);
    if (!rec.value().fenced()) {
      transition(State.ACTIVE, "lease not fenced (generation " + rec.value().generation() + ")");
      return;
    }
    lease.submit(rec.version(), lease.claimed(rec.value().rejoined()), nowMs, false, true);
  }

  /** A record write was answered: what it means for the lifecycle. */
  private void acknowledged(AgentLease.Write write, TxnResult result, long nowMs) {
    if (state == State.DOWN || state == State.STOPPED || (state == State.FENCED && !write.rejoin())) {
      return; // stale: written before the fence, or the agent has stopped
    }
    if (result instanceof TxnResult.Committed c) {
      committed(write, c.version(StorePaths.node(node)), nowMs);
    } else if (result instanceof TxnResult.Conflict) {
      conflict(nowMs);
    }
    if (state == State.RESTARTING && write == holdWrite) stopped(false, "restart hold refused: " + result);
  }

  private void committed(AgentLease.Write write, long version, long nowMs) {
    if (!lease.committed(write.next(), version)) return; // an older write acknowledged after a newer one
    if (state == State.BOOTING) {
      transition(State.ACTIVE, "lease record created");
    } else if (state == State.FENCED) {
      transition(State.ACTIVE, "rejoined, generation " + write.next().generation());
      return;
    }
    if (write == holdWrite) {
      holdAnswered(lease.inTime(write.sentMs(), nowMs));
      return;
    }
    if (!lease.inTime(write.sentMs(), nowMs)) return;
    if (write.next().mode().down()) {
      lease.disarm();
      Check.that(!resources.busy() && !spm.active(), "%s: down with resources or the SPM role", source);
      transition(State.DOWN, "shut down cleanly, every resource stopped");
      return;
    }
    // A hold found at boot is carried until this daemon has armed the watchdog at W itself.
    ManagerState ms = viewOf(StorePaths.MANAGER_STATE, ManagerState.class);
    lease.guard(resources.busy() || assignedAnything() || spm.active() || lease.holdCarried(), write.idleAtSend(),
        ms != null && ms.ha().releasing(), write.next().released());
  }

  private void conflict(long nowMs) {
    Versioned<NodeRecord> rec = lease.own();
    if (rec == null) return;
    NodeRecord written = lease.written();
    if (rec.value().fenced() && (written == null || rec.value().generation() > written.generation())) {
      if (state == State.ACTIVE || state == State.RESTARTING) fenced(nowMs, "renewal refused: lease fenced (generation "
          + rec.value().generation() + ")");
      return;
    }
    if (written != null && rec.value().generation() == written.generation() && !rec.value().fenced()) {
      lease.adopt(rec); // our own write whose acknowledgement was lost: continue from it
    }
  }

  /** A live timing change: one safe step toward /config's timing (DESIGN "Changing timings live"). */
  private void retime(ClusterConfig config) {
    String event = lease.times().step(config == null ? null : config.timing(), viewOf(StorePaths.TIMING,
        Timing.class), env.watchdog().armed());
    if (event != null) env.log().event(source, event);
  }

  private boolean assignedAnything() {
    return resources.assignedAnything(viewOf(StorePaths.MANAGER_STATE, ManagerState.class));
  }

  /**
   * A record of the view; the manager's state and the configuration as this node's part ({@link NodePart}): what
   * the agent acts on never depends on another node's resources.
   */
  private <T> T viewOf(String p, Class<T> type) {
    Versioned<T> v = env.store().view().get(p, type);
    if (v == null) return null;
    return switch (p) {
      case StorePaths.MANAGER_STATE -> type.cast(part.state((ManagerState) v.value()));
      case StorePaths.CONFIG -> type.cast(part.config((ClusterConfig) v.value(), storedState()));
      default -> v.value();
    };
  }

  /** The manager's state as the view holds it (NodePart takes the part of it, once per state). */
  private ManagerState storedState() {
    Versioned<ManagerState> v = env.store().view().get(StorePaths.MANAGER_STATE, ManagerState.class);
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
