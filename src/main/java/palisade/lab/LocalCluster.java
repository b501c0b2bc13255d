package palisade.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import palisade.core.ResourceConfig;
import palisade.runtime.store.Admin;
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
  private final LabProcesses processes;
  private final LabNetwork net;
  private final LabBmcs bmcs;
  private final LabPeers peers;
  private final LabPower power;
  private final LabWitness witness;

  LocalCluster(Path dir, Layout layout, Properties state) {
    this.dir = dir;
    this.layout = layout;
    this.state = state;
    this.processes = new LabProcesses(dir);
    this.net = new LabNetwork(this);
    this.bmcs = new LabBmcs(this);
    this.peers = new LabPeers(this);
    this.power = new LabPower(this, processes, peers);
    this.witness = new LabWitness(this);
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
   * @param fenceLevels per node, its levels by device name; a {@code devices} key naming no node is such a device
   */
  public record Options(Map<String, String> timing, int peers, boolean bmc, Set<String> noWatchdog,
      Map<String, Map<String, String>> devices, Map<String, List<List<String>>> fenceLevels) {
    public Options {
      timing = Map.copyOf(timing);
      noWatchdog = Set.copyOf(noWatchdog);
      devices = Map.copyOf(devices);
      fenceLevels = Map.copyOf(fenceLevels);
    }

    public Options(Map<String, String> timing, int peers, boolean bmc, Set<String> noWatchdog,
        Map<String, Map<String, String>> devices) {
      this(timing, peers, bmc, noWatchdog, devices, Map.of());
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
    return LabSetup.create(dir, nodes, options, peerProcesses);
  }

  public static LocalCluster open(Path dir) throws IOException {
    Path f = dir.resolve(STATE);
    if (!Files.exists(f)) throw new IllegalStateException("no local cluster in " + dir + " (run: palisade lab up)");
    LabFiles.requireOwnDir(dir); // it holds what root runs and signals
    Properties p = LabFiles.readState(f);
    Layout layout = new Layout(Integer.parseInt(p.getProperty("nodes")), Integer.parseInt(p.getProperty("peers")),
        Integer.parseInt(p.getProperty("base_port")));
    return new LocalCluster(dir, layout, p);
  }

  /** Every node's HTTP server (health, metrics) listens on its own address, 127.0.1.i, at this port. */
  public int httpPort() {
    return layout.basePort() + 3;
  }

  static final String API_TOKENS = "api-tokens";

  /** The file holding the lab's API token of a role (admin, viewer). */
  public Path apiTokenFile(String role) {
    return dir.resolve("api-token." + role);
  }

  /** The base URL of a node's web server (HTTPS with the node's credential, as every daemon's by default). */
  public String httpUrl(String node) {
    return "https://" + layout.address(Layout.index(node)) + ":" + httpPort();
  }

  /** The authority that signed the nodes' certificates: what an HTTPS client of the lab trusts. */
  public Path membersCa() {
    return Credentials.caDir(credentialsDir()).resolve(Credentials.MEMBERS_CA + ".pem");
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
    return new ArrayList<>(java.util.stream.IntStream.rangeClosed(1, layout.nodes()).mapToObj(Layout::name).toList());
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
  public String clusterId() { return LabFiles.clusterId(dir); }

  /** Daemons with this heap (default 192m) and the JVM's own collector and JIT, as production runs them. */
  public void productionDaemons(String heap) throws IOException {
    updateState(s -> s.putAll(Map.of("daemon_heap", heap, "daemon_full_jvm", "true")));
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
    return net.firewall(true);
  }

  public Path traceDir() {
    return dir.resolve("trace");
  }

  public Path nodeLog(String node) {
    return dir.resolve(node).resolve("node.log");
  }

  /** A demo resource: the script writes start, beat and stop lines with wall-clock times to the trace dir. */
  public ResourceConfig demoResource(String id, String node) {
    return LabSetup.demoResource(this, id, node);
  }

  /** Adds one demo resource per node (vm:101 on node1, ...) to /config, by compare-and-set. */
  public void addDemoResources(Admin admin, int count) throws Exception {
    LabSetup.addDemoResources(this, admin, count);
  }

  // ---- network -----------------------------------------------------------------------------------------------------

  /** Runs the fault proxy in this JVM (tests). */
  public Network attachNetwork() throws IOException {
    network = new Network(layout);
    return network;
  }

  /** The fault proxy running in this JVM ({@link #attachNetwork}), or null. */
  Network attachedNetwork() {
    return network;
  }

  /** Runs the fault proxy as a background process steered by DIR/isolated. */
  public void startProxyProcess() throws IOException {
    net.startProxyProcess();
  }

  /**
   * Cuts every link from or to the node: by the firewall when the cluster uses one ({@link #useFirewall}: every
   * connection, ZooKeeper's dialled-back election connections included), else by the fault proxy.
   */
  public void isolate(String node) throws IOException {
    net.isolate(node);
  }

  public void heal() throws IOException {
    net.heal();
  }

  /**
   * From now on {@link #isolate} and {@link #heal} cut with iptables (root): stamps every connection the nodes
   * open with their initiator. Call before the nodes start; {@link #down} removes every rule of the cluster.
   */
  public void useFirewall() throws IOException {
    net.useFirewall();
  }

  public boolean usesFirewall() {
    return net.usesFirewall();
  }

  public Set<String> isolatedNow() throws IOException {
    return net.isolatedNow();
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
    bmcs.start();
  }

  // ---- power -------------------------------------------------------------------------------------------------------

  /**
   * Starts the node's watchdog supervisor, which starts the node daemon in its own process group; for the witness
   * ({@link Layout#WITNESS}), its store peer process.
   */
  public long powerOn(String node) throws IOException {
    if (isWitness(node)) return witness.start();
    return power.on(node);
  }

  /** Power loss: SIGKILL the supervisor and the node's whole process group (daemon and resources); or the witness. */
  public void powerOff(String node) throws IOException {
    if (isWitness(node)) {
      witness.stop();
      return;
    }
    power.off(node);
  }

  public boolean powered(String node) {
    reloadUnchecked();
    if (isWitness(node)) return witness.process().isPresent();
    return power.supervisor(node).isPresent();
  }

  /** Whether the cluster has a witness (two nodes and a witness) and NAME is it. */
  public boolean isWitness(String name) {
    return layout.witness() && Layout.WITNESS.equals(name);
  }

  /** The witness process's pid, if it runs. */
  public Optional<Long> witnessPid() {
    reloadUnchecked();
    return witness.process().map(ProcessHandle::pid);
  }

  /** Writes the witness's directory and YAML (at creation). */
  void writeWitness() throws IOException {
    witness.write();
  }

  /** The witness's log. */
  public Path witnessLog() {
    return witness.dir().resolve("witness.log");
  }

  /** A clean host shutdown (reboot: true, a reboot) as systemd starts one: queued job, then SIGTERM to the daemon. */
  public void hostShutdown(String node, boolean reboot) throws IOException {
    power.hostShutdown(node, reboot);
  }

  /** Where the node's daemon reads the host's queued shutdown job (its {@code host_shutdown_file}). */
  public Path hostShutdownFile(String node) {
    return dir.resolve(node).resolve("host-shutdown");
  }

  /** The node daemon's pid (the leader of its process group), if it runs. */
  public Optional<Long> daemonPid(String node) {
    return power.supervisor(node).flatMap(s -> s.children().findFirst()).map(ProcessHandle::pid);
  }

  /** The pid of the node's watchdog supervisor, if it runs. */
  public Optional<Long> supervisorPid(String node) {
    reloadUnchecked();
    return power.supervisor(node).map(ProcessHandle::pid);
  }

  /** SIGSTOP (true) or SIGCONT (false) to the node's watchdog supervisor alone. */
  public void pauseSupervisor(String node, boolean stop) throws IOException {
    long pid = supervisorPid(node).orElseThrow(() -> new IllegalStateException(node + " has no supervisor running"));
    LabProcesses.stopOrContinue(pid, stop);
  }

  /** SIGSTOP (true) or SIGCONT (false) to the node daemon alone, not to its resources. */
  public void pause(String node, boolean stop) throws IOException {
    long pid = daemonPid(node).orElseThrow(() -> new IllegalStateException(node + " has no daemon running"));
    LabProcesses.stopOrContinue(pid, stop);
  }

  // ---- store peers as processes (peer processes only) ------------------------------------------------------------

  /** The node's store peer process, if it runs. */
  public Optional<Long> peerPid(String node) {
    reloadUnchecked();
    return peers.peer(node).map(ProcessHandle::pid);
  }

  /** SIGSTOP (true) or SIGCONT (false) to the node's store peer process alone; its daemon goes on. */
  public void pausePeer(String node, boolean stop) throws IOException {
    long pid = peerPid(node).orElseThrow(() -> new IllegalStateException(node + " has no store peer process"));
    LabProcesses.stopOrContinue(pid, stop);
  }

  /** Stops every process this cluster started (by recorded PID) and forgets the cluster. */
  public void down() throws IOException {
    reload();
    bmcs.stop(); // first, so that no BMC powers a node on again meanwhile
    for (String n : nodeNames()) powerOff(n);
    if (layout.witness()) witness.stop();
    LabLibvirt.down(dir, nodeNames()); // normally killed with their node's cgroup already
    net.stopProxyProcess();
    if (network != null) network.close();
    if (usesFirewall()) net.firewall(false).sweep(""); // every rule tagged with this cluster, by whoever added it
    Files.deleteIfExists(dir.resolve(STATE));
  }

  /** A node, or the witness (what the network can isolate). */
  void requireMember(String name) {
    if (!isWitness(name)) layout.requireNode(name);
  }

  /** The cluster's process launcher and signaller. */
  LabProcesses processes() {
    return processes;
  }

  /** A value of the state file as last read (call reload first for another process's changes). */
  String stateValue(String key, String otherwise) {
    return state.getProperty(key, otherwise);
  }

  /** Another process (a mock BMC, the CLI) may have powered a node off or on: read the recorded PIDs again. */
  void reload() throws IOException {
    LabFiles.reloadState(dir, state);
  }

  private void reloadUnchecked() {
    try {
      reload();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Read-modify-write of the state file under a file lock (mock BMC processes power nodes on and off too). */
  void updateState(java.util.function.Consumer<Properties> change) throws IOException {
    LabFiles.updateState(dir, state, change);
  }

  /** Writes a file readable by its owner only (created 0600, never world-readable in between). */
  public static void writeSecret(Path file, String secret) throws IOException {
    LabFiles.writeSecret(file, secret);
  }
}
