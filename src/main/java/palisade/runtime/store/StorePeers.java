package palisade.runtime.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

/**
 * The store's peers as ZooKeeper's dynamic reconfiguration sees them: the ensemble's membership
 * ({@code /zookeeper/config}, read by anyone authenticated, changed by an admin only) and the peers nodes offer
 * ({@value #OFFERS}{@code /NODE}, written by each daemon that runs a peer: its server id and addresses), so that
 * `palisade store peer add NODE` knows where NODE's peer listens and `store peers` names the node of each id.
 */
public final class StorePeers {
  /** Under the cluster's root: one record per node whose daemon runs (or ran) a store peer. */
  public static final String OFFERS = "/store-peers";
  /** Fewer voters than this is refused: with fewer than three, one lost peer stops the store. */
  public static final int VOTERS_MIN = 3;
  /** ZooKeeper's ensembles stay small: every write waits for a majority of the voters. */
  public static final int VOTERS_MAX = 9;
  private static final ObjectMapper JSON = new ObjectMapper();

  private StorePeers() {}

  /** A node's peer, as its daemon publishes it: server id, the address it binds and its ports. */
  public record Offer(String node, int id, String address, int clientPort, int peerPort, int electionPort) {
    /** The server line a reconfiguration adds it with (the client port is TLS only, in the static config). */
    public String serverLine() {
      return "server." + id + "=" + address + ":" + peerPort + ":" + electionPort + ":participant";
    }
  }

  /** One server of the ensemble's membership: a voter (participant) or an observer. */
  public record Server(int id, String host, int peerPort, int electionPort, boolean voter) {}

  /** The ensemble's membership with its version (hex in ZooKeeper's files; -1 when unknown). */
  public record Membership(long version, List<Server> servers) {
    public List<Server> voters() {
      return servers.stream().filter(Server::voter).toList();
    }

    public boolean has(int id) {
      return servers.stream().anyMatch(s -> s.id() == id);
    }
  }

  /** Parses {@code /zookeeper/config}: {@code server.ID=HOST:PORT:PORT[:ROLE][;CLIENT]} lines and a version line. */
  public static Membership parse(String text) {
    long version = -1;
    List<Server> servers = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String l = raw.strip();
      if (l.startsWith("version=")) {
        version = Long.parseUnsignedLong(l.substring(8), 16);
        continue;
      }
      if (!l.startsWith("server.") || !l.contains("=")) continue;
      int id = Integer.parseInt(l.substring(7, l.indexOf('=')));
      String v = l.substring(l.indexOf('=') + 1);
      if (v.contains(";")) v = v.substring(0, v.indexOf(';'));
      String[] f = v.split(":");
      if (f.length < 3) throw new IllegalArgumentException("unreadable store membership line: " + l);
      boolean voter = f.length < 4 || f[3].equals("participant");
      servers.add(new Server(id, f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), voter));
    }
    servers.sort(java.util.Comparator.comparingInt(Server::id));
    return new Membership(version, List.copyOf(servers));
  }

  /** The ensemble's current membership, read through the operator's handle. */
  public static Membership membership(Admin admin) throws Exception {
    CuratorFramework c = admin.client();
    return parse(new String(c.getConfig().forEnsemble(), StandardCharsets.UTF_8));
  }

  /** Every node's peer record, by node name. */
  public static Map<String, Offer> offers(Admin admin) throws Exception {
    Map<String, Offer> out = new TreeMap<>();
    List<String> children;
    try {
      children = admin.client().getChildren().forPath(OFFERS);
    } catch (KeeperException.NoNodeException e) {
      return out;
    }
    for (String n : children) {
      try {
        out.put(n, JSON.readValue(admin.client().getData().forPath(OFFERS + "/" + n), Offer.class));
      } catch (KeeperException.NoNodeException e) {
        // removed meanwhile
      }
    }
    return out;
  }

  /** Writes (or rewrites) this node's peer record; called by the daemon on every (re)connection. */
  public static void publish(CuratorFramework client, Offer offer) throws Exception {
    byte[] data = JSON.writeValueAsBytes(offer);
    try {
      client.setData().forPath(OFFERS + "/" + offer.node(), data);
    } catch (KeeperException.NoNodeException e) {
      client.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT)
          .forPath(OFFERS + "/" + offer.node(), data);
    }
  }

  /** A server's line as the membership holds it (no client address: the client port is TLS only, static). */
  static String line(Server s) {
    return "server." + s.id() + "=" + s.host() + ":" + s.peerPort() + ":" + s.electionPort() + ":"
        + (s.voter() ? "participant" : "observer");
  }

  /**
   * Applies a planned change as one reconfiguration at the membership's version (refused by ZooKeeper if it changed
   * since it was read); returns the new membership. It names the whole new membership (ZooKeeper's non-incremental
   * form): an incremental join demands a client address per server, which would open a plain, unauthenticated
   * client port on the peer; Palisade's peers serve clients over TLS only.
   */
  public static Membership apply(Admin admin, PeerPlan.Plan plan) throws Exception {
    byte[] out = admin.client().reconfig().withNewMembers(plan.members()).fromConfig(plan.fromVersion())
        .forEnsemble();
    return parse(new String(out, StandardCharsets.UTF_8));
  }
}
