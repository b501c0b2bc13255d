package palisade.cli;

import java.util.ArrayList;
import java.util.List;
import palisade.runtime.store.Credential;
import palisade.runtime.store.EmbeddedPeer;
import palisade.web.Inventory;

/**
 * The store's health for `status`, cheaply: each peer of the connect string asked its mode with ZooKeeper's
 * four-letter word `srvr` over TLS (Palisade's peers allow it; an external ensemble may not, then it shows
 * "no answer"), at most about 1.5 s a peer that does not answer.
 */
final class StoreProbe {
  /** Peers asked at most (a connect string is a short list; a longer one is cut, not trusted). */
  static final int PEERS_MAX = 9;

  private StoreProbe() {}

  static Inventory.StoreHealth probe(String connectString, Credential who, boolean readOk) {
    List<Inventory.StorePeer> peers = new ArrayList<>();
    String leader = null;
    int serving = 0;
    for (String address : addresses(connectString)) {
      int colon = address.lastIndexOf(':');
      String mode = null;
      if (colon > 0) {
        try {
          mode = EmbeddedPeer.mode(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), who);
        } catch (NumberFormatException | IllegalStateException e) {
          mode = null; // not host:port, or the credential cannot make a TLS context: no answer
        }
      }
      peers.add(new Inventory.StorePeer(address, mode));
      if (mode != null && (mode.equals("leader") || mode.equals("follower") || mode.equals("standalone"))) serving++;
      if ("leader".equals(mode) || "standalone".equals(mode)) leader = address;
    }
    return new Inventory.StoreHealth(peers, leader, serving, readOk);
  }

  /** host:port,host:port[/chroot] → the addresses, sorted as given, at most {@link #PEERS_MAX}. */
  static List<String> addresses(String connectString) {
    String hosts = connectString.contains("/") ? connectString.substring(0, connectString.indexOf('/'))
        : connectString;
    List<String> out = new ArrayList<>();
    for (String a : hosts.split(",")) {
      if (!a.isBlank() && out.size() < PEERS_MAX) out.add(a.strip());
    }
    return out;
  }

  /** One line: "quorum yes, leader 10.0.0.2:2281, 3/3 peers serving (10.0.0.1:2281 follower, ...)". */
  static String describe(Inventory.StoreHealth h) {
    StringBuilder sb = new StringBuilder("quorum ").append(h.quorum() ? "yes" : "no");
    sb.append(", leader ").append(h.leader() == null ? "unknown" : h.leader());
    sb.append(", ").append(h.serving()).append('/').append(h.peers().size()).append(" peers serving (");
    for (int i = 0; i < h.peers().size(); i++) {
      Inventory.StorePeer p = h.peers().get(i);
      if (i > 0) sb.append(", ");
      sb.append(p.address()).append(' ').append(p.mode() == null ? "no answer" : p.mode());
    }
    return sb.append(')').toString();
  }
}
