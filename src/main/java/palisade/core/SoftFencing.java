package palisade.core;

import java.util.SortedMap;

/**
 * The manager's soft-fencing decisions (DESIGN "Soft fencing"): when a node with soft_fence=ssh goes unknown (its
 * lease silent for unknown_after, well before L), order one proxy to restart its daemon over SSH, once per silence
 * episode. A restarted daemon that renews before L brings the node back online: no fence write, nothing moves.
 * Nothing here confirms anything: the lease's fence write at L and the power fence after the grace run as always.
 */
final class SoftFencing {
  private final Timing timing;
  private final ClusterConfig config;
  private final Working w;
  private final SortedMap<String, NodeRecord> records;
  private final PowerFencing power;

  SoftFencing(Timing timing, ClusterConfig config, Working w, SortedMap<String, NodeRecord> records,
      PowerFencing power) {
    this.timing = timing;
    this.config = config;
    this.w = w;
    this.records = records;
    this.power = power;
  }

  /** Steps nodes (the others are calm: {@link CalmNodes}); an order for a node no longer configured is dropped. */
  void step(java.util.Collection<String> nodes, SortedMap<String, NodeTimer> timers, long nowMs) {
    for (String n : java.util.List.copyOf(w.softFences.keySet())) {
      if (!config.nodes().containsKey(n)) w.setSoftFence(n, null, "soft fence order closed: node removed");
    }
    for (String n : nodes) step(n, timers.get(n).silentMs(nowMs));
  }

  private void step(String node, long silentMs) {
    NodeConfig nc = config.nodes().get(node);
    SoftFenceOrder order = w.softFences.get(node);
    NodeState st = w.nodeState(node);
    if (order != null) {
      // The episode ends when the node is back, or when the fence took over: the next silence gets a new order.
      if (st != NodeState.UNKNOWN && st != NodeState.FENCING) {
        w.setSoftFence(node, null, "soft fence order " + order.attempt() + " closed: " + node + " is " + st.label());
      }
      return;
    }
    if (nc == null || !nc.softFence() || nc.watchdog() || st != NodeState.UNKNOWN) return;
    // The manager's own node silent to itself (its renewals not committing): restarting its own daemon from a peer
    // would end this manager; the lease decides, as for any node.
    if (node.equals(power.manager())) return;
    NodeRecord rec = records.get(node);
    // Too late to help: past L the fence write is due whatever a restart brings.
    if (rec == null || rec.fenced() || silentMs >= timing.leaseMs()) return;
    String proxy = power.proxy(node).node();
    if (proxy.equals(node)) return;
    SoftFenceOrder o = new SoftFenceOrder(node, w.newToken(), proxy);
    w.setSoftFence(node, o, "soft fence: restart of its daemon via " + proxy + " over SSH (attempt " + o.attempt()
        + "; not a fence: the lease decides)");
  }
}
