package palisade.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import palisade.runtime.daemon.DaemonConfig;

/**
 * What `palisade cluster init` decided for a real cluster: its name, its hosts with their addresses, the ports every
 * host uses, the watchdog driver and the data dir. Every node's YAML is rendered from it, by {@link #yaml}; a join
 * bundle carries it as {@code plan.json} so that `cluster join` renders its host's file with the same code.
 *
 * @param nodes in order: the ZooKeeper ids, and the first {@code peers} run the store's embedded peers
 * @param watchdog {@code linux} (a watchdog device: hardware or softdog) or {@code process} (the supervisor)
 * @param libvirt {@code none} (no libvirt_uri), or how a host's libvirtd reaches the others' for a live migration:
 *     {@code ssh} (qemu+ssh://ADDRESS/system) or {@code tls} (qemu+tls://ADDRESS/system); its own is qemu:///system
 */
record ClusterPlan(String cluster, List<Host> nodes, int peers, int clientPort, int peerPort, int electionPort,
    int httpPort, String watchdog, String dataDir, String libvirt) {

  /** A cluster member: its name and the address every other host dials it at (and it binds). */
  record Host(String name, String address) {}

  /** The intersection of what a daemon's YAML (names) and a credential's common name accept. */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern HOST_NAME = Pattern.compile(
      "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  static final Set<String> WATCHDOGS = Set.of("linux", "process");
  static final Set<String> LIBVIRT = Set.of("none", "ssh", "tls");
  static final int NODES_MAX = 32;
  private static final ObjectMapper JSON = new ObjectMapper();

  ClusterPlan {
    nodes = List.copyOf(nodes);
  }

  /** Checks everything the command line gave, naming the option; throws CliError (exit 2) on the first problem. */
  static ClusterPlan of(String cluster, List<String> nodeArgs, int clientPort, int peerPort, int electionPort,
      int httpPort, String watchdog, String dataDir, String libvirt) {
    if (!NAME.matcher(cluster).matches()) {
      throw new CliError("--name: '" + cluster + "' is not a cluster name (lower-case letters, digits, _ and -, "
          + "at most 63, starting with a letter or digit)");
    }
    if (nodeArgs.isEmpty()) throw new CliError("--node: name every host of the cluster, NAME=ADDRESS (repeatable)");
    if (nodeArgs.size() > NODES_MAX) throw new CliError("--node: at most " + NODES_MAX + " hosts");
    List<Host> hosts = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> addresses = new HashSet<>();
    for (String arg : nodeArgs) {
      Host h = parseHost(arg);
      if (!names.add(h.name())) throw new CliError("--node: '" + h.name() + "' is named twice");
      if (!addresses.add(h.address().toLowerCase(Locale.ROOT))) {
        throw new CliError("--node: address '" + h.address() + "' is given twice (one host per address)");
      }
      hosts.add(h);
    }
    port(clientPort, "--client-port");
    port(peerPort, "--peer-port");
    port(electionPort, "--election-port");
    port(httpPort, "--http-port");
    if (new HashSet<>(List.of(clientPort, peerPort, electionPort, httpPort)).size() != 4) {
      throw new CliError("--client-port, --peer-port, --election-port, --http-port: must be four different ports");
    }
    if (!WATCHDOGS.contains(watchdog)) {
      throw new CliError("--watchdog: '" + watchdog + "' is not linux (a watchdog device: hardware or softdog) or "
          + "process (the supervisor); a node without a watchdog needs a fence device: add it to its YAML later");
    }
    if (!dataDir.startsWith("/")) throw new CliError("--data-dir: '" + dataDir + "' must be an absolute path");
    if (!LIBVIRT.contains(libvirt)) {
      throw new CliError("--libvirt: '" + libvirt + "' is not none, ssh (qemu+ssh://) or tls (qemu+tls://)");
    }
    return new ClusterPlan(cluster, hosts, DaemonConfig.defaultPeers(hosts.size()), clientPort, peerPort,
        electionPort, httpPort, watchdog, dataDir, libvirt);
  }

  /** NAME=ADDRESS. */
  private static Host parseHost(String arg) {
    int eq = arg.indexOf('=');
    if (eq < 0) throw new CliError("--node: '" + arg + "' is not NAME=ADDRESS (e.g. node1=10.0.0.1)");
    String name = arg.substring(0, eq).strip();
    String address = arg.substring(eq + 1).strip();
    if (!NAME.matcher(name).matches()) {
      throw new CliError("--node: '" + name + "' is not a node name (lower-case letters, digits, _ and -, at most 63)");
    }
    boolean ip = IPV4.matcher(address).matches();
    if (ip && !validIpv4(address) || !ip && !HOST_NAME.matcher(address).matches()) {
      throw new CliError("--node: " + name + ": '" + address + "' is neither an IPv4 address nor a host name");
    }
    return new Host(name, address);
  }

  private static boolean validIpv4(String a) {
    for (String part : a.split("\\.")) {
      if (Integer.parseInt(part) > 255) return false;
    }
    return true;
  }

  private static void port(int p, String option) {
    if (p < 1 || p > 65535) throw new CliError(option + ": " + p + " is not a port (1-65535)");
  }

  Host host(String name) {
    return nodes.stream().filter(h -> h.name().equals(name)).findFirst()
        .orElseThrow(() -> new CliError("no node '" + name + "' in cluster " + cluster));
  }

  List<String> names() {
    return nodes.stream().map(Host::name).toList();
  }

  /** The store as a client dials it: every peer's address and client port. */
  String connectString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < peers; i++) {
      if (sb.length() > 0) sb.append(',');
      sb.append(nodes.get(i).address()).append(':').append(clientPort);
    }
    return sb.toString();
  }

  /** The unit that runs this cluster's daemons under its watchdog driver. */
  String unit() {
    return watchdog.equals("process") ? "palisade-process-watchdog" : "palisade";
  }

  /** The data dir the units assume (the supervisor's --socket in palisade-process-watchdog.service). */
  static final String UNIT_DATA_DIR = "/var/lib/palisade";

  /** How to start the daemon on a host of this plan: the unit, and what to change in it first, if anything. */
  String startHint() {
    String hint = "systemctl enable --now " + unit();
    if (watchdog.equals("process") && !Path.of(dataDir).normalize().equals(Path.of(UNIT_DATA_DIR))) {
      hint += " (after `systemctl edit --full " + unit() + "`: its --socket must be "
          + Path.of(dataDir).resolve(DaemonConfig.DEFAULT_WATCHDOG_SOCKET) + ")";
    }
    return hint;
  }

  /** The same plan with another data dir (a host laid out differently; the tests' three nodes on one machine). */
  ClusterPlan withDataDir(String dir) {
    if (!dir.startsWith("/")) throw new CliError("--data-dir: '" + dir + "' must be an absolute path");
    return new ClusterPlan(cluster, nodes, peers, clientPort, peerPort, electionPort, httpPort, watchdog, dir,
        libvirt);
  }

  /**
   * The YAML of node {@code self}: the credential, the API tokens and the operator credential sit next to it
   * (relative paths), so a join bundle is a complete configuration directory as it is.
   */
  String yaml(String self) {
    host(self);
    Path data = Path.of(dataDir);
    StringBuilder sb = new StringBuilder();
    sb.append("# Node ").append(self).append(" of cluster ").append(cluster).append(", written by `palisade cluster ")
        .append("init` (docs/INSTALL.md).\n# Relative paths are relative to this file's directory. Every key: ")
        .append("docs/RUNTIME.md, \"Configuration (YAML)\".\n# Fence devices: add each under fence_devices and in ")
        .append("its node's fence_levels, the same in every node's file.\n");
    sb.append("cluster: ").append(cluster).append('\n');
    sb.append("node: ").append(self).append('\n');
    sb.append("data_dir: ").append(quote(dataDir)).append('\n');
    sb.append("store:\n  peers: ").append(peers).append("\n  credential: ").append(ClusterBundle.CREDENTIAL)
        .append('\n');
    // `palisade status` on this host then runs as the cluster's operator, not as the node
    sb.append("cli:\n  credential: ").append(ClusterBundle.OPERATOR).append('\n');
    sb.append("watchdog:\n  driver: ").append(watchdog).append('\n');
    if (watchdog.equals("process")) {
      // the supervisor's --socket in palisade-process-watchdog.service
      sb.append("  socket: ").append(quote(data.resolve(DaemonConfig.DEFAULT_WATCHDOG_SOCKET).toString())).append('\n');
    } else {
      sb.append("  device: /dev/watchdog\n");
    }
    sb.append("http:\n  port: ").append(httpPort).append("\n  api_tokens_file: ").append(ClusterBundle.API_TOKENS)
        .append('\n');
    sb.append("nodes:\n");
    for (Host h : nodes) {
      sb.append("  - name: ").append(h.name()).append('\n')
          .append("    address: ").append(h.address()).append('\n')
          .append("    client_port: ").append(clientPort).append('\n')
          .append("    peer_port: ").append(peerPort).append('\n')
          .append("    election_port: ").append(electionPort).append('\n');
      if (!libvirt.equals("none")) {
        // its own hypervisor locally; the others' as this host's libvirtd dials them for a peer-to-peer migration
        sb.append("    libvirt_uri: ").append(h.name().equals(self) ? "qemu:///system"
            : "qemu+" + libvirt + "://" + h.address() + "/system").append('\n');
      }
    }
    return sb.toString();
  }

  /** A JSON string is a double-quoted YAML scalar. */
  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ClusterPlan fromJson(String json, String where) {
    try {
      ClusterPlan p = JSON.readValue(json, ClusterPlan.class);
      if (p.cluster() == null || p.nodes() == null || p.watchdog() == null || p.dataDir() == null
          || p.libvirt() == null) {
        throw new CliError(where + ": incomplete (not made by palisade cluster init?)");
      }
      return p;
    } catch (JsonProcessingException e) {
      throw new CliError(where + ": not a cluster plan: " + e.getOriginalMessage());
    }
  }
}
