package palisade.runtime.daemon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import palisade.runtime.store.Credential;
import palisade.runtime.store.EmbeddedPeer;
import palisade.runtime.store.StorePeers;

/**
 * The node's embedded store peer: started from the configuration's initial peers (itself added when it is a
 * standby peer, {@code store.peer: yes}), with dynamic reconfiguration as {@code store.reconfig} says, and published
 * in the store ({@link StorePeers#OFFERS}) so that an admin can add it by node name.
 */
public final class PeerHosting {
  private PeerHosting() {}

  /** The members the peer starts with, each with its server id. */
  public static List<EmbeddedPeer.Member> members(DaemonConfig c) {
    List<EmbeddedPeer.Member> members = new ArrayList<>();
    for (DaemonConfig.Node n : c.initialPeers()) {
      members.add(new EmbeddedPeer.Member(c.peerId(n), n.address(), n.clientPort(), n.peerPort(), n.electionPort()));
    }
    return members;
  }

  /** Starts the node's peer in {@code dir} (the daemon's and `store serve`'s: the same peer). */
  public static EmbeddedPeer start(DaemonConfig c, Path dir, Credential credential, IntConsumer onFatal)
      throws Exception {
    if (c.storeReconfig()) {
      // After a reconfiguration this is the current membership, not the configuration's list: say which.
      DaemonLog.info("store peer " + c.idOf(c.node()) + " starts with " + EmbeddedPeer.membershipOnDisk(dir));
    }
    return EmbeddedPeer.start(dir, c.idOf(c.node()), members(c), credential, onFatal, c.storeReconfig());
  }

  /** The node's peer record. */
  static StorePeers.Offer offer(DaemonConfig c) {
    DaemonConfig.Node self = c.self();
    return new StorePeers.Offer(c.node(), c.idOf(c.node()), self.address(), self.clientPort(), self.peerPort(),
        self.electionPort());
  }

  /**
   * Publishes the node's peer record now and after every reconnection (the record is persistent: a stopped node's
   * peer stays known by name, so that an admin can remove it). Best effort: a failure is logged, retried at the
   * next connection.
   */
  static void publishOnConnect(CuratorFramework curator, DaemonConfig c) {
    if (!c.runsPeer() || !c.storeReconfig()) return;
    StorePeers.Offer offer = offer(c);
    curator.getConnectionStateListenable().addListener((client, state) -> {
      if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED) {
        // On Curator's event thread, off the daemon's loop: the write is small, the loop never waits for it.
        try {
          StorePeers.publish(client, offer);
        } catch (Exception e) {
          DaemonLog.DAEMON.warn("could not publish this node's store peer record (" + e.getMessage() + "); retried at the "
              + "next connection");
        }
      }
    });
  }
}
