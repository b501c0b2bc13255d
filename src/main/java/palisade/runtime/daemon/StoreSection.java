package palisade.runtime.daemon;

import static palisade.runtime.daemon.ConfigYaml.address;
import static palisade.runtime.daemon.ConfigYaml.onlyKeys;
import static palisade.runtime.daemon.ConfigYaml.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.RetryNTimes;
import palisade.core.ConfigException;
import palisade.runtime.store.Credential;
import palisade.runtime.store.ZkStore;

/**
 * The daemon configuration's {@code store} section: an external ensemble or the embedded quorum's size, and the
 * node's credential directory.
 *
 * @param connect {@code store.connect}, or null for the embedded quorum
 * @param peers embedded peers (0 with {@code connect})
 * @param credential {@code store.credential} as written, or null for the default
 * @param witness {@code store.witness}: a store peer on a machine that is no node (two nodes and a witness), or null;
 *     with it every node runs a peer and the witness is the last one
 * @param standbyPeer {@code store.peer: yes} on a node beyond the first {@code store.peers}: it runs a peer that
 *     starts as a non-voting follower and votes once an admin adds it ({@code palisade store peer add})
 * @param reconfig {@code store.reconfig}: the embedded peers allow dynamic reconfiguration (default yes; no with a
 *     witness, whose ensemble stays as configured)
 */
record StoreSection(String connect, int peers, String credential, DaemonConfig.Node witness, boolean standbyPeer,
    boolean reconfig) {
  StoreSection(String connect, int peers, String credential, DaemonConfig.Node witness) {
    this(connect, peers, credential, witness, false, connect == null && witness == null);
  }

  private static final Set<String> WITNESS_KEYS = Set.of("name", "address", "client_port", "peer_port",
      "election_port");

  static StoreSection parse(JsonNode store, int nodeCount) {
    String connect = null;
    String credential = null;
    int peers = DaemonConfig.defaultPeers(nodeCount);
    if (store.isMissingNode()) return new StoreSection(connect, peers, credential, null);
    onlyKeys(store, "store.", Set.of("connect", "peers", "credential", "witness", "peer", "reconfig"));
    if (store.has("credential")) credential = text(store.get("credential"), "store.credential");
    if (store.has("connect")) {
      connect = connect(text(store.get("connect"), "store.connect"));
      peers = 0;
    }
    if (store.has("peers")) {
      if (connect != null) throw new ConfigException("store.peers: not allowed together with store.connect");
      JsonNode p = store.get("peers");
      peers = p.isInt() ? p.asInt() : -1; // not 2.5 read as 2, nor "3" as 3
      if (peers != 1 && peers != 3 && peers != 5) {
        throw new ConfigException("store.peers: must be 1, 3 or 5, got " + store.get("peers").asText());
      }
      if (peers > nodeCount) {
        throw new ConfigException("store.peers: " + peers + " peers need at least " + peers + " nodes");
      }
    }
    if (store.has("witness")) {
      if (connect != null) throw new ConfigException("store.witness: not allowed together with store.connect");
      if (store.has("peers")) {
        throw new ConfigException("store.witness: not allowed together with store.peers (with a witness every node "
            + "runs a peer and the witness is one more)");
      }
      if (nodeCount != 2 && nodeCount != 4) {
        throw new ConfigException("store.witness: a witness makes an odd quorum of 2 or 4 nodes, not of "
            + nodeCount);
      }
      return withPeerKeys(store, new StoreSection(null, nodeCount + 1, credential, witness(store.get("witness"))));
    }
    return withPeerKeys(store, new StoreSection(connect, peers, credential, null));
  }

  /**
   * {@code store.peer} (yes: this node may host a peer beyond the first {@code store.peers}) and
   * {@code store.reconfig} (yes|no), which need embedded peers. Whether the node is beyond the first peers is
   * {@link DaemonConfig}'s to check (it knows the node's position).
   */
  private static StoreSection withPeerKeys(JsonNode store, StoreSection s) {
    boolean peer = false;
    boolean reconfig = s.reconfig();
    if (store.has("peer")) {
      if (s.connect() != null) throw new ConfigException("store.peer: not allowed together with store.connect");
      if (s.witness() != null) throw new ConfigException("store.peer: not allowed with store.witness (every node "
          + "runs a peer already)");
      peer = yesNo(store.get("peer"), "store.peer");
    }
    if (store.has("reconfig")) {
      if (s.connect() != null) throw new ConfigException("store.reconfig: not allowed together with store.connect "
          + "(an external ensemble is reconfigured by its own administrators)");
      reconfig = yesNo(store.get("reconfig"), "store.reconfig");
      if (reconfig && s.witness() != null) {
        throw new ConfigException("store.reconfig: yes is not supported with store.witness (its ensemble is fixed)");
      }
    }
    if (peer && !reconfig) {
      throw new ConfigException("store.peer: yes needs dynamic reconfiguration (store.reconfig: no says it is off)");
    }
    return new StoreSection(s.connect(), s.peers(), s.credential(), s.witness(), peer, reconfig);
  }

  /** yes/no (YAML reads both as booleans; true/false too). */
  private static boolean yesNo(JsonNode v, String key) {
    if (v.isBoolean()) return v.booleanValue();
    String t = v.isTextual() ? v.asText() : "";
    if (t.equals("yes")) return true;
    if (t.equals("no")) return false;
    throw new ConfigException(key + ": must be yes or no, got " + v.asText());
  }

  /** {@code store.witness}: its name and addresses as this host dials it (default ports as for nodes). */
  private static DaemonConfig.Node witness(JsonNode w) {
    String where = "store.witness";
    if (!w.isObject()) throw new ConfigException(where + ": must be a mapping (name, address, ports)");
    onlyKeys(w, where + ".", WITNESS_KEYS);
    String name = ConfigYaml.name(ConfigYaml.required(w, "name", where), where + ".name");
    String a = address(text(ConfigYaml.required(w, "address", where), where + ".address"), where + ".address");
    return new DaemonConfig.Node(name, a, ConfigYaml.port(w, "client_port", 2181, where),
        ConfigYaml.port(w, "peer_port", 2888, where), ConfigYaml.port(w, "election_port", 3888, where), List.of(),
        false, -1);
  }

  /** host:port,... with every host an address and every port 1-65535. */
  private static String connect(String connect) {
    for (String hp : connect.split(",", -1)) {
      int colon = hp.lastIndexOf(':');
      if (colon <= 0 || !hp.substring(colon + 1).matches("\\d{1,5}")) {
        throw new ConfigException("store.connect: '" + hp + "' is not host:port");
      }
      address(hp.substring(0, colon), "store.connect");
      int port = Integer.parseInt(hp.substring(colon + 1));
      if (port < 1 || port > 65535) throw new ConfigException("store.connect: '" + hp + "' has no port 1-65535");
    }
    return connect;
  }

  /**
   * A store client (not started) with the daemon's timeouts and no retries: the node's lease holder fails fast. A
   * daemon has two, its view's and its lease renewals' (ZkStore says why).
   */
  static CuratorFramework client(DaemonConfig config, Credential credential) {
    return ZkStore.newClient(config.connectString(), config.cluster(), credential, b -> b
        .sessionTimeoutMs(NodeDaemon.SESSION_TIMEOUT_MS).connectionTimeoutMs(NodeDaemon.CONNECTION_TIMEOUT_MS)
        .retryPolicy(new RetryNTimes(0, 0)));
  }

  /** The node's store credential (store.credential): a node certificate, readable, private. */
  static Credential credential(DaemonConfig config) {
    Credential c;
    try {
      c = Credential.load(config.storeCredential());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("store.credential: " + e.getMessage());
    }
    if (c.role() != Credential.Role.MEMBER) {
      throw new ConfigException("store.credential: " + config.storeCredential() + " holds the credential of "
          + c.who() + ", not a node credential (palisade credentials node " + config.node() + ")");
    }
    return c;
  }
}
