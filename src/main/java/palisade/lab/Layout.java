package palisade.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Addresses of a local cluster, all in 127.0.0.0/8: node i binds 127.0.1.i (client, peer and election ports are the
 * same on every node); the link by which node i dials node j listens on 127.1.i.j. Node names are node1..nodeN.
 * One more peer than nodes (2 nodes, 3 peers) is a witness: store peer N+1, named {@value #WITNESS}, at 127.0.1.N+1.
 */
public record Layout(int nodes, int peers, int basePort) {
  public static final int NODES_MAX = 9;
  /** The lab's witness: a store peer that is no node. */
  public static final String WITNESS = "witness";

  public Layout {
    if (nodes < 1 || nodes > NODES_MAX) throw new IllegalArgumentException("--nodes must be 1.." + NODES_MAX);
    if (peers > nodes && (peers != nodes + 1 || (nodes != 2 && nodes != 4))) {
      throw new IllegalArgumentException("a witness (one peer more than nodes) needs 2 or 4 nodes");
    }
  }

  /** Whether the last peer is a witness. */
  public boolean witness() {
    return peers > nodes;
  }

  /** Nodes and the witness: everything that has an address. */
  public int members() {
    return Math.max(nodes, peers);
  }

  /** node1..nodeN, and the witness after them. */
  public String memberName(int i) {
    return i > nodes ? WITNESS : name(i);
  }

  /** The index of a node or the witness, -1 for neither. */
  public int memberIndex(String name) {
    return witness() && name.equals(WITNESS) ? peers : index(name);
  }

  public static String name(int i) {
    return "node" + i;
  }

  public static int index(String name) {
    if (name.matches("node[1-9]")) return name.charAt(4) - '0';
    return -1;
  }

  /** Refuses (IllegalArgumentException naming the nodes) a name that is not one of this layout's nodes. */
  void requireNode(String node) {
    int i = index(node);
    if (i < 1 || i > nodes) {
      java.util.List<String> names = java.util.stream.IntStream.rangeClosed(1, nodes).mapToObj(Layout::name).toList();
      throw new IllegalArgumentException("no node '" + node + "' in the local cluster (" + String.join(", ", names)
          + ")");
    }
  }

  public String address(int i) {
    return "127.0.1." + i;
  }

  public String linkAddress(int from, int to) {
    return "127.1." + from + "." + to;
  }

  public int clientPort() {
    return basePort;
  }

  public int peerPort() {
    return basePort + 1;
  }

  public int electionPort() {
    return basePort + 2;
  }

  /** How node `from` dials node `to`: its own address for itself, else the fault-proxy link. */
  public String dialAddress(int from, int to) {
    return from == to ? address(to) : linkAddress(from, to);
  }

  /** The store as seen from outside the cluster (the CLI): every peer's real client address. */
  public String connectString() {
    StringBuilder sb = new StringBuilder();
    for (int j = 1; j <= peers; j++) {
      if (sb.length() > 0) sb.append(',');
      sb.append(address(j)).append(':').append(clientPort());
    }
    return sb.toString();
  }

  /** A random base port whose three ports are free on every address the layout uses. */
  public static Layout pick(int nodes, int peers) {
    for (int attempt = 0; attempt < 50; attempt++) {
      // Below the Linux ephemeral range (32768+), so outgoing connections never take our ports.
      int base = 20_000 + ThreadLocalRandom.current().nextInt(1_200) * 10;
      Layout l = new Layout(nodes, peers, base);
      if (l.free()) return l;
    }
    throw new IllegalStateException("no free port range found on 127.0.1.x");
  }

  private boolean free() {
    for (int i = 1; i <= members(); i++) {
      for (int p = basePort; p < basePort + 3; p++) {
        if (!bindable(address(i), p)) return false;
        for (int j = 1; j <= members(); j++) {
          if (i != j && !bindable(linkAddress(i, j), p)) return false;
        }
      }
    }
    return true;
  }

  private static boolean bindable(String host, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
