package palisade.runtime.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.List;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.core.Timing;
import palisade.fencing.FenceDeviceSpec;
import palisade.io.TextFile;

/**
 * One node's daemon configuration (YAML): the cluster, this node, every node with its addresses, the store, the
 * watchdog and the timing. Resources live in the store, not here. Every error names the key and the reason.
 *
 * <p>What the safety argument depends on lives in the store's cluster configuration ({@code /config}), not here:
 * {@code timing} (but its {@code tick}) and every node's {@code watchdog}, {@code fence_levels} and
 * {@code spm_priority} are only the <em>initial</em> cluster settings, written by the node that creates
 * {@code /config}. Once it exists the daemon runs under it and refuses to start when this file's local facts (the
 * watchdog driver, the fence devices it can drive, its tick) contradict it ({@link ClusterFacts}).
 *
 * @param peers how many of the first nodes run an embedded ZooKeeper peer (0 when {@code connect} is set)
 * @param connect an external ensemble, {@code host:port,...}, or null for the embedded quorum
 * @param timing the initial cluster timing ({@code timing}) for a new cluster's {@code /config}
 * @param storeCredential the node's store credential directory ({@code store.credential}, default
 *     {@code <data_dir>/credential}): TLS client certificate and, for a peer, its server certificate
 * @param localTickMs {@code timing.tick} when the file sets it, a local fact; 0: R/10 of the cluster's R
 * @param repairAfterMs {@code repair_after}, the initial cluster setting: power-cycle a watchdog-fenced node that
 *     has a fence device and has not rejoined within this long; 0 (the default, or {@code off}): never
 * @param shutdown {@code shutdown_timeout} and {@code host_shutdown_file}: how this node shuts down cleanly
 * @param log where and how the daemon logs ({@code log:})
 * @param cliCredential {@code cli.credential}: the operator credential `palisade` uses on this host when it finds
 *     the cluster in this file; null: the node's own store credential
 * @param witness {@code store.witness}, the store peer that is no node (last server id), or null
 * @param fence {@code fence_grace}, {@code fence_grace_spm}, {@code fence_grace_per_resource} and {@code
 *     fence_device_check}, the initial cluster settings ({@link FenceSection})
 * @param standbyPeer {@code store.peer: yes}: this node, beyond the first {@code store.peers}, runs a peer that
 *     joins the ensemble as a voter when an admin adds it ({@code palisade store peer add})
 * @param storeReconfig {@code store.reconfig}: the embedded peers run with dynamic reconfiguration on
 * @param storage {@code storage}, the shared storage as this host mounts it ({@link StorageSection}), or null
 * @param spm {@code spm.start_command} and {@code spm.stop_command}, this host's SPM hooks ({@link SpmSection})
 */
public record DaemonConfig(String cluster, String node, List<Node> nodes, int peers, String connect, Path dataDir,
    String watchdogDriver, Path watchdogDevice, Timing timing, Map<String, FenceDeviceConf> fenceDevices,
    Path storeCredential, Http http, long localTickMs, long repairAfterMs,
    ShutdownSection shutdown, LogSection log, Path cliCredential, Node witness, palisade.core.FenceOptions fence,
    boolean standbyPeer, boolean storeReconfig, StorageSection storage, SpmSection spm) {

  /**
   * The daemon's HTTP server (health, readiness, metrics): {@code http: {address, port, enabled, metrics_token_file}}.
   * Notifications are not here: they are the cluster's ({@code palisade notify set}, the store's {@code /notify}).
   *
   * @param metricsTokenFile when set, /metrics answers only a request with this file's token as a bearer token
   * @param apiTokensFile the API's bearer tokens (name, role, SHA-256); without it every /api request is refused
   */
  /**
   * @param tls HTTPS with the node's store credential (its certificate, signed by the members authority); off only
   *     when {@code http.tls: false} on a loopback address
   */
  public record Http(boolean enabled, String address, int port, boolean tls, Path metricsTokenFile,
      Path apiTokensFile) {
    /** The URL clients use: https or http, the address, the port. */
    public String url() {
      return (tls ? "https://" : "http://") + address + ":" + port;
    }
  }

  /** The HTTP port when {@code http.port} is not given. */
  public static final int DEFAULT_HTTP_PORT = 9190;

  /**
   * A cluster member as this node reaches it.
   *
   * @param watchdog false when the node runs without a watchdog ({@code watchdog: none}): only a confirmed power
   *     fence (or an operator) proves it dead
   * @param spmPriority preference for the SPM role, 0 to 10; -1 (the default) = never SPM
   * @param libvirtUri the node's libvirt hypervisor ({@code libvirt_uri}), or null: where its libvirt resources run
   *     and where live migrations to it go
   * @param shutdownPolicy its initial own shutdown policy ({@code shutdown_policy}), or null: the cluster's
   * @param softFence how a fence proxy restarts its daemon over SSH ({@code soft_fence}), or null: no soft fencing
   * @param kdumpPort the UDP port a fence proxy listens on for its kdump message ({@code kdump: yes},
   *     {@code kdump_port}), or 0: no kdump level
   * @param kdumpAddress the address its kdump messages come from ({@code kdump_address}), or null: its address
   * @param site its initial site ({@code site}), or null: a fence proxy of the target's site is preferred
   * @param capacity its initial capacity for placement ({@code cpu}, {@code mem}), or null: what its agent reports
   * @param agentOnly initially never manager ({@code agent_only: yes}): its daemon watches only its own node's part
   */
  public record Node(String name, String address, int clientPort, int peerPort, int electionPort,
      List<List<String>> fenceLevels, boolean watchdog, int spmPriority, String libvirtUri,
      palisade.core.ShutdownPolicy shutdownPolicy, SoftFenceConf softFence, int kdumpPort, String kdumpAddress,
      String site, palisade.core.Capacity capacity, boolean agentOnly) {
    public Node(String name, String address, int clientPort, int peerPort, int electionPort,
        List<List<String>> fenceLevels, boolean watchdog, int spmPriority) {
      this(name, address, clientPort, peerPort, electionPort, fenceLevels, watchdog, spmPriority, null, null, null,
          0, null, null, null, false);
    }
  }

  /**
   * A node's soft fence over SSH, as every proxy runs it: {@code ssh -i keyFile -p port user@address command}, the
   * host key checked against knownHosts. keyFile is a path (mode 0600), never the key itself.
   */
  public record SoftFenceConf(String user, String address, int port, java.nio.file.Path keyFile,
      java.nio.file.Path knownHosts, String command) {}

  /** A fence device this node can drive as a fence proxy, with the deadline of one call. */
  public record FenceDeviceConf(FenceDeviceSpec spec, long timeoutMs) {}

  /** Default per-call deadlines: fence agents are slow (fence_ipmilan needs ~20 s to give up on a dead BMC). */
  public static final long AGENT_TIMEOUT_MS = 20_000;
  public static final long DEVICE_TIMEOUT_MS = 10_000;

  public static final Set<String> WATCHDOG_DRIVERS = Set.of("linux", "process", "none");
  /** The process watchdog's socket when watchdog.socket is not given, relative to the data dir. */
  public static final String DEFAULT_WATCHDOG_SOCKET = "watchdog.sock";
  private static final Set<String> TOP_KEYS = Set.of("cluster", "node", "nodes", "store", "data_dir", "watchdog",
      "timing", "fence_devices", "http", "repair_after", "shutdown_timeout", "host_shutdown_file", "shutdown_policy",
      "log", "cli", "fence_grace", "fence_grace_spm", "fence_grace_per_resource", "fence_device_check", "storage",
      "spm");

  public DaemonConfig {
    nodes = List.copyOf(nodes);
    fenceDevices = Collections.unmodifiableMap(new TreeMap<>(fenceDevices));
  }

  /** True when some fence device has its password inline in the configuration file. */
  public boolean hasInlineSecret() {
    return fenceDevices.values().stream().anyMatch(d -> d.spec().options().containsKey("password"));
  }

  /** The process watchdog supervisor's socket (driver process only). */
  public Path watchdogSocket() {
    if (!watchdogDriver.equals("process")) throw new IllegalStateException("watchdog driver is " + watchdogDriver);
    return watchdogDevice;
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
    return connect == null && (idOf(node) <= peers || standbyPeer);
  }

  /**
   * The members this node's peer starts with: {@link #peerMembers()}, and itself when it is a standby peer (the
   * ensemble takes it as a non-voting follower until an admin adds it). After a reconfiguration the peer's own
   * dynamic configuration file, not this list, says who the members are.
   */
  public List<Node> initialPeers() {
    List<Node> members = peerMembers();
    if (!standbyPeer) return members;
    List<Node> out = new java.util.ArrayList<>(members);
    out.add(self());
    return out;
  }

  /** The ZooKeeper server id of a member of {@link #initialPeers()}: the witness is last, a node its position. */
  public int peerId(Node n) {
    return witness != null && n == witness ? peers : idOf(n.name());
  }

  /** The store peers in server-id order: the first {@code peers} nodes, or every node and then the witness. */
  public List<Node> peerMembers() {
    List<Node> members = new java.util.ArrayList<>();
    for (int i = 0; i < peers; i++) members.add(i < nodes.size() ? nodes.get(i) : witness);
    return members;
  }

  /** The ensemble this node's client uses: its own peer when it has one (fate-sharing), else all peers. */
  public String connectString() {
    if (connect != null) return connect;
    if (runsPeer()) return self().address() + ":" + self().clientPort();
    StringBuilder sb = new StringBuilder();
    for (Node n : peerMembers()) {
      if (sb.length() > 0) sb.append(',');
      sb.append(n.address()).append(':').append(n.clientPort());
    }
    return sb.toString();
  }

  /** Default number of embedded peers for a cluster of n nodes: 5 from five nodes, 3 from three, else 1. */
  public static int defaultPeers(int n) {
    return n >= 5 ? 5 : n >= 3 ? 3 : 1;
  }

  /** Reads and parses FILE; a file over 1 MiB, not UTF-8 or not a regular file is refused before parsing. */
  public static DaemonConfig load(Path file) {
    String text;
    try {
      text = TextFile.read(file);
    } catch (TextFile.Unreadable e) {
      throw new ConfigException(e.getMessage());
    }
    DaemonConfig dc;
    try {
      dc = parse(text, file.toAbsolutePath().getParent());
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.getMessage());
    }
    if (dc.hasInlineSecret()) {
      // a password in the file itself: only its owner (root) may read the file
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
          String dev = dc.fenceDevices().values().stream().filter(d -> d.spec().options().containsKey("password"))
              .map(d -> d.spec().name()).findFirst().orElseThrow();
          throw new ConfigException(file + ": fence_devices." + dev + ".password: an inline password needs a "
              + "config file readable by its owner only (chmod 600 " + file + "), or use password_file");
        }
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: nothing to check
      } catch (IOException e) {
        throw new ConfigException(file + ": cannot read its permissions: " + e.getMessage());
      }
    }
    return dc;
  }

  /** Parses YAML; relative paths in it resolve against BASE. Each section's reader checks its own keys. */
  static DaemonConfig parse(String yaml, Path base) {
    JsonNode root = ConfigYaml.read(yaml);
    if (root == null || !root.isObject()) throw new ConfigException("expected a mapping at the top level");
    ConfigYaml.onlyKeys(root, "", TOP_KEYS);
    String cluster = ConfigYaml.name(ConfigYaml.required(root, "cluster"), "cluster");
    String node = ConfigYaml.name(ConfigYaml.required(root, "node"), "node");
    List<Node> nodes = NodesSection.parse(root, node);
    StoreSection store = StoreSection.parse(root.path("store"), nodes.size());
    Path dataDir = root.has("data_dir") ? base.resolve(ConfigYaml.text(root.get("data_dir"), "data_dir"))
        : base.resolve("data");
    Path storeCredential = store.credential() != null ? base.resolve(store.credential())
        : dataDir.resolve("credential");
    WatchdogSection wd = WatchdogSection.parse(root.path("watchdog"), base, dataDir, nodes, node);
    Map<String, FenceDeviceConf> devices = FenceDevicesSection.parse(root.path("fence_devices"), base, nodes);
    Timing timing = TimingSection.parse(root.path("timing"), wd.driver());
    long localTick = root.path("timing").has("tick") ? timing.tickMs() : 0;
    String selfAddress = nodes.stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow().address();
    return new DaemonConfig(cluster, node, nodes, store.peers(), store.connect(), dataDir, wd.driver(), wd.device(),
        timing, devices, storeCredential, HttpSection.parse(root.path("http"), selfAddress, base), localTick,
        repairAfter(root.path("repair_after")), ShutdownSection.parse(root, base),
        LogSection.parse(root.path("log"), base), cliCredential(root.path("cli"), base), witnessOf(store, nodes),
        FenceSection.parse(root), standbyPeer(store, nodes, node), store.reconfig(),
        StorageSection.parse(root.path("storage"), base), SpmSection.parse(root.path("spm")));
  }

  /** {@code store.peer: yes} only on a node beyond the first store.peers (the first ones vote from the start). */
  static boolean standbyPeer(StoreSection store, List<Node> nodes, String node) {
    if (!store.standbyPeer()) return false;
    int id = 1;
    while (!nodes.get(id - 1).name().equals(node)) id++;
    if (id <= store.peers()) {
      throw new ConfigException("store.peer: " + node + " is among the first store.peers (" + store.peers()
          + ") nodes, which run a voting peer already; store.peer: yes is for a node that may host one later");
    }
    return true;
  }

  /** The witness, whose name must be no node's. */
  static Node witnessOf(StoreSection store, List<Node> nodes) {
    Node w = store.witness();
    if (w != null && nodes.stream().anyMatch(n -> n.name().equals(w.name()))) {
      throw new ConfigException("store.witness.name: '" + w.name() + "' is a node's name; the witness is no node");
    }
    return w;
  }

  /** {@code cli: {credential: DIR}}: the operator credential of the CLI on this host, or null. */
  static Path cliCredential(JsonNode cli, Path base) {
    if (cli.isMissingNode() || cli.isNull()) return null;
    if (!cli.isObject()) throw new ConfigException("cli: expected a mapping (credential)");
    ConfigYaml.onlyKeys(cli, "cli.", Set.of("credential"));
    return cli.has("credential") ? base.resolve(ConfigYaml.text(cli.get("credential"), "cli.credential")) : null;
  }

  /** {@code repair_after}: a duration up to one day, or {@code off}; absent: off. */
  static long repairAfter(JsonNode v) {
    if (v.isMissingNode() || v.isNull() || v.isBoolean() && !v.booleanValue()) return 0; // YAML reads `off` as false
    String text = ConfigYaml.text(v, "repair_after").trim();
    if (text.equals("off")) return 0;
    long ms = palisade.core.Durations.parseMs(text, "repair_after");
    if (ms <= 0 || ms > Timing.MAX_DURATION_MS) {
      throw new ConfigException("repair_after: '" + text + "' must be more than 0 and at most 24h (or off)");
    }
    return ms;
  }
}
