package palisade.core;

import java.util.Collection;

/**
 * Steps the nodes that may act this round, spreading many fences over several writes. Every resource of a node that
 * enters fencing moves to fence in the write that carries its fence, outside the status budget ({@link
 * QuietResources}), so a round that fenced a hundred nodes at once would make one write too large for the store. Once
 * the nodes that entered fencing this round hold the rest of the write's budget in resources, the silent nodes left
 * wait for the next round: a fence later, never earlier, is safe (DESIGN "Large recoveries"). The first always goes.
 */
final class FenceSpread {
  private FenceSpread() {}

  static void step(NodeMachine nodes, Collection<String> due, Working w, LoadCounts counts, long nowMs) {
    int room = w.budget().room(w);
    int taken = 0;
    for (String n : due) {
      boolean wasFencing = w.nodeState(n) == NodeState.FENCING;
      nodes.step(n, nowMs);
      if (!wasFencing && w.nodeState(n) == NodeState.FENCING) {
        if (counts == null) counts = LoadCounts.of(w.services); // a manager stepping all keeps no counts
        taken += counts.on(n);
        if (taken >= room) nodes.holdFencing(true);
      }
    }
  }
}
