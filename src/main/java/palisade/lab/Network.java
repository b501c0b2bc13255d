package palisade.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.TreeSet;
import palisade.lab.FaultProxy;
import palisade.lab.Link;

/**
 * The local cluster's wiring: a fault-proxy link for every way one node dials another (ZooKeeper peer and election
 * traffic between peers, client traffic from non-peer nodes). Link i->j listens on {@link Layout#linkAddress} and
 * forwards to node j's real address. Isolating a node cuts every link from or to it.
 */
public final class Network implements AutoCloseable {
  private final Layout layout;
  private final FaultProxy proxy = new FaultProxy();
  private final TreeSet<String> isolated = new TreeSet<>();

  public Network(Layout layout) throws IOException {
    this.layout = layout;
    try {
      for (int i = 1; i <= layout.members(); i++) {
        for (int j = 1; j <= layout.peers(); j++) {
          if (i == j) continue;
          if (i <= layout.peers()) {
            open(i, j, "peer", layout.peerPort());
            open(i, j, "election", layout.electionPort());
          } else {
            open(i, j, "client", layout.clientPort());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      proxy.close();
      throw e;
    }
  }

  private void open(int i, int j, String kind, int port) throws IOException {
    proxy.link(layout.memberName(i) + "->" + layout.memberName(j) + "/" + kind,
        new InetSocketAddress(layout.linkAddress(i, j), port), new InetSocketAddress(layout.address(j), port));
  }

  /** Cuts every link from or to the isolated nodes and heals all others. */
  public synchronized void apply(Set<String> isolatedNodes) {
    isolated.clear();
    isolated.addAll(isolatedNodes);
    for (Link l : proxy.links()) {
      String[] ends = l.name().substring(0, l.name().indexOf('/')).split("->");
      if (isolated.contains(ends[0]) || isolated.contains(ends[1])) l.cut();
      else l.heal();
    }
  }

  /**
   * Latency on a node's egress: what it sends on its own links (it dials) and what it answers on the links the
   * others dial to it waits {@code egress} (zero: none). ZooKeeper election connections dialled back to a peer's
   * own address bypass the links and are not delayed.
   */
  public synchronized void delay(String node, java.time.Duration egress) {
    for (Link l : proxy.links()) {
      String[] ends = l.name().substring(0, l.name().indexOf('/')).split("->");
      if (ends[0].equals(node)) l.delay(egress, java.time.Duration.ZERO);
      else if (ends[1].equals(node)) l.delay(java.time.Duration.ZERO, egress);
    }
  }

  public synchronized Set<String> isolated() {
    return new TreeSet<>(isolated);
  }

  @Override
  public void close() {
    proxy.close();
  }
}
