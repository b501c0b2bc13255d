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
  private final Fencer fencer;
  private final String node;
  private final String source;
  private final AgentLease lease;
  private final AgentResources resources;
  private final AgentSpm spm;
  private final AgentShutdown shutdown;

  private State state = State.BOOTING;

  public Agent(AgentEnv env, Timing timing) {
    this(env, timing, FencePolicy.defaults());
  }

  public Agent(AgentEnv env, Timing timing, FencePolicy fencePolicy) {
    this.fencer = new Fencer(env, fencePolicy, timing);
    this.env = env;
    this.node = env.node();
    this.source = node + "/agent";
    this.lease = new AgentLease(env, timing, source, this::acknowledged);
    this.resources = new AgentResources(env, timing, source);
    this.spm = new AgentSpm(env, source);
    this.shutdown = new AgentShutdown(env, source);
  }

  public State state() {
    return state;
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

  public void tick(long nowMs) {
    lease.expireLostWrite(nowMs);
    switch (state) {
      case BOOTING -> boot(nowMs);
      case ACTIVE -> active(nowMs);
      case FENCED -> rejoin(nowMs);
      case DOWN -> Check.that(shutdown.mode().down(), "%s: down in mode %s", source, shutdown.mode());
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------------------------------

  private void boot(long nowMs) {
    if (!lease.canWrite()) return;
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
    if (ms != null && lease.ok() && current) resources.manage(ms, config, shutdown.stopsResources(config), nowMs);
    spm.step(ms == null ? null : ms.spm(), shutdown.mode(), lease.ok(), current);
    if (lease.ok()) fencer.tick(ms, nowMs);
    if (shutdown.inProgress()) shutdown.step(ms, config, resources, lease.writePending(), spm.active());
    AgentMode mode = shutdown.mode();
    lease.maybeRenew(nowMs, mode, resources.results(), spm.released(), () -> mode != AgentMode.ACTIVE
        || (!resources.busy() && !assignedAnything() && !spm.active()));
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
    if (!lease.canWrite()) return;
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
    if (state == State.DOWN || (state == State.FENCED && !write.rejoin())) return; // stale: written before the fence
    if (result instanceof TxnResult.Committed c) {
      committed(write, c.version(StorePaths.node(node)), nowMs);
    } else if (result instanceof TxnResult.Conflict) {
      conflict(nowMs);
    }
  }

  private void committed(AgentLease.Write write, long version, long nowMs) {
    if (!lease.committed(write.next(), version)) return; // an older write acknowledged after a newer one
    if (state == State.BOOTING) {
      transition(State.ACTIVE, "lease record created");
    } else if (state == State.FENCED) {
      transition(State.ACTIVE, "rejoined, generation " + write.next().generation());
      return;
    }
    if (!lease.inTime(write.sentMs(), nowMs)) return;
    if (write.next().mode().down()) {
      lease.disarm();
      Check.that(!resources.busy() && !spm.active(), "%s: down with resources or the SPM role", source);
      transition(State.DOWN, "shut down cleanly, every resource stopped");
      return;
    }
    lease.guard(resources.busy() || assignedAnything() || spm.active(), write.idleAtSend());
  }

  private void conflict(long nowMs) {
    Versioned<NodeRecord> rec = lease.own();
    if (rec == null) return;
    NodeRecord written = lease.written();
    if (rec.value().fenced() && (written == null || rec.value().generation() > written.generation())) {
      if (state == State.ACTIVE) fenced(nowMs, "renewal refused: lease fenced (generation "
          + rec.value().generation() + ")");
      return;
    }
    if (written != null && rec.value().generation() == written.generation() && !rec.value().fenced()) {
      lease.adopt(rec); // our own write whose acknowledgement was lost: continue from it
    }
  }

  private boolean assignedAnything() {
    return resources.assignedAnything(viewOf(StorePaths.MANAGER_STATE, ManagerState.class));
  }

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
