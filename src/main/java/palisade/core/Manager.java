package palisade.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cluster resource manager (Proxmox's CRM). Every node runs one; the holder of the manager lease is active.
 * A standby takes the lease over after seeing it silent for L. The active manager writes its state only by
 * compare-and-set on the version it last wrote, so a deposed or paused manager cannot write; it fences nodes whose
 * lease it saw silent for L by compare-and-setting their record at the version it saw.
 *
 * <p>No I/O, threads or clocks: the host calls {@link #tick}; store replies arrive as callbacks.
 */
public final class Manager {
  /** The manager's role on this node: STANDBY watches the manager lease, ACTIVE holds it and decides. */
  public enum Role { STANDBY, ACTIVE }

  private static final String SOURCE = "manager";

  private final ManagerEnv env;
  /** The host's timing, and the one this manager runs under now (a live change publishes another: TimingChange). */
  private final Timing own;
  private Timing timing;
  private final TimingChange timings = new TimingChange();
  private final FencePolicy fencePolicy;
  private final String me;
  /** Power-fence retry backoff per target, and targets already alerted by the storm guard. */
  private final TreeMap<String, PowerFencing.Backoff> fenceBackoff = new TreeMap<>();
  private final DeviceChecks.Memory deviceChecks = new DeviceChecks.Memory();
  private final TreeSet<String> stormAlerted = new TreeSet<>();
  /**
   * Nodes the operator asked to fence, while that fence lasts, with the generation of its fence write as sent (0
   * before): their fence write and power fence go out without the wait ({@link NodeMachine#fenceCommand}).
   */
  private final TreeMap<String, Long> fenceAsked = new TreeMap<>();
  private final AutoRebalance rebalance = new AutoRebalance();
  /** Resources waiting for a disk another holds, with the reason last told: one event per change, not per round. */
  private final DiskLeases.Memory diskWaits = new DiskLeases.Memory();
  /** Steps resources; keeps the working statuses across rounds and skips quiet rounds' steps. */
  private final ResourcePhase resources;
  /** Which nodes a round steps: those whose step may act ({@link CalmNodes}). */
  private final CalmNodes calm;
  /** The configuration's rules, indexed, with the rule waits already told. */
  private RuleIndex rules;
  private final PowerSaving powerSaving = new PowerSaving();
  /** While standby: every node's timer from our own looks, kept at take-over (DESIGN "The manager rule"). */
  private final StandbyWatch watch = new StandbyWatch();

  private Role role = Role.STANDBY;
  // standby: when did we last see the lease change
  private long leaseSeenVersion = Long.MIN_VALUE;
  private long leaseSeenAtMs;
  // active
  private ManagerLease lease;
  private long leaseVersion;
  private ManagerState state;
  private long stateVersion;
  private final TreeMap<String, NodeTimer> timers = new TreeMap<>();
  /** Record version our last fence write of each node produced: no second write until the view shows it. */
  private final TreeMap<String, Long> fenceCommitted = new TreeMap<>();
  /** One store write in flight at a time (state, fence or takeover); renewals have their own slot. */
  private final ManagerWrite inFlight = new ManagerWrite();
  private boolean renewPending;
  private long renewSentMs;
  private long lastRenewSentMs = Long.MIN_VALUE / 2;
  private long lastGoodRenewalMs = Long.MIN_VALUE / 2;

  public Manager(ManagerEnv env, Timing timing) {
    this(env, timing, FencePolicy.defaults(), false);
  }

  /** stepAll: step every node and resource every round, skipping none (tests compare the two event for event). */
  public Manager(ManagerEnv env, Timing timing, FencePolicy fencePolicy, boolean stepAll) {
    this.env = env;
    this.resources = new ResourcePhase(stepAll);
    this.calm = new CalmNodes(stepAll);
    this.own = timing;
    this.timing = timing;
    this.fencePolicy = fencePolicy;
    this.me = env.node();
  }

  /** The most resource statuses one state write changes ({@link StatusBudget}); the rest wait for the next. */
  public Manager statusBudget(int changes) {
    resources.budget(new StatusBudget(changes));
    return this;
  }

  public Role role() {
    return role;
  }

  /** The timing this manager runs under now: its L is how long it waits (DESIGN "Changing timings live"). */
  public Timing timing() {
    return timing;
  }

  public long epoch() {
    return lease == null ? 0 : lease.epoch();
  }

  public void tick(long nowMs) {
    timing = timings.effective(own, env.store().view());
    switch (role) {
      case STANDBY -> standby(nowMs);
      case ACTIVE -> active(nowMs);
    }
  }

  // ---- standby ---------------------------------------------------------------------------------------------------

  private void standby(long nowMs) {
    StoreClient store = env.store();
    if (!candidate()) { // watches nothing while agent-only: a candidate again starts every timer afresh
      watch.gap();
      leaseSeenVersion = Long.MIN_VALUE;
      return;
    }
    if (!watch.look(store, timing, nowMs)) return;
    Versioned<ManagerLease> seen = store.view().get(StorePaths.MANAGER_LEASE, ManagerLease.class);
    long version = seen == null ? Op.ABSENT : seen.version();
    if (version != leaseSeenVersion) {
      leaseSeenVersion = version;
      leaseSeenAtMs = nowMs; // a new standby starts its timer at now, like a new manager does for nodes
    }
    if (inFlight.awaited(timing, nowMs)) return;
    inFlight.lost(timing, nowMs); // a takeover whose answer never came: the view tells
    if (seen != null && nowMs - leaseSeenAtMs < timing.leaseMs()) return;
    if (seen == null) {
      Versioned<ClusterConfig> cfg = store.view().get(StorePaths.CONFIG, ClusterConfig.class);
      if (cfg == null) return; // not ready to manage anything yet
      // A new cluster's first manager: candidates try in configuration order, one renewal interval apart.
      long before = cfg.value().nodes().headMap(me).values().stream().filter(n -> !n.agentOnly()).count();
      if (nowMs - leaseSeenAtMs < before * timing.renewMs()) return;
    }
    takeOver(seen, nowMs);
  }

  private void takeOver(Versioned<ManagerLease> seen, long nowMs) {
    StoreView view = env.store().view();
    Versioned<ManagerState> st = view.get(StorePaths.MANAGER_STATE, ManagerState.class);
    long newEpoch = (seen == null ? 0 : seen.value().epoch()) + 1;
    // Lease and state change in one transaction: a state never runs ahead of the lease it was written under.
    Check.that(seen == null || st == null || st.value().epoch() < newEpoch,
        "%s: takes over at epoch %s over state of epoch %s", me, newEpoch, st == null ? null : st.value().epoch());
    ManagerLease newLease = new ManagerLease(me, newEpoch, 0);
    ManagerState newState = (st == null ? ManagerState.empty() : st.value()).withEpoch(newEpoch);
    // ...and only under the configuration that made this node a candidate (agent_only set meanwhile: no takeover).
    Versioned<ClusterConfig> cfg = view.get(StorePaths.CONFIG, ClusterConfig.class);
    List<Op> ops = new ArrayList<>(List.of(new Op.Put(StorePaths.MANAGER_LEASE, seen == null ? Op.ABSENT
        : seen.version(), newLease), new Op.Put(StorePaths.MANAGER_STATE, st == null ? Op.ABSENT : st.version(),
        newState)));
    if (cfg != null) ops.add(new Op.Unchanged(StorePaths.CONFIG, cfg.version()));
    Txn txn = new Txn(ops);
    submit(txn, nowMs, (result, t) -> {
      if (result instanceof TxnResult.Committed c && role == Role.STANDBY) {
        lease = newLease;
        leaseVersion = c.version(StorePaths.MANAGER_LEASE);
        state = newState;
        stateVersion = c.version(StorePaths.MANAGER_STATE);
        role = Role.ACTIVE;
        lastGoodRenewalMs = lastRenewSentMs = t;
        // Timers it watched without a gap it keeps; any other starts at now (a full L before fencing that node).
        String kept = watch.handOverTo(timers, timing, t);
        env.log().event(SOURCE, me + " takes over as manager (epoch " + newEpoch + ")");
        env.log().event(SOURCE, kept);
        round(t);
      }
    });
  }

  // ---- active ----------------------------------------------------------------------------------------------------

  /** Not while the configuration makes this node agent-only (DESIGN "Manager candidates"). */
  private boolean candidate() {
    Versioned<ClusterConfig> cfg = env.store().view().get(StorePaths.CONFIG, ClusterConfig.class);
    return cfg == null || cfg.value().managerCandidate(me);
  }

  private void active(long nowMs) {
    if (!candidate()) {
      stepDown("this node is agent-only now (agent_only=yes); a candidate takes over once the lease lapses");
      return;
    }
    renew(nowMs);
    if (role == Role.ACTIVE) round(nowMs);
  }

  private void renew(long nowMs) {
    if (renewPending && nowMs - renewSentMs > timing.ackMs()) renewPending = false;
    if (renewPending || nowMs - lastRenewSentMs < timing.renewMs()) return;
    ManagerLease next = lease.renewed();
    long sentMs = nowMs;
    renewPending = true;
    renewSentMs = nowMs;
    lastRenewSentMs = nowMs;
    env.store().submit(Txn.of(new Op.Put(StorePaths.MANAGER_LEASE, leaseVersion, next)), (result, t) -> {
      renewPending = false;
      if (role != Role.ACTIVE) return;
      if (result instanceof TxnResult.Committed c) {
        if (c.version(StorePaths.MANAGER_LEASE) > leaseVersion) {
          lease = next;
          leaseVersion = c.version(StorePaths.MANAGER_LEASE);
        }
        if (t - sentMs <= timing.ackMs()) lastGoodRenewalMs = Math.max(lastGoodRenewalMs, sentMs);
      } else if (result instanceof TxnResult.Conflict) {
        Versioned<ManagerLease> seen = env.store().view().get(StorePaths.MANAGER_LEASE, ManagerLease.class);
        if (seen != null && seen.value().holder().equals(me) && seen.value().epoch() == lease.epoch()) {
          lease = seen.value(); // our own renewal whose acknowledgement was lost
          leaseVersion = seen.version();
        } else if (seen != null && seen.value().epoch() > lease.epoch()) {
          stepDown("lease taken over by " + seen.value().holder() + " (epoch " + seen.value().epoch() + ")");
        }
      }
    });
  }

  private void stepDown(String why) {
    env.log().event(SOURCE, me + " steps down: " + why);
    role = Role.STANDBY;
    state = null;
    lease = null;
    timers.clear();
    watch.gap(); // a deposed manager's watch starts from its next look
    rebalance.reset();
    powerSaving.reset();
    diskWaits.clear();
    resources.reset();
    calm.reset();
    leaseSeenVersion = Long.MIN_VALUE;
  }

  /** One decision round: read the store, step the nodes and resources that may change, write what changed. */
  private void round(long nowMs) {
    if (inFlight.awaited(timing, nowMs)) return;
    if (inFlight.lost(timing, nowMs)) {
      reloadState(); // unknown outcome: the view tells whether our write landed
      if (role != Role.ACTIVE) return;
    }
    Check.that(role == Role.ACTIVE && lease != null && state != null && lease.holder().equals(me),
        "%s: decision round as %s without lease or state", me, role);
    StoreClient store = env.store();
    if (!store.synced() || nowMs - lastGoodRenewalMs > 2 * timing.renewMs() + timing.ackMs()) return;
    StoreView view = store.view();
    Versioned<ManagerState> persisted = view.get(StorePaths.MANAGER_STATE, ManagerState.class);
    if (persisted != null && persisted.value().epoch() > lease.epoch()) {
      stepDown("state written by epoch " + persisted.value().epoch());
      return;
    }
    Versioned<ClusterConfig> cfg = view.get(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null) return;
    ClusterConfig config = cfg.value();
    forgetRemovedNodes(config);
    TreeMap<String, NodeRecord> records = readRecords(config, view, nowMs);
    Working w = resources.working(state, env.log(), stormAlerted);
    w.forgetUnconfigured(config.nodes().keySet()); // a removed node leaves the state: never fenced, never placed on
    TimingChange.check(config, records, timers, timing);
    List<Op> extra = timings.step(config, cfg.version(), view, records, timing, env.log());
    if (!extra.isEmpty()) timing = timings.effective(own, view); // a raise counts from its sending on
    long wallMs = env.wallClockMs(nowMs);
    DiskLeases leases = new DiskLeases(config, w, wallMs, diskWaits);
    w.leases(leases); // every resource change from here on moves its disk leases in the same write
    NodeMachine nodes = new NodeMachine(timing, config, w, records, timers, wallMs, me, fenceAsked)
        .liveTimings(timing != own);
    java.util.Set<String> heard = calm.heard(timers, timing, nowMs);
    if (rules == null || rules.config != config) rules = RuleIndex.of(config); // once per configuration
    Placement placement = new Placement(config, w, records, heard, rules, env.measuredUsage(),
        env.reportedCapacity());
    placement.counts = resources.loadCounts();
    ServiceMachine services = new ServiceMachine(config, w, records, placement);
    SpmMachine spm = new SpmMachine(config, w, records, wallMs);
    OperatorCommands.apply(view.get(StorePaths.COMMANDS, Commands.class), w, nodes, services, spm, env.log(), nowMs);
    nodes.holdFencing(!w.ha().managing()); // HA disarm: a silent node waits, no timer expiry leads to a fence
    java.util.Collection<String> due = calm.due(config, state, w, records, timers, fenceAsked, timing, nowMs);
    FenceSpread.step(nodes, due, w, resources.loadCounts(), nowMs); // fences beyond one write's budget wait
    Disarm.step(w, records, timers, timing, nowMs); // armed again: it restarts every node's timer at now
    boolean managing = w.ha().managing();
    Versioned<FenceHistory> history = view.get(StorePaths.FENCE_HISTORY, FenceHistory.class);
    PowerFencing power = new PowerFencing(timing, fencePolicy, config, w, nodes, records,
        history == null ? FenceHistory.empty() : history.value(), me, env.log(), fenceBackoff, fenceAsked);
    if (managing) {
      for (String n : due) power.step(n, timers.get(n).silentMs(nowMs), nowMs);
      new SoftFencing(timing, config, w, records, power).step(due, timers, nowMs);
    }
    DeviceChecks.step(config, w, history == null ? FenceHistory.empty() : history.value(), deviceChecks, me,
        env.log(), nowMs);
    spm.step();
    if (managing) {
      resources.step(w, services, new ResourcePhase.Inputs(config, state, heard, records, env.measuredUsage(),
          env.reportedCapacity(), rules));
      if (powerSaving.emptying()) rebalance.reset(); // it would move work back onto the node being emptied
      else rebalance.step(config, w, records, placement, services, env.measuredUsage(), nowMs);
      powerSaving.step(new PowerSaving.Round(timing, config, w, records, timers, placement, services,
          env.measuredUsage(), history == null ? FenceHistory.empty() : history.value(), me, nowMs));
    }
    leases.sweep();
    // Fence writes go with the state that moved the node to fencing, in one transaction: no round trip between.
    List<String> fence = fenceWrites(due, nodes, nowMs);
    ManagerState next = w.changed() ? w.build(lease.epoch()) : null;
    resources.settled(state, next, w);
    if (next == null && fence.isEmpty() && extra.isEmpty()) return;
    extra = new ArrayList<>(extra);
    if (!w.history.isEmpty()) {
      extra.add(new Op.Put(StorePaths.FENCE_HISTORY, history == null ? Op.ABSENT : history.version(),
          (history == null ? FenceHistory.empty() : history.value()).append(w.history)));
    }
    write(next, extra, fence, view, records, nowMs);
  }

  /** The nodes whose fence write goes out with this round's write. */
  private List<String> fenceWrites(java.util.Collection<String> due, NodeMachine nodes, long nowMs) {
    List<String> fence = new ArrayList<>();
    for (String n : due) {
      Long written = fenceCommitted.get(n);
      if (written != null && timers.get(n).version() < written) continue; // our fence is not in the view yet
      if (nodes.fenceWriteDue(n, nowMs)) fence.add(n);
    }
    return fence;
  }

  /** Every configured node's record (absent ones left out), with each node's timer stepped by what it shows. */
  private TreeMap<String, NodeRecord> readRecords(ClusterConfig config, StoreView view, long nowMs) {
    TreeMap<String, NodeRecord> records = new TreeMap<>();
    for (String n : config.nodes().keySet()) {
      Versioned<NodeRecord> rec = view.get(StorePaths.node(n), NodeRecord.class);
      long v = rec == null ? Op.ABSENT : rec.version();
      NodeRecord value = rec == null ? null : rec.value();
      NodeTimer t = timers.get(n);
      // A node that never wrote a record (just added; its host not started yet) ran nothing and holds nothing: its
      // timer starts at its first record, so it is never taken for a silent node and never fenced before it joins.
      boolean unseen = rec == null && !state.nodes().containsKey(n);
      timers.put(n, t == null || unseen ? NodeTimer.start(v, value, nowMs) : t.seen(v, value, nowMs));
      if (rec != null) records.put(n, rec.value());
    }
    return records;
  }

  /**
   * The manager's memory across rounds holds at most one entry per configured node: a node removed from the
   * configuration is forgotten (if it is ever added again, it starts over like a node never seen). A fence write
   * is forgotten once the view shows it: record versions never go back, so it can hold back nothing any more.
   */
  private void forgetRemovedNodes(ClusterConfig config) {
    java.util.Set<String> nodes = config.nodes().keySet();
    SortedKeys.missing(timers.keySet(), nodes).forEach(timers::remove); // a merged pass, no lookup per node
    fenceBackoff.keySet().retainAll(nodes);
    stormAlerted.retainAll(nodes);
    fenceCommitted.keySet().retainAll(nodes);
    fenceCommitted.entrySet().removeIf(e -> timers.containsKey(e.getKey())
        && timers.get(e.getKey()).version() >= e.getValue());
    int bound = nodes.size();
    Check.that(timers.size() <= bound && fenceBackoff.size() <= bound && stormAlerted.size() <= bound
        && fenceCommitted.size() <= bound, "manager memory over its bound of %s nodes", bound);
  }

  /**
   * One transaction: the new state (null: unchanged), fence-history lines, and the fence write of each node in
   * fence. Without a new state a check of its version stands in, so only the manager that wrote the current state
   * can fence. A conflict anywhere (a fenced node renewed after all) leaves everything unwritten.
   */
  private void write(ManagerState next, List<Op> extra, List<String> fence, StoreView view,
      Map<String, NodeRecord> records, long nowMs) {
    List<Op> ops = new ArrayList<>();
    ops.add(next == null ? new Op.Unchanged(StorePaths.MANAGER_STATE, stateVersion)
        : new Op.Put(StorePaths.MANAGER_STATE, stateVersion, next));
    ops.addAll(extra); // a timing publication, fence-history lines
    if (next != null) ops.addAll(downChecks(records, fence));
    for (String n : fence) ops.add(fenceWrite(n, view.get(StorePaths.node(n), NodeRecord.class), nowMs));
    submit(new Txn(ops), nowMs, (result, t) -> {
      if (role != Role.ACTIVE) return;
      if (result instanceof TxnResult.Committed c) {
        if (next != null) {
          state = next;
          stateVersion = c.version(StorePaths.MANAGER_STATE);
        }
        for (String n : fence) {
          fenceCommitted.put(n, c.version(StorePaths.node(n)));
          env.log().event(SOURCE, "fence write for " + n + " committed");
        }
        round(t); // chain: a committed state may allow the next transition right away
      } else if (result instanceof TxnResult.Conflict c) {
        if (extra.stream().anyMatch(o -> o.path().equals(StorePaths.TIMING))) timings.refused(); // all or nothing
        if (!fence.isEmpty()) {
          env.log().event(SOURCE, "fence write for " + String.join(", ", fence) + " refused: "
              + (c.path().equals(StorePaths.MANAGER_STATE) ? "state changed" : c.path() + " changed since"));
        }
        reloadState();
      }
    });
  }

  /**
   * A clean shutdown releases a node's resources the way a fence does: the node said it runs nothing. That promise
   * holds only for the incarnation that wrote it, so every state write checks each shut-down node's record still
   * is the one seen. Once the node boots and writes again, no decision based on its shutdown can commit; and the
   * rebooted agent acts only on a view that holds its own write, so it sees every decision that did commit.
   */
  private List<Op> downChecks(Map<String, NodeRecord> records, List<String> fence) {
    List<Op> checks = new ArrayList<>();
    for (var e : records.entrySet()) {
      String n = e.getKey();
      if (e.getValue().mode().down() && !e.getValue().fenced() && !fence.contains(n)) {
        checks.add(new Op.Unchanged(StorePaths.node(n), timers.get(n).version())); // the version this round read
      }
    }
    return checks;
  }

  /** The fence write of node: its record at the version this manager timed, generation bumped. */
  private Op fenceWrite(String node, Versioned<NodeRecord> seen, long nowMs) {
    NodeTimer timer = timers.get(node);
    Check.that(state.ha().managing(), "invariant disarm: fence write for %s while %s", node, state.ha().label());
    // The safety inequality's premise: we saw this exact version unchanged for L (L_H if held) on our own clock.
    // (An operator's fence goes out at once: its confirmation then waits for what this wait would have given.)
    Check.that(timer.silentMs(nowMs) >= timer.boundMs(timing) || fenceAsked.containsKey(node),
        "fence write for %s after only %dms", node, timer.silentMs(nowMs));
    Check.that((seen == null ? Op.ABSENT : seen.version()) == timer.version(), "fence of %s at a version not timed",
        node);
    NodeRecord fenced = (seen == null ? NodeRecord.fresh(node) : seen.value()).fence(); // never seen: generation 1
    env.log().event(SOURCE, "fence write for " + node + " (generation " + fenced.generation() + ")");
    // The generation of an operator's fence as sent: a record of it unfenced can only be its agent's
    // acknowledgement of this fence or a later one (a lost commit answer must not make the manager fence again).
    if (fenceAsked.containsKey(node)) fenceAsked.put(node, fenced.generation());
    return new Op.Put(StorePaths.node(node), timer.version(), fenced);
  }

  private void submit(Txn txn, long nowMs, Callback<TxnResult> done) {
    inFlight.submit(env.store(), txn, nowMs, done);
  }

  /** After a failed or unanswered write: continue from what the store holds, or step down if it is not ours. */
  private void reloadState() {
    if (role != Role.ACTIVE) return;
    Versioned<ManagerState> st = env.store().view().get(StorePaths.MANAGER_STATE, ManagerState.class);
    if (st == null) return;
    if (st.value().epoch() != lease.epoch()) {
      if (st.value().epoch() > lease.epoch()) stepDown("state written by epoch " + st.value().epoch());
      return;
    }
    state = st.value();
    stateVersion = st.version();
  }
}
