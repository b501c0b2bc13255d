package palisade.core;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The manager's power-fencing decisions (DESIGN "Power fencing"): after the grace period, order a proxy node to
 * run the target's fence levels; confirm the fence when the history says power is off; retry with backoff when
 * every level failed (the watchdog path, if any, still completes); skip with an alert when more than half of the
 * nodes are non-responsive at once (a network problem, not dead hosts).
 */
final class PowerFencing {
  private final Timing timing;
  private final FencePolicy policy;
  private final ClusterConfig config;
  private final Working w;
  private final NodeMachine nodes;
  private final SortedMap<String, NodeRecord> records;
  private final FenceHistory history;
  private final String manager;
  private final EventLog log;
  /** Manager memory across rounds: when a target may be tried again, and how many tries failed. */
  private final TreeMap<String, Backoff> backoff;
  /** Manager memory: nodes the operator asked to fence, until that fence ends ({@link NodeMachine#fenceCommand}). */
  private final java.util.Map<String, Long> asked;

  /**
   * Retry state of one target after every fence level failed: no new order before retryAtMs; failures counts the
   * failed attempts in a row (the delay doubles with each, up to the policy's maximum); failedProxy ran the last
   * failed attempt: it goes to the end of its rank next time ({@link FenceProxies}).
   */
  record Backoff(long retryAtMs, long failures, String failedProxy) {
    Backoff {
      Check.that(failures >= 1, "fence backoff without a failure");
    }

    /** The backoff after one more failure, of an attempt run by proxy, at nowMs. */
    static Backoff after(Backoff previous, FencePolicy policy, long nowMs, String proxy) {
      long failures = previous == null ? 1 : previous.failures() + 1;
      long delay = Math.min(policy.retryMaxMs(), policy.retryBaseMs() << Math.min(20, failures - 1));
      return new Backoff(nowMs + delay, failures, proxy);
    }
  }

  PowerFencing(Timing timing, FencePolicy policy, ClusterConfig config, Working w, NodeMachine nodes,
      SortedMap<String, NodeRecord> records, FenceHistory history, String manager, EventLog log,
      TreeMap<String, Backoff> backoff, java.util.Map<String, Long> asked) {
    this.timing = timing;
    this.policy = policy;
    this.config = config;
    this.w = w;
    this.nodes = nodes;
    this.records = records;
    this.history = history;
    this.manager = manager;
    this.log = log;
    this.backoff = backoff;
    this.asked = asked;
  }

  void step(String node, long silentMs, long nowMs) {
    NodeStatus st = w.node(node);
    FenceTask task = w.fencing.get(node);
    Check.that(task == null || task.target().equals(node), "fence order filed under %s: %s", node, task);
    if (task != null) {
      if (task.saving() != null) return; // power saving's order: PowerSaving follows it
      if (task.repair()) Repair.follow(w, node, st, records.get(node), task, history, manager);
      else follow(node, st, task, nowMs);
      return;
    }
    NodeConfig nc = config.nodes().get(node);
    if (Repair.due(timing, config, node, st, records.get(node), history, silentMs)) {
      Repair.order(w, node, st, proxy(node).node(), nc.fenceLevels(), manager, nodes.wallMs());
      return;
    }
    if (st.state() != NodeState.FENCING) asked.remove(node);
    List<List<String>> levels = KdumpLevel.levels(nc);
    if (st.state() != NodeState.FENCING || levels.isEmpty() || nodes.needsFenceWrite(node)) return;
    // An operator's fence its agent acknowledged: the node machine confirms it once it renews; no power order.
    if (records.get(node) == null || !records.get(node).fenced()) return;
    // The operator's word replaces the wait and the storm guard: cutting power proves the death whenever it is done.
    boolean now = asked.containsKey(node);
    if (!now && silentMs < timing.leaseMs() + FenceGrace.extraMs(config, policy, node, w.spm(), w.services.values())) {
      return;
    }
    if (!now && stormGuard(node)) return;
    Backoff b = backoff.get(node);
    if (b != null && nowMs < b.retryAtMs()) return;
    FenceProxies.Choice choice = proxy(node);
    String proxy = choice.node();
    NodeRecord rec = records.get(node);
    // Only a committed fence write is power-cycled: the order names its generation, and the proxy checks it again.
    Check.that(rec != null && rec.fenced() && rec.generation() > st.generation(),
        "power fence order for %s without its fence write (record %s, status %s)", node, rec, st);
    Check.that(!proxy.equals(node) && (proxy.equals(manager) || w.nodeState(proxy) == NodeState.ONLINE),
        "power fence of %s via %s, which is %s", node, proxy, w.nodeState(proxy).label());
    FenceTask t = new FenceTask(node, w.newToken(), rec.generation(), proxy, levels, false, choice.reason());
    w.setFenceTask(node, t, "power fencing via " + proxy + " (" + choice.reason() + "), attempt " + t.attempt());
  }

  /** Confirms from the history, or ends a finished or orphaned order. */
  private void follow(String node, NodeStatus st, FenceTask task, long nowMs) {
    NodeRecord rec = records.get(node);
    boolean sameEpisode = rec != null && rec.fenced() && rec.generation() == task.generation();
    if (st.state() != NodeState.FENCING && st.state() != NodeState.FENCED || (!sameEpisode
        && st.state() == NodeState.FENCING)) {
      w.setFenceTask(node, null, node + " is " + st.state().label() + ": fence order " + task.attempt()
          + " (generation " + task.generation() + ") closed");
      return;
    }
    if (KdumpLevel.follow(w, nodes, node, st, task, history, sameEpisode)) return;
    FenceEntry off = history.summary(node, task.attempt(), FenceEntry.OFF_CONFIRMED);
    if (off != null && st.state() == NodeState.FENCING) {
      // Invariant 4: the proof is this target's power off, from the order of this very fence episode.
      Check.invariant(4, off.target().equals(node) && off.attempt() == task.attempt() && sameEpisode,
          "%s: power confirmation from %s for order %s", node, off.describe(), task);
      nodes.powerConfirmed(node, off.device(), task.generation());
      return;
    }
    FenceEntry failed = history.summary(node, task.attempt(), FenceEntry.ALL_FAILED);
    if (failed != null) {
      Backoff b = Backoff.after(backoff.get(node), policy, nowMs, task.proxy());
      Check.that(b.retryAtMs() > nowMs, "fence backoff of %s retries at once", node);
      backoff.put(node, b);
      w.setFenceTask(node, null, "ALERT: every fence level of " + node + " failed (attempt " + task.attempt()
          + ", failure " + b.failures() + "); retrying in " + Durations.format(b.retryAtMs() - nowMs)
          + (rec != null && nodes.watchdogConfirms(node, rec) ? "; the watchdog path still completes" : ""));
      return;
    }
    boolean onDone = history.summary(node, task.attempt(), FenceEntry.ON_CONFIRMED) != null;
    FenceEntry onFailed = history.summary(node, task.attempt(), FenceEntry.ON_FAILED);
    if (onDone || onFailed != null) {
      backoff.remove(node);
      w.setFenceTask(node, null, onDone ? "power cycle of " + node + " complete"
          : "ALERT: " + node + " did not power on again: left off");
      return;
    }
    if (off == null && !task.proxy().equals(manager) && w.nodeState(task.proxy()) != NodeState.ONLINE) {
      w.setFenceTask(node, null, "proxy " + task.proxy() + " is " + w.nodeState(task.proxy()).label()
          + ": order withdrawn");
    }
  }

  private boolean stormGuard(String node) {
    int silent = 0;
    for (String n : config.nodes().keySet()) {
      NodeState s = w.nodeState(n);
      if (s == NodeState.UNKNOWN || s == NodeState.FENCING) silent++;
    }
    if (silent * 2 <= config.nodes().size()) return false;
    if (!w.stormAlerted(node)) {
      log.event("manager", "ALERT: storm guard: " + silent + " of " + config.nodes().size()
          + " nodes are non-responsive; power fencing of " + node + " skipped (a network problem, not dead hosts)");
    }
    return true;
  }

  /** The manager's own node: never a target of its own orders. */
  String manager() {
    return manager;
  }

  /** The proxy for target's next order ({@link FenceProxies}): never the target, the manager's node last. */
  FenceProxies.Choice proxy(String target) {
    Backoff b = backoff.get(target);
    return FenceProxies.choose(config, target, manager, n -> w.nodeState(n) == NodeState.ONLINE
        && records.containsKey(n), b == null ? null : b.failedProxy());
  }
}
