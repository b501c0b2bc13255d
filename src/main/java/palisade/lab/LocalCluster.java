package palisade.lab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import palisade.core.ClusterConfig;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.StorePaths;
import palisade.io.TextFile;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.store.Admin;
import palisade.runtime.resource.ProcessResourceDriver;
import palisade.runtime.watchdog.Cgroup;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;

/**
 * A cluster of N nodes on loopback, each node daemon under its own process-watchdog supervisor, wired through
 * fault-proxy links. Its state (layout and the PIDs it started) lives in {@code DIR/cluster.properties}, so separate
 * CLI invocations can power nodes off and on, isolate them and tear everything down. Every process is stopped by
 * the PID recorded here, never by name.
 *
 * <p>The network runs either in this JVM ({@link #attachNetwork}, for tests) or in a background proxy process
 * ({@link #startProxyProcess}) steered through the file {@code DIR/isolated}.
 */
public final class LocalCluster {
  public static final String CLUSTER = "local";
  static final String STATE = "cluster.properties";
  static final long PROCESS_WAIT_MS = 10_000;

  private final Path dir;
  private final Layout layout;
  private final Properties state;
  private Network network;

  private LocalCluster(Path dir, Layout layout, Properties state) {
    this.dir = dir;
    this.layout = layout;
    this.state = state;
  }

  /** The default directory of the local cluster used by the CLI. */
  public static Path defaultDir() {
    String env = System.getenv("PALISADE_CLUSTER_DIR");
    if (env != null && !env.isBlank()) return Path.of(env);
    return Path.of(System.getProperty("java.io.tmpdir"), "palisade-" + System.getProperty("user.name"));
  }

  /**
   * Writes a fresh cluster in dir: one YAML per node, the demo resource script; nothing started yet.
   *
   * @param timing YAML timing keys (renew_interval, ...) overriding the defaults
   */
  public static LocalCluster create(Path dir, int nodes, Map<String, String> timing) throws IOException {
    return create(dir, nodes, new Options(timing, 0, false, Set.of(), Map.of()));
  }

  /**
   * How the local cluster is laid out and fences.
   *
   * @param peers embedded ZooKeeper peers (1, 3 or 5; 0: the default for the node count). With 1, only node1 runs
   *     the store and every other node is a client behind the fault proxy, so isolating any other node is exact
   * @param bmc one Redfish mock BMC per node (HTTPS on 127.0.0.1, random port, password in a 0600 file) whose
   *     power switch kills / starts that node, and a {@code redfish} device {@code bmc-<node>} as its fence level
   * @param noWatchdog nodes that run with {@code watchdog: none}: only their fence device proves them dead
   * @param devices per node, a fence device (options with {@code type}) used instead of its mock BMC, named
   *     {@code fence-<node>}; {@value #BMC_PORT_PLACEHOLDER} in a value is replaced with the node's mock BMC port
   */
  public record Options(Map<String, String> timing, int peers, boolean bmc, Set<String> noWatchdog,
      Map<String, Map<String, String>> devices) {
    public Options {
      timing = Map.copyOf(timing);
      noWatchdog = Set.copyOf(noWatchdog);
      devices = Map.copyOf(devices);
    }
  }

  public static final String BMC_PORT_PLACEHOLDER = "@bmc_port@";
  public static final String BMC_USER = "admin";

  public static LocalCluster create(Path dir, int nodes, Options options) throws IOException {
    return create(dir, nodes, options, false);
  }

  /**
   * @param peerProcesses each store peer runs as a process of its own ({@code cluster peer}, in the cgroup
   *     {@link #peerCgroupName}) instead of inside its node's daemon, and each daemon's {@code store.connect} names
   *     its own node's peer: a peer can then be stopped (SIGSTOP) while its daemon lives
   */
  public static LocalCluster create(Path dir, int nodes, Options options, boolean peerProcesses) throws IOException {
    if (Files.exists(dir.resolve(STATE))) {
      throw new IllegalStateException("a local cluster already exists in " + dir + " (cluster down first)");
    }
    Files.createDirectories(dir);
    requireOwner(dir); // before chmod: root may chmod a directory someone else made (the default is in /tmp)
    // Demo resources run as nobody: they may traverse the cluster dir (not list it) to their script and trace dir;
    // each node's dir (config, secrets, data, watchdog socket) stays 0700.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    requireOwnDir(dir);
    openPathForResources(dir);
    Layout layout = Layout.pick(nodes, options.peers() > 0 ? options.peers() : DaemonConfig.defaultPeers(nodes));
    Properties p = new Properties();
    p.setProperty("nodes", Integer.toString(nodes));
    p.setProperty("peers", Integer.toString(layout.peers()));
    p.setProperty("base_port", Integer.toString(layout.basePort()));
    if (peerProcesses) p.setProperty("peer_processes", "true");
    LocalCluster c = new LocalCluster(dir, layout, p);
    for (String n : options.noWatchdog()) {
      c.requireNode(n);
      if (!options.bmc() && !options.devices().containsKey(n)) {
        throw new IllegalArgumentException(n + ": a node without a watchdog needs a fence device (--bmc)");
      }
    }
    for (String n : options.devices().keySet()) c.requireNode(n);
    c.makeCredentials();
    c.makeApiTokens();
    for (int i = 1; i <= nodes; i++) {
      Path nd = Files.createDirectories(dir.resolve(Layout.name(i)));
      Files.setPosixFilePermissions(nd, PosixFilePermissions.fromString("rwx------"));
      if (options.bmc()) {
        p.setProperty(Layout.name(i) + ".bmc_port", Integer.toString(freeTcpPort()));
        writeSecret(nd.resolve("bmc.password"), randomPassword());
      }
    }
    for (int i = 1; i <= nodes; i++) {
      Path yaml = dir.resolve(Layout.name(i)).resolve("node.yaml");
      Files.deleteIfExists(yaml);
      Files.createFile(yaml, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(yaml, c.yaml(i, options));
    }
    Files.createDirectories(c.traceDir());
    // Written by demo resources running as nobody, read by the checker: sticky and world-writable, like /tmp.
    run(List.of("chmod", "1777", c.traceDir().toString())); // the sticky bit has no PosixFilePermission
    try (InputStream in = LocalCluster.class.getResourceAsStream("demo-resource.sh")) {
      Files.copy(in, dir.resolve("demo-resource.sh"), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.setPosixFilePermissions(dir.resolve("demo-resource.sh"), PosixFilePermissions.fromString("rw-r--r--"));
    c.save();
    return c;
  }

  /**
   * Every directory above the cluster dir must let others traverse it, or the demo resources (user nobody) cannot
   * reach their trace dir. A private temporary directory of ours (a test's) is opened for traversal only (o+x, no
   * listing); anything else is refused with the command that fixes it.
   */
  private static void openPathForResources(Path dir) throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    String me = System.getProperty("user.name");
    for (Path p = dir.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
      Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) continue;
      if (p.startsWith(tmp) && !p.equals(tmp) && Files.getOwner(p).getName().equals(me)) {
        perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
        Files.setPosixFilePermissions(p, perms);
        continue;
      }
      throw new IllegalStateException("demo resources run as user " + ProcessResourceDriver.DEFAULT_USER
          + " and must reach " + dir + ", but " + p + " is not searchable by others (chmod o+x " + p
          + ", or choose another --dir)");
    }
  }

  /**
   * The cluster dir holds the nodes' configurations, the commands root runs for them and the PIDs it signals: it must
   * belong to the user running Palisade and be writable by nobody else, or another local user could swap them (the
   * default dir is in /tmp, where anyone may create it first). A symbolic link must be ours too.
   */
  static void requireOwnDir(Path dir) throws IOException {
    requireOwner(dir);
    Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
    if (perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
        || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
      throw new IllegalStateException("cluster dir " + dir + " is writable by group or others (mode "
          + PosixFilePermissions.toString(perms) + "): chmod go-w " + dir + ", or choose another --dir");
    }
  }

  private static void requireOwner(Path dir) throws IOException {
    String me = System.getProperty("user.name");
    if (!Files.isDirectory(dir)) throw new IllegalStateException("cluster dir " + dir + " is not a directory");
    for (String owner : List.of(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName(),
        Files.getOwner(dir).getName())) {
      if (!owner.equals(me)) {
        throw new IllegalStateException("cluster dir " + dir + " belongs to " + owner + ", not to " + me
            + " (remove it, or choose another --dir)");
      }
    }
  }

  /** The state file, read like any user-supplied file (bounded, a regular UTF-8 file). */
  private static Properties readState(Path f) throws IOException {
    Properties p = new Properties();
    try {
      p.load(new StringReader(TextFile.read(f)));
    } catch (TextFile.Unreadable e) {
      throw new IllegalStateException(e.getMessage());
    }
    return p;
  }

  public static LocalCluster open(Path dir) throws IOException {
    Path f = dir.resolve(STATE);
    if (!Files.exists(f)) throw new IllegalStateException("no local cluster in " + dir + " (run: cluster up)");
    requireOwnDir(dir);
    Properties p = readState(f);
    Layout layout = new Layout(Integer.parseInt(p.getProperty("nodes")), Integer.parseInt(p.getProperty("peers")),
        Integer.parseInt(p.getProperty("base_port")));
    return new LocalCluster(dir, layout, p);
  }

  /** The fence device of a node: its custom device, else its mock BMC, else none. */
  private String deviceName(String node, Options o) {
    if (o.devices().containsKey(node)) return "fence-" + node;
    return o.bmc() ? "bmc-" + node : null;
  }

  private static String quote(String v) {
    return "'" + v.replace("'", "''") + "'";
  }

  private String yaml(int i, Options o) {
    Map<String, String> timing = o.timing();
    StringBuilder sb = new StringBuilder();
    sb.append("# node ").append(Layout.name(i)).append(" of the local cluster; other nodes are dialled through ")
        .append("fault-proxy links\n");
    sb.append("cluster: ").append(CLUSTER).append('\n');
    sb.append("node: ").append(Layout.name(i)).append('\n');
    sb.append("data_dir: data\n");
    if (peerProcesses()) {
      // Its own node's peer (fate-sharing, as with an embedded peer); a node without a peer dials all of them.
      StringBuilder connect = new StringBuilder();
      for (int j = 1; j <= layout.peers(); j++) {
        if (i <= layout.peers() && j != i) continue;
        if (connect.length() > 0) connect.append(',');
        connect.append(layout.dialAddress(i, j)).append(':').append(layout.clientPort());
      }
      sb.append("store:\n  connect: ").append(quote(connect.toString())).append('\n');
    } else {
      sb.append("store:\n  peers: ").append(layout.peers()).append('\n');
    }
    sb.append("  credential: ").append(quote(Credentials.nodeDir(credentialsDir(), Layout.name(i)).toString()))
        .append('\n');
    boolean processWatchdog = !o.noWatchdog().contains(Layout.name(i));
    sb.append("watchdog:\n  driver: ").append(processWatchdog ? "process" : "none").append('\n');
    if (processWatchdog) sb.append("  socket: ").append(quote(watchdogSocket(Layout.name(i)).toString())).append('\n');
    sb.append("http:\n  port: ").append(httpPort()).append('\n');
    sb.append("  api_tokens_file: ").append(quote(dir.resolve(API_TOKENS).toString())).append('\n');
    if (!timing.isEmpty()) {
      sb.append("timing:\n");
      new TreeMap<>(timing).forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
    }
    sb.append("nodes:\n");
    for (int j = 1; j <= layout.nodes(); j++) {
      sb.append("  - name: ").append(Layout.name(j)).append('\n')
          .append("    address: ").append(layout.dialAddress(i, j)).append('\n')
          .append("    client_port: ").append(layout.clientPort()).append('\n')
          .append("    peer_port: ").append(layout.peerPort()).append('\n')
          .append("    election_port: ").append(layout.electionPort()).append('\n')
          .append("    spm_priority: 5\n");
      String dev = deviceName(Layout.name(j), o);
      if (dev != null) sb.append("    fence_levels: [[").append(dev).append("]]\n");
      if (o.noWatchdog().contains(Layout.name(j))) sb.append("    watchdog: none\n");
    }
    StringBuilder fd = new StringBuilder();
    for (int j = 1; j <= layout.nodes(); j++) {
      String n = Layout.name(j);
      String dev = deviceName(n, o);
      if (dev == null) continue;
      fd.append("  ").append(dev).append(":\n");
      Map<String, String> opts = new TreeMap<>();
      if (o.devices().containsKey(n)) {
        o.devices().get(n).forEach((k, v) -> opts.put(k, v.replace(BMC_PORT_PLACEHOLDER,
            state.getProperty(n + ".bmc_port", "0"))));
      } else {
        opts.putAll(Map.of("type", "redfish", "host", "127.0.0.1", "port", state.getProperty(n + ".bmc_port"),
            "username", BMC_USER, "password_file", dir.resolve(n).resolve("bmc.password").toString(),
            "ssl_insecure", "true"));
      }
      opts.forEach((k, v) -> fd.append("    ").append(k).append(": ").append(quote(v)).append('\n'));
    }
    if (fd.length() > 0) sb.append("fence_devices:\n").append(fd);
    return sb.toString();
  }

  /** Every node's HTTP server (health, metrics) listens on its own address, 127.0.1.i, at this port. */
  public int httpPort() {
    return layout.basePort() + 3;
  }

  static final String API_TOKENS = "api-tokens";

  /** The HTTP API's tokens: an admin and a viewer token (0600 files), their SHA-256 hashes in api-tokens. */
  private void makeApiTokens() throws IOException {
    StringBuilder sb = new StringBuilder("# NAME ROLE SHA256(token): the daemons' http.api_tokens_file\n");
    for (String role : List.of("admin", "viewer")) {
      String token = randomPassword();
      writeSecret(apiTokenFile(role), token);
      byte[] h;
      try {
        h = java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      sb.append(role).append(' ').append(role).append(' ').append(java.util.HexFormat.of().formatHex(h)).append('\n');
    }
    writeSecret(dir.resolve(API_TOKENS), sb.toString().strip());
  }

  /** The file holding the lab's API token of a role (admin, viewer). */
  public Path apiTokenFile(String role) {
    return dir.resolve("api-token." + role);
  }

  /** The base URL of a node's HTTP server. */
  public String httpUrl(String node) {
    return "http://" + layout.address(Layout.index(node)) + ":" + httpPort();
  }

  public Path dir() {
    return dir;
  }

  // ---- store credentials -------------------------------------------------------------------------------------------

  /** The lab's operator with every right: what the CLI uses by default with --dir. */
  public static final String ADMIN_OPERATOR = "admin";

  /** The lab's credentials: its authorities, one credential per node, the admin operator's (see Credentials). */
  public Path credentialsDir() {
    return credentialsDir(dir);
  }

  public static Path credentialsDir(Path dir) {
    return dir.resolve("credentials");
  }

  /**
   * The same library an operator runs by hand (palisade credentials ...): CA, node credentials, an admin. A
   * directory that held a cluster before keeps its authorities and credentials (cluster down, then up again).
   */
  private void makeCredentials() throws IOException {
    Path d = credentialsDir();
    if (!Files.exists(Credentials.caDir(d).resolve(Credentials.MEMBERS_CA + ".key"))) Credentials.initCa(d, CLUSTER);
    for (String n : nodeNames()) {
      if (!Files.exists(Credentials.nodeDir(d, n).resolve(Credential.IDENTITY))) {
        Credentials.issueNode(d, n, Credentials.NODE_DAYS_DEFAULT);
      }
    }
    if (!Files.exists(adminCredentialDir(dir).resolve(Credential.IDENTITY))) {
      Credentials.issueOperator(d, ADMIN_OPERATOR, Credential.Role.ADMIN, Credentials.NODE_DAYS_DEFAULT);
    }
  }

  /** The lab admin's credential directory. */
  public static Path adminCredentialDir(Path dir) {
    return Credentials.operatorDir(credentialsDir(dir), ADMIN_OPERATOR);
  }

  public Credential adminCredential() {
    return Credential.load(adminCredentialDir(dir));
  }

  /** A store handle acting as the lab's admin operator. */
  public Admin admin() {
    return new Admin(connectString(), CLUSTER, adminCredential());
  }

  public Layout layout() {
    return layout;
  }

  public List<String> nodeNames() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= layout.nodes(); i++) names.add(Layout.name(i));
    return names;
  }

  public String connectString() {
    return layout.connectString();
  }

  /** The node's watchdog supervisor socket, inside its 0700 data dir. */
  public Path watchdogSocket(String node) {
    return dir.resolve(node).resolve("data").resolve("watchdog.sock");
  }

  /** The cgroup v2 name (under the v2 root) of the node's daemon and resources: unique per cluster dir. */
  public String cgroupName(String node) {
    return "palisade/" + clusterId() + "-" + node;
  }

  /** "lab-" and 10 hex digits of the cluster dir's hash: names its cgroups and tags its firewall rules. */
  public String clusterId() {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(dir.toAbsolutePath().normalize()
          .toString().getBytes(StandardCharsets.UTF_8));
      return "lab-" + java.util.HexFormat.of().formatHex(h, 0, 5);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether the store peers run as processes of their own (see {@link #create(Path, int, Options, boolean)}). */
  public boolean peerProcesses() {
    return Boolean.parseBoolean(state.getProperty("peer_processes", "false"));
  }

  /** The cgroup v2 name of the node's store peer process (peer processes only): not its daemon's, see powerOn. */
  public String peerCgroupName(String node) {
    return cgroupName(node) + "-peer";
  }

  /**
   * The kernel-level faults of this cluster (iptables on lo, matched by the nodes' cgroups and this cluster's
   * ports), with latency on the in-JVM fault-proxy links when {@link #attachNetwork} was called. Call
   * {@link Firewall#start()} before powering the nodes on; close it when done.
   */
  public Firewall firewall() throws IOException {
    return firewall(true);
  }

  private Firewall firewall(boolean createCgroups) throws IOException {
    // iptables resolves a cgroup path when a rule is added: the cgroups must exist first (the supervisor and
    // startPeer reuse an existing one). A node powered off and on gets a new cgroup the rules do not know.
    Path v2 = Cgroup.v2Root().orElseThrow(() -> new IOException("the firewall needs cgroup v2 (none mounted)"));
    List<Firewall.Node> nodes = new ArrayList<>();
    Map<String, List<String>> via = new TreeMap<>();
    for (int i = 1; i <= layout.nodes(); i++) {
      String n = Layout.name(i);
      List<String> cgroups = new ArrayList<>(List.of(cgroupName(n)));
      if (peerProcesses() && i <= layout.peers()) cgroups.add(peerCgroupName(n));
      if (createCgroups) {
        for (String cg : cgroups) Files.createDirectories(Cgroup.named(v2, cg).dir());
      }
      nodes.add(new Firewall.Node(n, i, layout.address(i), cgroups));
      for (int j = 1; j <= layout.nodes(); j++) {
        if (i != j) via.put(n + ">" + Layout.name(j), List.of(layout.linkAddress(i, j)));
      }
    }
    Network net = network;
    return new Firewall(clusterId(), nodes, via, layout.basePort(), layout.electionPort(),
        net == null ? null : net::delay, Firewall.systemShell());
  }

  public Path traceDir() {
    return dir.resolve("trace");
  }

  public Path nodeLog(String node) {
    return dir.resolve(node).resolve("node.log");
  }

  /** A demo resource: the script writes start, beat and stop lines with wall-clock times to the trace dir. */
  public ResourceConfig demoResource(String id, String node) {
    String cmd = "TRACE_DIR='" + traceDir() + "' exec bash '" + dir.resolve("demo-resource.sh") + "'";
    return new ResourceConfig(id, node, RequestState.STARTED, null, 0, 1, 1, List.of(), "process",
        new TreeMap<>(Map.of("command", cmd)));
  }

  /** Adds one demo resource per node (vm:101 on node1, ...) to /config, by compare-and-set. */
  public void addDemoResources(Admin admin, int count) throws Exception {
    admin.update(StorePaths.CONFIG, ClusterConfig.class, cfg -> {
      if (cfg == null) throw new IllegalStateException("/config is not written yet");
      ClusterConfig next = cfg;
      for (int k = 1; k <= count; k++) {
        next = next.withResource(demoResource("vm:" + (100 + k), Layout.name((k - 1) % layout.nodes() + 1)));
      }
      return next;
    });
  }

  // ---- network -----------------------------------------------------------------------------------------------------

  /** Runs the fault proxy in this JVM (tests). */
  public Network attachNetwork() throws IOException {
    network = new Network(layout);
    return network;
  }

  /** Runs the fault proxy as a background process steered by DIR/isolated. */
  public void startProxyProcess() throws IOException {
    Files.writeString(dir.resolve("isolated"), "");
    Process p = launch(List.of("palisade.Main", "cluster", "proxy", "--dir", dir.toString()), "96m",
        dir.resolve("proxy.log"));
    updateState(st -> st.setProperty("proxy.pid", Long.toString(p.pid())));
    waitApplied(Set.of());
  }

  /**
   * Cuts every link from or to the node: by the firewall when the cluster uses one ({@link #useFirewall}: every
   * connection, ZooKeeper's dialled-back election connections included), else by the fault proxy.
   */
  public void isolate(String node) throws IOException {
    requireNode(node);
    Set<String> s = isolatedNow();
    s.add(node);
    if (usesFirewall()) {
      firewall().isolate(node); // the rules outlive this Firewall object; heal() sweeps them by tag
      writeIsolated(s);
      return;
    }
    applyNet(s);
  }

  public void heal() throws IOException {
    if (usesFirewall()) {
      firewall(false).sweep("cut:");
      writeIsolated(new TreeSet<>());
      return;
    }
    applyNet(new TreeSet<>());
  }

  /**
   * From now on {@link #isolate} and {@link #heal} cut with iptables (root): stamps every connection the nodes
   * open with their initiator. Call before the nodes start; {@link #down} removes every rule of the cluster.
   */
  public void useFirewall() throws IOException {
    firewall().start();
    updateState(st -> st.setProperty("firewall", "true"));
  }

  public boolean usesFirewall() {
    return Boolean.parseBoolean(state.getProperty("firewall", "false"));
  }

  private void writeIsolated(Set<String> isolated) throws IOException {
    Files.writeString(dir.resolve("isolated.firewall"), String.join("\n", isolated) + "\n");
  }

  public Set<String> isolatedNow() throws IOException {
    if (network != null) return new TreeSet<>(network.isolated());
    Path f = dir.resolve(usesFirewall() ? "isolated.firewall" : "isolated");
    TreeSet<String> s = new TreeSet<>();
    if (Files.exists(f)) Files.readAllLines(f).stream().map(String::trim).filter(x -> !x.isEmpty()).forEach(s::add);
    return s;
  }

  private void applyNet(Set<String> isolated) throws IOException {
    if (network != null) {
      network.apply(isolated);
      return;
    }
    Path tmp = dir.resolve("isolated.tmp");
    Files.writeString(tmp, String.join("\n", isolated) + "\n");
    Files.move(tmp, dir.resolve("isolated"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    waitApplied(isolated);
  }

  private void waitApplied(Set<String> isolated) throws IOException {
    Path f = dir.resolve("isolated.applied");
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROCESS_WAIT_MS);
    while (System.nanoTime() < deadline) {
      if (Files.exists(f)) {
        TreeSet<String> s = new TreeSet<>();
        Files.readAllLines(f).stream().map(String::trim).filter(x -> !x.isEmpty()).forEach(s::add);
        if (s.equals(new TreeSet<>(isolated))) return;
      }
      sleep(50);
    }
    throw new IOException("the fault proxy did not apply the change (see " + dir.resolve("proxy.log") + ")");
  }

  /** The proxy process's loop: applies DIR/isolated whenever it changes, acknowledges in DIR/isolated.applied. */
  public static void serveProxy(Path dir) throws IOException {
    LocalCluster c = open(dir);
    try (Network net = new Network(c.layout)) {
      String last = null;
      while (true) {
        Path f = dir.resolve("isolated");
        String text = Files.exists(f) ? Files.readString(f) : "";
        if (!text.equals(last)) {
          TreeSet<String> s = new TreeSet<>();
          text.lines().map(String::trim).filter(x -> !x.isEmpty()).forEach(s::add);
          net.apply(s);
          Path tmp = dir.resolve("isolated.applied.tmp");
          Files.writeString(tmp, text);
          Files.move(tmp, dir.resolve("isolated.applied"), StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
          System.out.println(java.time.Instant.now() + " isolated: " + s);
          System.out.flush();
          last = text;
        }
        sleep(50);
      }
    }
  }

  // ---- mock BMCs ---------------------------------------------------------------------------------------------------

  /** The node's mock BMC port, or -1 when the cluster has no mock BMCs. */
  public int bmcPort(String node) {
    return Integer.parseInt(state.getProperty(node + ".bmc_port", "-1"));
  }

  public Path bmcPasswordFile(String node) {
    return dir.resolve(node).resolve("bmc.password");
  }

  /** Starts one mock BMC process per node that has a port (before the nodes); waits until each listens. */
  public void startBmcs() throws IOException {
    Map<String, Process> started = new TreeMap<>();
    for (String n : nodeNames()) {
      if (bmcPort(n) < 0) continue;
      Path log = dir.resolve(n).resolve("bmc.log");
      Files.deleteIfExists(log);
      Process p = launch(List.of("palisade.Main", "cluster", "bmc", "--dir", dir.toString(), "--node", n), "64m",
          log);
      started.put(n, p);
      updateState(s -> s.setProperty(n + ".bmc.pid", Long.toString(p.pid())));
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * PROCESS_WAIT_MS);
    for (Map.Entry<String, Process> e : started.entrySet()) {
      Path log = dir.resolve(e.getKey()).resolve("bmc.log");
      while (!(Files.exists(log) && Files.readString(log).contains("listening on"))) {
        if (!e.getValue().isAlive() || System.nanoTime() > deadline) {
          throw new IOException(e.getKey() + ": the mock BMC did not start (see " + log + ")");
        }
        sleep(50);
      }
    }
  }

  /** The mock BMC process's main: Redfish over HTTPS whose power switch powers this node off and on. */
  public static void serveBmc(Path dir, String node) throws Exception {
    LocalCluster c = open(dir);
    c.requireNode(node);
    int port = c.bmcPort(node);
    if (port < 0) throw new IllegalStateException("no mock BMC port for " + node + " in " + dir);
    String password;
    try {
      password = TextFile.read(c.bmcPasswordFile(node)).strip();
    } catch (TextFile.Unreadable e) {
      throw new IllegalStateException(e.getMessage());
    }
    palisade.lab.PowerSwitch power = new palisade.lab.PowerSwitch() {
      @Override
      public synchronized boolean isOn() {
        try {
          return open(dir).powered(node);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }

      @Override
      public synchronized void setOn(boolean on) {
        try {
          LocalCluster now = open(dir);
          System.out.println(java.time.Instant.now() + " " + node + ": power " + (on ? "on" : "off") + " requested");
          if (on && !now.powered(node)) {
            now.powerOn(node);
          } else if (!on) {
            now.powerOff(node);
          }
          System.out.println(java.time.Instant.now() + " " + node + ": power is " + (now.powered(node) ? "on" : "off"));
          System.out.flush();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    palisade.lab.RedfishMockBmc bmc = new palisade.lab.RedfishMockBmc(port, BMC_USER, password, power);
    bmc.start();
    System.out.println("listening on 127.0.0.1:" + bmc.port() + " (mock BMC of " + node + ")");
    System.out.flush();
    Thread.currentThread().join();
  }

  private void stopBmcs() throws IOException {
    for (String n : nodeNames()) {
      String pid = state.getProperty(n + ".bmc.pid");
      if (pid == null) continue;
      ProcessHandle.of(Long.parseLong(pid)).filter(h -> commandMentions(h, "bmc")).ifPresent(h -> {
        h.destroyForcibly();
        awaitExit(h);
      });
      updateState(s -> s.remove(n + ".bmc.pid"));
    }
  }

  // ---- power -------------------------------------------------------------------------------------------------------

  /** Starts the node's watchdog supervisor, which starts the node daemon in its own process group. */
  public long powerOn(String node) throws IOException {
    requireNode(node);
    reload();
    if (supervisor(node).isPresent()) throw new IllegalStateException(node + " is already on");
    if (peerProcesses() && Layout.index(node) <= layout.peers() && peer(node).isEmpty()) startPeer(node);
    Path nd = dir.resolve(node);
    List<String> daemon = new ArrayList<>(javaCommand("192m"));
    daemon.addAll(List.of("palisade.Main", "agent", "--config", nd.resolve("node.yaml").toString()));
    if (LabLibvirt.enabled(dir)) daemon = LabLibvirt.bootCommand(dir, node, daemon); // its libvirtd boots first
    List<String> args = new ArrayList<>(List.of("palisade.runtime.watchdog.WatchdogSupervisor",
        "--socket", watchdogSocket(node).toString(), "--cgroup", cgroupName(node), "--restarts-max", "1000",
        "--restart-window-ms", "600000", "--restart-delay-ms", "500", "--stop-grace-ms", "2000", "--"));
    args.addAll(daemon);
    Process p = launch(args, "48m", nd.resolve("node.log"));
    updateState(s -> s.setProperty(node + ".pid", Long.toString(p.pid())));
    return p.pid();
  }

  /** Power loss: SIGKILL the supervisor and the node's whole process group (daemon and resources). */
  public void powerOff(String node) throws IOException {
    requireNode(node);
    reload();
    Optional<ProcessHandle> sup = supervisor(node);
    List<Long> groups = new ArrayList<>();
    sup.ifPresent(s -> s.children().forEach(ch -> groups.add(ch.pid())));
    daemonGroupFromFile(node).ifPresent(groups::add);
    sup.ifPresent(ProcessHandle::destroyForcibly);
    for (long g : new TreeSet<>(groups)) {
      signalGroup(g, "KILL");
      // A group whose leader died already (daemon crashed, supervisor not yet fired) still holds resources.
      for (ProcessHandle m : groupMembers(g)) m.destroyForcibly();
    }
    // What left the process group (setsid, double fork) is still in the node's cgroup.
    Optional<Path> v2 = Cgroup.v2Root();
    if (v2.isPresent()) {
      Cgroup cg = Cgroup.named(v2.get(), cgroupName(node));
      cg.kill();
      cg.remove();
    }
    sup.ifPresent(s -> awaitExit(s));
    for (long g : groups) ProcessHandle.of(g).ifPresent(LocalCluster::awaitExit);
    stopPeer(node); // the whole node loses power, its store peer too
    String killed = sup.map(h -> Long.toString(h.pid())).orElse(null);
    updateState(s -> {
      if (killed == null || killed.equals(s.getProperty(node + ".pid"))) s.remove(node + ".pid");
    });
  }

  public boolean powered(String node) {
    try {
      reload();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return supervisor(node).isPresent();
  }

  /** The node daemon's pid (the leader of its process group), if it runs. */
  public Optional<Long> daemonPid(String node) {
    return supervisor(node).flatMap(s -> s.children().findFirst()).map(ProcessHandle::pid);
  }

  /** The pid of the node's watchdog supervisor, if it runs. */
  public Optional<Long> supervisorPid(String node) {
    try {
      reload();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return supervisor(node).map(ProcessHandle::pid);
  }

  /** SIGSTOP (true) or SIGCONT (false) to the node's watchdog supervisor alone. */
  public void pauseSupervisor(String node, boolean stop) throws IOException {
    long pid = supervisorPid(node).orElseThrow(() -> new IllegalStateException(node + " has no supervisor running"));
    run(List.of("kill", stop ? "-STOP" : "-CONT", Long.toString(pid)));
  }

  /** SIGSTOP (true) or SIGCONT (false) to the node daemon alone, not to its resources. */
  public void pause(String node, boolean stop) throws IOException {
    long pid = daemonPid(node).orElseThrow(() -> new IllegalStateException(node + " has no daemon running"));
    run(List.of("kill", stop ? "-STOP" : "-CONT", Long.toString(pid)));
  }

  // ---- store peers as processes (peer processes only) ------------------------------------------------------------

  /** The node's store peer process, if it runs. */
  public Optional<Long> peerPid(String node) {
    try {
      reload();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return peer(node).map(ProcessHandle::pid);
  }

  /** SIGSTOP (true) or SIGCONT (false) to the node's store peer process alone; its daemon goes on. */
  public void pausePeer(String node, boolean stop) throws IOException {
    long pid = peerPid(node).orElseThrow(() -> new IllegalStateException(node + " has no store peer process"));
    run(List.of("kill", stop ? "-STOP" : "-CONT", Long.toString(pid)));
  }

  /**
   * Starts the node's store peer in a cgroup of its own (so that the firewall knows its packets as the node's),
   * not in its daemon's: a watchdog reset of the daemon leaves the peer running, as an external ensemble member on
   * the same host would; a power-off kills both.
   */
  private void startPeer(String node) throws IOException {
    Path root = Cgroup.v2Root().orElseThrow(() -> new IOException("peer processes need cgroup v2 (none mounted)"));
    Cgroup cg = Cgroup.named(root, peerCgroupName(node));
    Files.createDirectories(cg.dir());
    cg.kill(); // a predecessor's leftovers
    Path log = dir.resolve(node).resolve("peer.log");
    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "echo $$ > \"$1\" || exit 97; shift; exec \"$@\"",
        "palisade-cgroup-enter", cg.dir().resolve("cgroup.procs").toString()));
    argv.addAll(javaCommand("128m"));
    argv.addAll(List.of("palisade.Main", "cluster", "peer", "--dir", dir.toString(), "--node", node));
    Process p = launchArgv(argv, log);
    updateState(st -> st.setProperty(node + ".peer.pid", Long.toString(p.pid())));
  }

  private void stopPeer(String node) throws IOException {
    if (!peerProcesses()) return;
    Optional<ProcessHandle> h = peer(node);
    if (h.isPresent()) {
      h.get().destroyForcibly(); // SIGKILL ends a stopped process too
    }
    Optional<Path> v2 = Cgroup.v2Root();
    if (v2.isPresent()) {
      Cgroup cg = Cgroup.named(v2.get(), peerCgroupName(node));
      cg.kill();
      cg.remove();
    }
    h.ifPresent(LocalCluster::awaitExit);
    updateState(st -> st.remove(node + ".peer.pid"));
  }

  private Optional<ProcessHandle> peer(String node) {
    String pid = state.getProperty(node + ".peer.pid");
    if (pid == null) return Optional.empty();
    return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
        .filter(h -> commandMentions(h, "cluster peer"));
  }

  /** The store peer process's main: node's ZooKeeper peer among the cluster's, dialling through its links. */
  public static void servePeer(Path dir, String node) throws Exception {
    LocalCluster c = open(dir);
    c.requireNode(node);
    int i = Layout.index(node);
    if (!c.peerProcesses() || i > c.layout.peers()) throw new IllegalStateException(node + " runs no peer process");
    List<palisade.runtime.store.EmbeddedPeer.Member> members = new ArrayList<>();
    for (int j = 1; j <= c.layout.peers(); j++) {
      members.add(new palisade.runtime.store.EmbeddedPeer.Member(j, c.layout.dialAddress(i, j),
          c.layout.clientPort(), c.layout.peerPort(), c.layout.electionPort()));
    }
    Path base = dir.resolve(node).resolve("peer");
    Credential credential = Credential.load(Credentials.nodeDir(c.credentialsDir(), node));
    // A peer that hits a fatal error ends its process, so the test sees a dead peer rather than a silent one.
    try (palisade.runtime.store.EmbeddedPeer peer = palisade.runtime.store.EmbeddedPeer.start(base, i, members,
        credential, code -> Runtime.getRuntime().halt(code == 0 ? 72 : code))) {
      System.out.println("store peer " + i + " of " + node + " on " + c.layout.address(i) + ":"
          + c.layout.clientPort());
      System.out.flush();
      Thread.currentThread().join();
    }
  }

  /** Stops every process this cluster started (by recorded PID) and forgets the cluster. */
  public void down() throws IOException {
    reload();
    stopBmcs(); // first, so that no BMC powers a node on again meanwhile
    for (String n : nodeNames()) powerOff(n);
    LabLibvirt.down(dir, nodeNames()); // normally killed with their node's cgroup already
    String proxy = state.getProperty("proxy.pid");
    if (proxy != null) {
      ProcessHandle.of(Long.parseLong(proxy)).filter(h -> commandMentions(h, "proxy")).ifPresent(h -> {
        h.destroyForcibly();
        awaitExit(h);
      });
    }
    if (network != null) network.close();
    if (usesFirewall()) firewall(false).sweep(""); // every rule tagged with this cluster, by whoever added it
    Files.deleteIfExists(dir.resolve(STATE));
  }

  private Optional<ProcessHandle> supervisor(String node) {
    String pid = state.getProperty(node + ".pid");
    if (pid == null) return Optional.empty();
    return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
        .filter(h -> commandMentions(h, "WatchdogSupervisor"));
  }

  /** The process group of the node's last daemon (its pid), from the file the daemon writes at start. */
  private Optional<Long> daemonGroupFromFile(String node) {
    Path f = dir.resolve(node).resolve("data").resolve("daemon.pid");
    try {
      return Optional.of(Long.parseLong(Files.readString(f).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Live processes in group pgid that belong to this cluster (their command line names its directory). */
  private List<ProcessHandle> groupMembers(long pgid) {
    List<ProcessHandle> out = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(h -> {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (Long.parseLong(f[2]) == pgid && commandLine(h.pid()).contains(dir.toString())) out.add(h);
      } catch (IOException | RuntimeException e) {
        // gone meanwhile
      }
    });
    return out;
  }

  /** A safety check before any signal: the PID still belongs to a process we started for this cluster. */
  private boolean commandMentions(ProcessHandle h, String text) {
    String cmd = commandLine(h.pid());
    return cmd.contains(text) && cmd.contains(dir.toString());
  }

  /** The full command line from /proc (ProcessHandle.Info may leave the arguments out). */
  static String commandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  /** Signals a process group, only if it still has members that belong to this cluster. */
  private void signalGroup(long pgid, String signal) throws IOException {
    List<ProcessHandle> members = groupMembers(pgid);
    if (members.isEmpty()) return;
    run(List.of("kill", "-" + signal, "--", "-" + pgid));
  }

  private static void run(List<String> argv) throws IOException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    try {
      p.getInputStream().readAllBytes();
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitExit(ProcessHandle h) {
    try {
      h.onExit().get(PROCESS_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // reported by the caller's next check
    }
  }

  private Process launch(List<String> mainAndArgs, String heap, Path log) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.addAll(javaCommand(heap));
    argv.addAll(mainAndArgs);
    return launchArgv(argv, log);
  }

  /** Starts argv in a session of its own (setsid), output appended to log. */
  private Process launchArgv(List<String> command, Path log) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add("setsid");
    argv.addAll(command);
    ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    b.environment().remove("PALISADE_WATCHDOG_SOCKET");
    return b.start();
  }

  private List<String> javaCommand(String heap) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
        "-Dpalisade.cluster.dir=" + dir, "-cp", classPath());
  }

  /** Our class path; under Maven Surefire the real test class path (java.class.path may be a manifest jar). */
  static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  private void requireNode(String node) {
    int i = Layout.index(node);
    if (i < 1 || i > layout.nodes()) {
      throw new IllegalArgumentException("no node '" + node + "' in the local cluster (" + String.join(", ",
          nodeNames()) + ")");
    }
  }

  /** Another process (a mock BMC, the CLI) may have powered a node off or on: read the recorded PIDs again. */
  private void reload() throws IOException {
    Path f = dir.resolve(STATE);
    if (!Files.exists(f)) return;
    Properties p = readState(f);
    // no moment without an entry that is in both (another thread may be reading)
    state.keySet().removeIf(k -> !p.containsKey(k));
    state.putAll(p);
  }

  private static final Object STATE_LOCK = new Object();

  /** Read-modify-write of the state file under a file lock (mock BMC processes power nodes on and off too). */
  private void updateState(java.util.function.Consumer<Properties> change) throws IOException {
    synchronized (STATE_LOCK) {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("cluster.lock"),
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
          java.nio.channels.FileLock l = ch.lock()) {
        reload();
        change.accept(state);
        save();
      }
    }
  }

  static int freeTcpPort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String randomPassword() {
    byte[] b = new byte[18];
    new java.security.SecureRandom().nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Writes a file readable by its owner only (created 0600, never world-readable in between). */
  public static void writeSecret(Path file, String secret) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, secret + "\n");
  }

  private void save() throws IOException {
    Path tmp = dir.resolve(STATE + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      state.store(out, "palisade local cluster: layout and the PIDs it started");
    }
    Files.move(tmp, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
