package palisade.lab;

import static palisade.lab.LabFiles.quote;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import palisade.runtime.store.Credentials;

/** The node.yaml of each node of the local cluster: its store, watchdog, HTTP, timing, nodes and fence devices. */
final class NodeYaml {
  private final LocalCluster c;
  private final Layout layout;
  private final Path dir;

  NodeYaml(LocalCluster c) {
    this.c = c;
    this.layout = c.layout();
    this.dir = c.dir();
  }

  /** The fence device of a node: its custom device, else its mock BMC, else none. */
  static String deviceName(String node, LocalCluster.Options o) {
    if (o.devices().containsKey(node)) return "fence-" + node;
    return o.bmc() ? "bmc-" + node : null;
  }

  /** The YAML of node i (1-based). */
  String yaml(int i, LocalCluster.Options o) {
    Map<String, String> timing = o.timing();
    StringBuilder sb = new StringBuilder();
    sb.append("# node ").append(Layout.name(i)).append(" of the local cluster; other nodes are dialled through ")
        .append("fault-proxy links\n");
    sb.append("cluster: ").append(LocalCluster.CLUSTER).append('\n');
    sb.append("node: ").append(Layout.name(i)).append('\n');
    sb.append("data_dir: data\n");
    if (c.peerProcesses()) {
      // Its own node's peer (fate-sharing, as with an embedded peer); a node without a peer dials all of them.
      StringBuilder connect = new StringBuilder();
      for (int j = 1; j <= layout.peers(); j++) {
        if (i <= layout.peers() && j != i) continue;
        if (connect.length() > 0) connect.append(',');
        connect.append(layout.dialAddress(i, j)).append(':').append(layout.clientPort());
      }
      sb.append("store:\n  connect: ").append(quote(connect.toString())).append('\n');
    } else if (layout.witness()) {
      sb.append("store:\n").append(LabWitness.storeEntry(layout, i)); // every node runs a peer, the witness too
    } else {
      sb.append("store:\n  peers: ").append(layout.peers()).append('\n');
      sb.append(LabPeers.reconfigEntry(c, i));
    }
    sb.append("  credential: ").append(quote(Credentials.nodeDir(c.credentialsDir(), Layout.name(i)).toString()))
        .append('\n');
    boolean processWatchdog = !o.noWatchdog().contains(Layout.name(i));
    sb.append("watchdog:\n  driver: ").append(processWatchdog ? "process" : "none").append('\n');
    if (processWatchdog) {
      sb.append("  socket: ").append(quote(c.watchdogSocket(Layout.name(i)).toString())).append('\n');
    }
    // The host's queued shutdown job, as the lab's host shutdown writes it before its SIGTERM (LabPower.hostShutdown).
    sb.append("host_shutdown_file: ").append(quote(c.hostShutdownFile(Layout.name(i)).toString())).append('\n');
    sb.append("shutdown_timeout: 120s\n");
    sb.append("http:\n  port: ").append(c.httpPort()).append('\n');
    sb.append("  api_tokens_file: ").append(quote(dir.resolve(LocalCluster.API_TOKENS).toString())).append('\n');
    if (!timing.isEmpty()) {
      sb.append("timing:\n");
      new TreeMap<>(timing).forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
    }
    appendNodes(sb, i, o);
    String fd = fenceDevices(o);
    if (fd.length() > 0) sb.append("fence_devices:\n").append(fd);
    return sb.toString();
  }

  private void appendNodes(StringBuilder sb, int i, LocalCluster.Options o) {
    sb.append("nodes:\n");
    for (int j = 1; j <= layout.nodes(); j++) {
      sb.append("  - name: ").append(Layout.name(j)).append('\n')
          .append("    address: ").append(LabPeers.direct(c) ? layout.address(j) : layout.dialAddress(i, j))
          .append('\n')
          .append("    client_port: ").append(layout.clientPort()).append('\n')
          .append("    peer_port: ").append(layout.peerPort()).append('\n')
          .append("    election_port: ").append(layout.electionPort()).append('\n')
          .append("    spm_priority: 5\n");
      String dev = deviceName(Layout.name(j), o);
      List<List<String>> levels = o.fenceLevels().get(Layout.name(j));
      if (levels != null) {
        sb.append("    fence_levels: [").append(String.join(", ", levels.stream().map(l -> "[" + String.join(", ", l)
            + "]").toList())).append("]\n");
      } else if (dev != null) {
        sb.append("    fence_levels: [[").append(dev).append("]]\n");
      }
      if (o.noWatchdog().contains(Layout.name(j))) sb.append("    watchdog: none\n");
    }
  }

  /** The entries under fence_devices (empty when no node has a device). */
  private String fenceDevices(LocalCluster.Options o) {
    StringBuilder fd = new StringBuilder();
    for (int j = 1; j <= layout.nodes(); j++) {
      String n = Layout.name(j);
      String dev = deviceName(n, o);
      if (dev == null) continue;
      fd.append("  ").append(dev).append(":\n");
      Map<String, String> opts = new TreeMap<>();
      if (o.devices().containsKey(n)) {
        o.devices().get(n).forEach((k, v) -> opts.put(k, v.replace(LocalCluster.BMC_PORT_PLACEHOLDER,
            c.stateValue(n + ".bmc_port", "0"))));
      } else {
        opts.putAll(Map.of("type", "redfish", "host", "127.0.0.1", "port", c.stateValue(n + ".bmc_port", null),
            "username", LocalCluster.BMC_USER, "password_file", dir.resolve(n).resolve("bmc.password").toString(),
            "ssl_insecure", "true"));
      }
      opts.forEach((k, v) -> fd.append("    ").append(k).append(": ").append(quote(v)).append('\n'));
    }
    // Devices of their own name, for fence levels of several devices (Options.fenceLevels).
    new TreeMap<>(o.devices()).forEach((name, opts) -> {
      if (name.matches("node\\d+")) return;
      fd.append("  ").append(name).append(":\n");
      new TreeMap<>(opts).forEach((k, v) -> fd.append("    ").append(k).append(": ").append(quote(v)).append('\n'));
    });
    return fd.toString();
  }
}
