package palisade.runtime.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.Timing;

/**
 * One node's daemon configuration (YAML): the cluster, this node, every node with its addresses, the store, the
 * watchdog and the timing. Resources live in the store, not here. Every error names the key and the reason.
 *
 * @param peers how many of the first nodes run an embedded ZooKeeper peer (0 when {@code connect} is set)
 * @param connect an external ensemble, {@code host:port,...}, or null for the embedded quorum
 */
public record DaemonConfig(String cluster, String node, List<Node> nodes, int peers, String connect, Path dataDir,
    String watchdogDriver, Path watchdogDevice, Timing timing) {

  /** A cluster member as this node reaches it. */
  public record Node(String name, String address, int clientPort, int peerPort, int electionPort,
      List<List<String>> fenceLevels) {}

  public static final Set<String> WATCHDOG_DRIVERS = Set.of("linux", "process", "none");
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final Set<String> TOP_KEYS = Set.of("cluster", "node", "nodes", "store", "data_dir", "watchdog",
      "timing");

  public DaemonConfig {
    nodes = List.copyOf(nodes);
  }

  public Node self() {
    return nodes.stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow();
  }

  /** 1-based position of the node in the list: its ZooKeeper server id. */
  public int idOf(String name) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).name().equals(name)) return i + 1;
    }
    throw new IllegalArgumentException("no node " + name);
  }

  public boolean runsPeer() {
    return connect == null && idOf(node) <= peers;
  }

  /** The ensemble this node's client uses: its own peer when it has one (fate-sharing), else all peers. */
  public String connectString() {
    if (connect != null) return connect;
    if (runsPeer()) return self().address() + ":" + self().clientPort();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < peers; i++) {
      Node n = nodes.get(i);
      if (sb.length() > 0) sb.append(',');
      sb.append(n.address()).append(':').append(n.clientPort());
    }
    return sb.toString();
  }

  /** Default number of embedded peers for a cluster of n nodes: 5 from five nodes, 3 from three, else 1. */
  public static int defaultPeers(int n) {
    return n >= 5 ? 5 : n >= 3 ? 3 : 1;
  }

  public static DaemonConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage());
    }
    try {
      return parse(text, file.toAbsolutePath().getParent());
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.getMessage());
    }
  }

  static DaemonConfig parse(String yaml, Path base) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new ConfigException("not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) throw new ConfigException("expected a mapping at the top level");
    onlyKeys(root, "", TOP_KEYS);
    String cluster = name(required(root, "cluster"), "cluster");
    String node = name(required(root, "node"), "node");
    JsonNode list = required(root, "nodes");
    if (!list.isArray() || list.isEmpty()) throw new ConfigException("nodes: must be a non-empty list");
    List<Node> nodes = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String where = "nodes[" + i + "]";
      JsonNode n = list.get(i);
      if (!n.isObject()) throw new ConfigException(where + ": must be a mapping");
      onlyKeys(n, where + ".", Set.of("name", "address", "client_port", "peer_port", "election_port",
          "fence_levels"));
      String name = name(required(n, "name", where), where + ".name");
      if (!names.add(name)) throw new ConfigException(where + ".name: '" + name + "' appears twice");
      String address = text(required(n, "address", where), where + ".address");
      List<List<String>> levels = new ArrayList<>();
      JsonNode fl = n.get("fence_levels");
      if (fl != null) {
        if (!fl.isArray()) throw new ConfigException(where + ".fence_levels: must be a list of lists of devices");
        for (JsonNode level : fl) {
          List<String> devices = new ArrayList<>();
          if (!level.isArray()) throw new ConfigException(where + ".fence_levels: must be a list of lists of devices");
          level.forEach(d -> devices.add(d.asText()));
          levels.add(devices);
        }
      }
      nodes.add(new Node(name, address, port(n, "client_port", 2181, where), port(n, "peer_port", 2888, where),
          port(n, "election_port", 3888, where), levels));
    }
    if (!names.contains(node)) throw new ConfigException("node: '" + node + "' is not in nodes " + names);

    JsonNode store = root.path("store");
    String connect = null;
    int peers = defaultPeers(nodes.size());
    if (!store.isMissingNode()) {
      onlyKeys(store, "store.", Set.of("connect", "peers"));
      if (store.has("connect")) {
        connect = text(store.get("connect"), "store.connect");
        for (String hp : connect.split(",")) {
          if (!hp.matches("[^:,\\s]+:\\d{1,5}")) {
            throw new ConfigException("store.connect: '" + hp + "' is not host:port");
          }
        }
        peers = 0;
      }
      if (store.has("peers")) {
        if (connect != null) throw new ConfigException("store.peers: not allowed together with store.connect");
        peers = store.get("peers").asInt(-1);
        if (peers != 1 && peers != 3 && peers != 5) {
          throw new ConfigException("store.peers: must be 1, 3 or 5, got " + store.get("peers").asText());
        }
        if (peers > nodes.size()) {
          throw new ConfigException("store.peers: " + peers + " peers need at least " + peers + " nodes");
        }
      }
    }
    Path dataDir = root.has("data_dir") ? base.resolve(text(root.get("data_dir"), "data_dir"))
        : base.resolve("data");

    JsonNode wd = root.path("watchdog");
    String driver = "linux";
    Path device = Path.of("/dev/watchdog");
    if (!wd.isMissingNode()) {
      onlyKeys(wd, "watchdog.", Set.of("driver", "device"));
      if (wd.has("driver")) driver = text(wd.get("driver"), "watchdog.driver").toLowerCase(Locale.ROOT);
      if (wd.has("device")) device = Path.of(text(wd.get("device"), "watchdog.device"));
    }
    if (!WATCHDOG_DRIVERS.contains(driver)) {
      throw new ConfigException("watchdog.driver: '" + driver + "' is not one of linux, process, none");
    }
    for (Node n : nodes) {
      if (n.name().equals(node) && driver.equals("none") && n.fenceLevels().isEmpty()) {
        throw new ConfigException("watchdog.driver: 'none' is only allowed for a node with a fence device "
            + "(nodes[" + (new ArrayList<>(names).indexOf(node)) + "].fence_levels is empty)");
      }
    }
    Timing timing = timing(root.path("timing"));
    return new DaemonConfig(cluster, node, nodes, peers, connect, dataDir, driver, device, timing);
  }

  private static Timing timing(JsonNode t) {
    // A real daemon ticks every R/10: the manager notices a silent lease and an agent its new work within
    // 100 ms (the simulator keeps R/4, which its virtual time makes exact anyway).
    Timing base = Timing.defaults();
    Timing d = new Timing(base.renewMs(), base.ackMs(), base.watchdogMs(), base.leaseMs(), base.driftPpm(),
        base.renewMs() / 10);
    if (t.isMissingNode()) return d;
    onlyKeys(t, "timing.", Set.of("renew_interval", "ack_timeout", "watchdog_timeout", "lease_timeout", "drift",
        "tick"));
    long renew = t.has("renew_interval") ? Durations.parseMs(t.get("renew_interval").asText(),
        "timing.renew_interval") : d.renewMs();
    long ack = t.has("ack_timeout") ? Durations.parseMs(t.get("ack_timeout").asText(), "timing.ack_timeout")
        : d.ackMs();
    long wd = t.has("watchdog_timeout") ? Durations.parseMs(t.get("watchdog_timeout").asText(),
        "timing.watchdog_timeout") : d.watchdogMs();
    long lease = t.has("lease_timeout") ? Durations.parseMs(t.get("lease_timeout").asText(),
        "timing.lease_timeout") : d.leaseMs();
    long tick = t.has("tick") ? Durations.parseMs(t.get("tick").asText(), "timing.tick") : Math.max(1, renew / 10);
    long drift = d.driftPpm();
    if (t.has("drift")) {
      String s = t.get("drift").asText().trim();
      if (!s.matches("\\d+(\\.\\d+)?%")) throw new ConfigException("timing.drift: '" + s + "' is not a percentage");
      drift = Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 10_000);
    }
    try {
      return new Timing(renew, ack, wd, lease, drift, tick);
    } catch (ConfigException e) {
      throw new ConfigException("timing: " + e.getMessage());
    }
  }

  private static void onlyKeys(JsonNode n, String where, Set<String> allowed) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new ConfigException(where + k + ": unknown key (allowed: " + String.join(", ", allowed.stream()
            .sorted().toList()) + ")");
      }
    }
  }

  private static JsonNode required(JsonNode n, String key) {
    return required(n, key, null);
  }

  private static JsonNode required(JsonNode n, String key, String where) {
    JsonNode v = n.get(key);
    String full = where == null ? key : where + "." + key;
    if (v == null || v.isNull()) throw new ConfigException(full + ": is required");
    return v;
  }

  private static String text(JsonNode v, String key) {
    if (!v.isValueNode() || v.asText().isBlank()) throw new ConfigException(key + ": must be a non-empty string");
    return v.asText().trim();
  }

  private static String name(JsonNode v, String key) {
    String s = text(v, key);
    if (!NAME.matcher(s).matches()) {
      throw new ConfigException(key + ": '" + s + "' must be lower-case letters, digits, '-' or '_' (max 63)");
    }
    return s;
  }

  private static int port(JsonNode n, String key, int dflt, String where) {
    JsonNode v = n.get(key);
    if (v == null) return dflt;
    if (!v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 65535) {
      throw new ConfigException(where + "." + key + ": '" + v.asText() + "' is not a port (1-65535)");
    }
    return v.asInt();
  }
}
