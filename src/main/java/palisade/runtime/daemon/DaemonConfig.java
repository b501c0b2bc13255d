package palisade.runtime.daemon;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.Timing;
import palisade.fencing.FenceDeviceSpec;
import palisade.fencing.FenceException;
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
 */
public record DaemonConfig(String cluster, String node, List<Node> nodes, int peers, String connect, Path dataDir,
    String watchdogDriver, Path watchdogDevice, Timing timing, Map<String, FenceDeviceConf> fenceDevices,
    Path storeCredential, Http http, long localTickMs) {

  /**
   * The daemon's HTTP server (health, readiness, metrics): {@code http: {address, port, enabled, metrics_token_file}}.
   *
   * @param metricsTokenFile when set, /metrics answers only a request with this file's token as a bearer token
   * @param apiTokensFile the API's bearer tokens (name, role, SHA-256); without it every /api request is refused
   */
  public record Http(boolean enabled, String address, int port, Path metricsTokenFile, Path apiTokensFile) {}

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
   */
  public record Node(String name, String address, int clientPort, int peerPort, int electionPort,
      List<List<String>> fenceLevels, boolean watchdog, int spmPriority, String libvirtUri) {
    public Node(String name, String address, int clientPort, int peerPort, int electionPort,
        List<List<String>> fenceLevels, boolean watchdog, int spmPriority) {
      this(name, address, clientPort, peerPort, electionPort, fenceLevels, watchdog, spmPriority, null);
    }
  }

  /** A fence device this node can drive as a fence proxy, with the deadline of one call. */
  public record FenceDeviceConf(FenceDeviceSpec spec, long timeoutMs) {}

  /** Default per-call deadlines: fence agents are slow (fence_ipmilan needs ~20 s to give up on a dead BMC). */
  public static final long AGENT_TIMEOUT_MS = 20_000;
  public static final long DEVICE_TIMEOUT_MS = 10_000;

  public static final Set<String> WATCHDOG_DRIVERS = Set.of("linux", "process", "none");
  /** The process watchdog's socket when watchdog.socket is not given, relative to the data dir. */
  public static final String DEFAULT_WATCHDOG_SOCKET = "watchdog.sock";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final Set<String> TOP_KEYS = Set.of("cluster", "node", "nodes", "store", "data_dir", "watchdog",
      "timing", "fence_devices", "http");

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

  /** A key given twice is an error (not: the last one wins), so a file means what every line of it says. */
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  static DaemonConfig parse(String yaml, Path base) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new ConfigException((at != null && at.getLineNr() > 0 ? "line " + at.getLineNr() + ": " : "")
          + "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
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
          "fence_levels", "watchdog", "spm_priority", "libvirt_uri"));
      String name = name(required(n, "name", where), where + ".name");
      if (!names.add(name)) throw new ConfigException(where + ".name: '" + name + "' appears twice");
      String address = address(text(required(n, "address", where), where + ".address"), where + ".address");
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
      boolean nodeWatchdog = true;
      if (n.has("watchdog")) {
        String w = text(n.get("watchdog"), where + ".watchdog").toLowerCase(Locale.ROOT);
        switch (w) {
          case "none", "false", "no" -> nodeWatchdog = false;
          case "yes", "true" -> nodeWatchdog = true;
          default -> throw new ConfigException(where + ".watchdog: '" + w + "' must be none or yes");
        }
        if (!nodeWatchdog && levels.isEmpty()) {
          throw new ConfigException(where + ".watchdog: 'none' is only allowed for a node with fence_levels");
        }
      }
      int spm = -1;
      if (n.has("spm_priority")) {
        JsonNode v = n.get("spm_priority");
        if (!v.isInt() || v.asInt() < -1 || v.asInt() > 10) {
          throw new ConfigException(where + ".spm_priority: '" + v.asText()
              + "' must be an integer from -1 (never) to 10");
        }
        spm = v.asInt();
      }
      String libvirtUri = n.has("libvirt_uri") ? text(n.get("libvirt_uri"), where + ".libvirt_uri") : null;
      nodes.add(new Node(name, address, port(n, "client_port", 2181, where), port(n, "peer_port", 2888, where),
          port(n, "election_port", 3888, where), levels, nodeWatchdog, spm, libvirtUri));
    }
    if (!names.contains(node)) throw new ConfigException("node: '" + node + "' is not in nodes " + names);

    JsonNode store = root.path("store");
    String connect = null;
    String credential = null;
    int peers = defaultPeers(nodes.size());
    if (!store.isMissingNode()) {
      onlyKeys(store, "store.", Set.of("connect", "peers", "credential"));
      if (store.has("credential")) credential = text(store.get("credential"), "store.credential");
      if (store.has("connect")) {
        connect = text(store.get("connect"), "store.connect");
        for (String hp : connect.split(",", -1)) {
          int colon = hp.lastIndexOf(':');
          if (colon <= 0 || !hp.substring(colon + 1).matches("\\d{1,5}")) {
            throw new ConfigException("store.connect: '" + hp + "' is not host:port");
          }
          address(hp.substring(0, colon), "store.connect");
          int port = Integer.parseInt(hp.substring(colon + 1));
          if (port < 1 || port > 65535) throw new ConfigException("store.connect: '" + hp + "' has no port 1-65535");
        }
        peers = 0;
      }
      if (store.has("peers")) {
        if (connect != null) throw new ConfigException("store.peers: not allowed together with store.connect");
        JsonNode p = store.get("peers");
        peers = p.isInt() ? p.asInt() : -1; // not 2.5 read as 2, nor "3" as 3
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
    Path storeCredential = credential != null ? base.resolve(credential) : dataDir.resolve("credential");

    JsonNode wd = root.path("watchdog");
    String driver = "linux";
    Path device = Path.of("/dev/watchdog");
    if (!wd.isMissingNode()) {
      onlyKeys(wd, "watchdog.", Set.of("driver", "device", "socket"));
      if (wd.has("driver")) driver = text(wd.get("driver"), "watchdog.driver").toLowerCase(Locale.ROOT);
      if (wd.has("device")) device = Path.of(text(wd.get("device"), "watchdog.device"));
    }
    if (!WATCHDOG_DRIVERS.contains(driver)) {
      throw new ConfigException("watchdog.driver: '" + driver + "' is not one of linux, process, none");
    }
    if (driver.equals("process")) {
      // The supervisor's socket comes from this file only (not the environment, which resources would inherit);
      // it is kept in watchdogDevice, the driver's endpoint.
      if (wd.has("device")) throw new ConfigException("watchdog.device: not used by driver process (use socket)");
      device = wd.has("socket") ? base.resolve(text(wd.get("socket"), "watchdog.socket"))
          : dataDir.resolve(DEFAULT_WATCHDOG_SOCKET);
    } else if (wd.has("socket")) {
      throw new ConfigException("watchdog.socket: only used by driver process, not " + driver);
    }
    for (Node n : nodes) {
      int idx = new ArrayList<>(names).indexOf(n.name());
      if (n.name().equals(node) && driver.equals("none") && n.fenceLevels().isEmpty()) {
        throw new ConfigException("watchdog.driver: 'none' is only allowed for a node with a fence device "
            + "(nodes[" + idx + "].fence_levels is empty)");
      }
      if (n.name().equals(node) && driver.equals("none") && n.watchdog()) {
        // every node's file must tell the same story: whichever node seeds /config writes this flag
        throw new ConfigException("watchdog.driver: 'none' needs nodes[" + idx + "].watchdog: none too (every "
            + "node's file must say that " + node + " has no watchdog)");
      }
      if (n.name().equals(node) && !driver.equals("none") && !n.watchdog()) {
        throw new ConfigException("nodes[" + idx + "].watchdog: 'none' but watchdog.driver is '" + driver + "'");
      }
    }
    Map<String, FenceDeviceConf> devices = fenceDevices(root.path("fence_devices"), base);
    for (Node n : nodes) {
      int idx = new ArrayList<>(names).indexOf(n.name());
      for (List<String> level : n.fenceLevels()) {
        if (level.isEmpty()) throw new ConfigException("nodes[" + idx + "].fence_levels: a level without devices");
        for (String d : level) {
          if (!devices.containsKey(d)) {
            throw new ConfigException("nodes[" + idx + "].fence_levels: device '" + d + "' is not in fence_devices "
                + devices.keySet() + " (every node may act as fence proxy, so every node's file declares it)");
          }
        }
      }
    }
    Timing timing = timing(root.path("timing"));
    if (driver.equals("linux") && timing.watchdogMs() % 1000 != 0) {
      throw new ConfigException("timing.watchdog_timeout: " + timing.watchdogMs() + "ms cannot be set on the linux "
          + "watchdog, which counts whole seconds (use e.g. " + Math.max(1, timing.watchdogMs() / 1000) + "s and a "
          + "lease_timeout that still satisfies the inequality)");
    }
    long localTick = root.path("timing").has("tick") ? timing.tickMs() : 0;
    return new DaemonConfig(cluster, node, nodes, peers, connect, dataDir, driver, device, timing, devices,
        storeCredential, http(root.path("http"), nodes.stream().filter(n -> n.name().equals(node)).findFirst()
        .orElseThrow().address(), base), localTick);
  }

  /**
   * http: {@link #DEFAULT_HTTP_PORT} on the node's own address when that is a loopback address, else on 127.0.0.1;
   * port 0 or enabled: false turn it off. The server speaks plain HTTP (no TLS yet), so only loopback addresses are
   * accepted: API tokens must not cross a network in clear text.
   */
  private static Http http(JsonNode h, String self, Path base) {
    String dflt = loopback(self) ? self : "127.0.0.1";
    if (h.isMissingNode() || h.isNull()) return new Http(true, dflt, DEFAULT_HTTP_PORT, null, null);
    if (!h.isObject()) throw new ConfigException("http: must be a mapping (address, port, enabled, ...)");
    onlyKeys(h, "http.", Set.of("address", "port", "enabled", "metrics_token_file", "api_tokens_file"));
    boolean enabled = true;
    if (h.has("enabled")) {
      if (!h.get("enabled").isBoolean()) throw new ConfigException("http.enabled: must be true or false");
      enabled = h.get("enabled").asBoolean();
    }
    String address = h.has("address") ? address(text(h.get("address"), "http.address"), "http.address") : dflt;
    if (!loopback(address)) {
      throw new ConfigException("http.address: '" + address + "' is not a loopback address (127.0.0.0/8 or "
          + "localhost): the HTTP server speaks plain HTTP until TLS lands; bind it to loopback and put a TLS proxy "
          + "in front");
    }
    int port = DEFAULT_HTTP_PORT;
    if (h.has("port")) {
      JsonNode v = h.get("port");
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > 65535) {
        throw new ConfigException("http.port: '" + v.asText() + "' is not a port (0 to turn HTTP off, 1-65535)");
      }
      port = v.asInt();
    }
    Path token = h.has("metrics_token_file") ? base.resolve(text(h.get("metrics_token_file"),
        "http.metrics_token_file")) : null;
    Path api = h.has("api_tokens_file") ? base.resolve(text(h.get("api_tokens_file"), "http.api_tokens_file"))
        : null;
    return new Http(enabled && port != 0, address, port, token, api);
  }

  /** fence_devices: name -> {type, timeout?, device options...}; values are scalars; nothing is contacted here. */
  private static Map<String, FenceDeviceConf> fenceDevices(JsonNode fd, Path base) {
    TreeMap<String, FenceDeviceConf> out = new TreeMap<>();
    if (fd.isMissingNode() || fd.isNull()) return out;
    if (!fd.isObject()) throw new ConfigException("fence_devices: must be a mapping of device name to options");
    for (Iterator<String> it = fd.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      String where = "fence_devices." + name;
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException(where + ": the device name must be lower-case letters, digits, '-' or '_'");
      }
      JsonNode d = fd.get(name);
      if (!d.isObject()) throw new ConfigException(where + ": must be a mapping (type: agent|ipmi|redfish, ...)");
      String type = text(required(d, "type", where), where + ".type").toLowerCase(Locale.ROOT);
      Map<String, String> options = new TreeMap<>();
      long timeout = type.equals("agent") ? AGENT_TIMEOUT_MS : DEVICE_TIMEOUT_MS;
      for (Iterator<String> k = d.fieldNames(); k.hasNext(); ) {
        String key = k.next();
        if (key.equals("type")) continue;
        JsonNode v = d.get(key);
        if (!v.isValueNode() || v.isNull()) throw new ConfigException(where + "." + key + ": must be a scalar");
        if (key.equals("timeout")) {
          timeout = Durations.parseMs(v.asText(), where + ".timeout");
          if (timeout <= 0 || timeout > 300_000) {
            throw new ConfigException(where + ".timeout: must be between 1ms and 300s");
          }
          continue;
        }
        String value = v.asText();
        if (key.equals("password_file")) value = base.resolve(value).toString();
        options.put(key, value);
      }
      try {
        out.put(name, new FenceDeviceConf(FenceDeviceSpec.of(name, type, options), timeout));
      } catch (FenceException e) {
        throw new ConfigException(where + ".type: " + e.getMessage());
      }
      if (type.equals("sim")) throw new ConfigException(where + ".type: 'sim' devices exist only in the simulator");
    }
    return out;
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

  /** A loopback address as written (no name lookup): 127.0.0.0/8 or localhost. */
  private static boolean loopback(String a) {
    return a.equals("localhost") || a.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
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

  /** Longest host name (RFC 1035). */
  private static final int HOST_NAME_MAX = 253;
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  /**
   * An IPv4 literal or a host name of letters, digits, '-' and '.': never text that a tool we hand it to could take
   * for an option or a second argument ("127.0.0.1 -x"). IPv6 literals are refused: the store's connect strings
   * are host:port without brackets.
   */
  static String address(String a, String key) {
    String why = null;
    if (a.contains(":")) {
      why = "is an IPv6 literal, which host:port connect strings cannot carry (use a host name or IPv4)";
    } else if (a.length() > HOST_NAME_MAX || a.startsWith(".") || a.endsWith(".")
        || !java.util.Arrays.stream(a.split("\\.", -1)).allMatch(l -> LABEL.matcher(l).matches())) {
      why = "must be an IPv4 address or a host name (letters, digits, '-' and '.')";
    } else if (a.matches("[0-9.]+")) {
      String[] parts = a.split("\\.");
      boolean ok = parts.length == 4;
      for (String part : parts) ok &= part.length() <= 3 && Integer.parseInt(part) <= 255;
      if (!ok) why = "is not an IPv4 address (four numbers 0-255)";
    }
    if (why != null) throw new ConfigException(key + ": '" + a + "' " + why);
    return a;
  }

  private static int port(JsonNode n, String key, int dflt, String where) {
    JsonNode v = n.get(key);
    if (v == null) return dflt;
    // an integer node only: 2181.5 is not a port (canConvertToInt alone would truncate it to 2181)
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 65535) {
      throw new ConfigException(where + "." + key + ": '" + v.asText() + "' is not a port (1-65535)");
    }
    return v.asInt();
  }
}
