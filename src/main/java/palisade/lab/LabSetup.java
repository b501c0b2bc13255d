package palisade.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import palisade.core.ClusterConfig;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.StorePaths;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;

/** Writes a fresh local cluster: its dir, state, credentials, API tokens, node dirs and configs, demo resource. */
final class LabSetup {
  private LabSetup() {}

  /** See {@link LocalCluster#create(Path, int, LocalCluster.Options, boolean)}. */
  static LocalCluster create(Path dir, int nodes, LocalCluster.Options options, boolean peerProcesses)
      throws IOException {
    return create(dir, nodes, options, peerProcesses, Map.of());
  }

  /** As above, with extra state properties that the node configurations follow (e.g. {@link LabPeers#DIRECT}). */
  static LocalCluster create(Path dir, int nodes, LocalCluster.Options options, boolean peerProcesses,
      Map<String, String> extraState) throws IOException {
    if (Files.exists(dir.resolve(LocalCluster.STATE))) {
      throw new IllegalStateException("a local cluster already exists in " + dir + " (lab down first)");
    }
    Files.createDirectories(dir);
    LabFiles.requireOwner(dir); // before chmod: root may chmod a directory someone else made (the default is in /tmp)
    // Demo resources run as nobody: they may traverse the cluster dir (not list it) to their script and trace dir;
    // each node's dir (config, secrets, data, watchdog socket) stays 0700.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    LabFiles.requireOwnDir(dir);
    LabFiles.openPathForResources(dir);
    Layout layout = Layout.pick(nodes, options.peers() > 0 ? options.peers() : DaemonConfig.defaultPeers(nodes));
    Properties p = new Properties();
    p.setProperty("nodes", Integer.toString(nodes));
    p.setProperty("peers", Integer.toString(layout.peers()));
    p.setProperty("base_port", Integer.toString(layout.basePort()));
    if (peerProcesses) p.setProperty("peer_processes", "true");
    extraState.forEach(p::setProperty);
    LocalCluster c = new LocalCluster(dir, layout, p);
    for (String n : options.noWatchdog()) {
      c.layout().requireNode(n);
      if (!options.bmc() && !options.devices().containsKey(n)) {
        throw new IllegalArgumentException(n + ": a node without a watchdog needs a fence device (--bmc)");
      }
    }
    for (String n : options.devices().keySet()) {
      if (n.matches("node\\d+")) c.layout().requireNode(n); // any other key names a device of its own (Options.fenceLevels)
    }
    for (String n : options.fenceLevels().keySet()) c.layout().requireNode(n);
    if (layout.witness() && peerProcesses) throw new IllegalArgumentException("a witness with peer processes");
    makeCredentials(c);
    makeApiTokens(c);
    for (int i = 1; i <= nodes; i++) {
      Path nd = Files.createDirectories(dir.resolve(Layout.name(i)));
      Files.setPosixFilePermissions(nd, PosixFilePermissions.fromString("rwx------"));
      if (options.bmc()) {
        p.setProperty(Layout.name(i) + ".bmc_port", Integer.toString(LabFiles.freeTcpPort()));
        LabFiles.writeSecret(nd.resolve("bmc.password"), LabFiles.randomPassword());
      }
    }
    for (int i = 1; i <= nodes; i++) {
      Path yaml = dir.resolve(Layout.name(i)).resolve("node.yaml");
      Files.deleteIfExists(yaml);
      Files.createFile(yaml, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(yaml, new NodeYaml(c).yaml(i, options));
    }
    if (layout.witness()) c.writeWitness();
    writeDemoFiles(c);
    LabFiles.saveState(dir, p);
    return c;
  }

  /** The trace dir and the demo resource script. */
  private static void writeDemoFiles(LocalCluster c) throws IOException {
    Path dir = c.dir();
    Files.createDirectories(c.traceDir());
    // Written by demo resources running as nobody, read by the checker: sticky and world-writable, like /tmp.
    LabProcesses.run(List.of("chmod", "1777", c.traceDir().toString())); // the sticky bit has no PosixFilePermission
    try (InputStream in = LocalCluster.class.getResourceAsStream("demo-resource.sh")) {
      Files.copy(in, dir.resolve("demo-resource.sh"), StandardCopyOption.REPLACE_EXISTING);
    }
    Files.setPosixFilePermissions(dir.resolve("demo-resource.sh"), PosixFilePermissions.fromString("rw-r--r--"));
  }

  /** The HTTP API's tokens: an admin and a viewer token (0600 files), their SHA-256 hashes in api-tokens. */
  private static void makeApiTokens(LocalCluster c) throws IOException {
    StringBuilder sb = new StringBuilder("# NAME ROLE SHA256(token): the daemons' http.api_tokens_file\n");
    for (String role : List.of("admin", "viewer")) {
      String token = LabFiles.randomPassword();
      LabFiles.writeSecret(c.apiTokenFile(role), token);
      byte[] h;
      try {
        h = java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      sb.append(role).append(' ').append(role).append(' ').append(java.util.HexFormat.of().formatHex(h)).append('\n');
    }
    LabFiles.writeSecret(c.dir().resolve(LocalCluster.API_TOKENS), sb.toString().strip());
  }

  /**
   * The same library an operator runs by hand (palisade credentials ...): CA, node credentials, an admin. A
   * directory that held a cluster before keeps its authorities and credentials (lab down, then up again).
   */
  private static void makeCredentials(LocalCluster c) throws IOException {
    Path d = c.credentialsDir();
    if (!Files.exists(Credentials.caDir(d).resolve(Credentials.MEMBERS_CA + ".key"))) {
      Credentials.initCa(d, LocalCluster.CLUSTER);
    }
    for (String n : c.nodeNames()) {
      if (!Files.exists(Credentials.nodeDir(d, n).resolve(Credential.IDENTITY))) {
        // Its own address too: HTTPS clients (browser, Prometheus, the CLI) dial the node's web server by it.
        Credentials.issueNode(d, n, Credentials.NODE_DAYS_DEFAULT, List.of(c.layout().address(Layout.index(n))));
      }
    }
    if (c.layout().witness()
        && !Files.exists(Credentials.nodeDir(d, Layout.WITNESS).resolve(Credential.IDENTITY))) {
      Credentials.issueNode(d, Layout.WITNESS, Credentials.NODE_DAYS_DEFAULT,
          List.of(c.layout().address(c.layout().peers())));
    }
    if (!Files.exists(LocalCluster.adminCredentialDir(c.dir()).resolve(Credential.IDENTITY))) {
      Credentials.issueOperator(d, LocalCluster.ADMIN_OPERATOR, Credential.Role.ADMIN, Credentials.NODE_DAYS_DEFAULT);
    }
  }

  /** A demo resource: the script writes start, beat and stop lines with wall-clock times to the trace dir. */
  static ResourceConfig demoResource(LocalCluster c, String id, String node) {
    String cmd = "TRACE_DIR='" + c.traceDir() + "' exec bash '" + c.dir().resolve("demo-resource.sh") + "'";
    return new ResourceConfig(id, node, RequestState.STARTED, null, 0, 1, 1, List.of(), "process",
        new TreeMap<>(Map.of("command", cmd)));
  }

  /** Adds one demo resource per node (vm:101 on node1, ...) to /config, by compare-and-set. */
  static void addDemoResources(LocalCluster c, Admin admin, int count) throws Exception {
    admin.update(StorePaths.CONFIG, ClusterConfig.class, cfg -> {
      if (cfg == null) throw new IllegalStateException("/config is not written yet");
      ClusterConfig next = cfg;
      for (int k = 1; k <= count; k++) {
        next = next.withResource(c.demoResource("vm:" + (100 + k), Layout.name((k - 1) % c.layout().nodes() + 1)));
      }
      return next;
    });
  }
}
