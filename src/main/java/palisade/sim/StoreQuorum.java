package palisade.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The simulated store's network model: which nodes are its peers, and which side of a partition holds a majority
 * of them (powered, booted, networked, not frozen). The answer is cached until the world's topology next changes.
 */
final class StoreQuorum {
  private final TreeMap<String, SimNode> nodes;
  private final List<String> peers = new ArrayList<>();
  private long topologyVersion;
  private long cachedAt = -1;
  private int side = Integer.MIN_VALUE;

  StoreQuorum(TreeMap<String, SimNode> nodes) {
    this.nodes = nodes;
  }

  /**
   * The first nodes by name are the peers: as many as configured (none configured: 5 in a cluster of 5 or more,
   * else up to 3), never more than there are nodes.
   */
  void choosePeers(int configured) {
    int count = configured > 0 ? Math.min(configured, nodes.size())
        : nodes.size() >= 5 ? 5 : Math.min(3, nodes.size());
    peers.addAll(new ArrayList<>(nodes.keySet()).subList(0, count));
  }

  /** Power, boot or network changed somewhere: the majority must be counted again. */
  void topologyChanged() {
    topologyVersion++;
  }

  /** The side holding a majority of powered, booted, networked store peers, or MIN_VALUE if none does. */
  private int side() {
    if (cachedAt == topologyVersion) return side;
    TreeMap<Integer, Integer> count = new TreeMap<>();
    for (String p : peers) {
      SimNode n = nodes.get(p);
      if (n.powered && n.booted && n.netUp && !n.frozen()) count.merge(n.side, 1, Integer::sum);
    }
    side = Integer.MIN_VALUE;
    for (var e : count.entrySet()) {
      if (e.getValue() * 2 > peers.size()) side = e.getKey();
    }
    cachedAt = topologyVersion;
    return side;
  }

  boolean available(SimNode n) {
    return n.powered && n.booted && n.netUp && !n.frozen() && n.side == side(); // a frozen peer answers nothing
  }

  boolean exists() {
    return side() != Integer.MIN_VALUE;
  }
}
