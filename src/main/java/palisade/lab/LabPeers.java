package palisade.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;
import palisade.runtime.store.EmbeddedPeer;
import palisade.runtime.watchdog.Cgroup;

/** The local cluster's store peers run as processes of their own (peer processes only). */
final class LabPeers {
  private final LocalCluster c;
  private final Path dir;

  LabPeers(LocalCluster c) {
    this.c = c;
    this.dir = c.dir();
  }

  /** State property: every node dials every other at its own address (no fault-proxy links), see createDirect. */
  static final String DIRECT = "direct_store";

  /**
   * A lab whose store can be reconfigured live (`palisade store peer add|remove`): {@code nodes} nodes, the first
   * {@code peers} of them voting peers, every other node a standby peer ({@code store.peer: yes}). Every node dials
   * the others at their own addresses, not through fault-proxy links: ZooKeeper's dynamic reconfiguration gives every
   * peer the same membership, addresses included, which per-node link addresses would contradict (the links' lab
   * runs with {@code store.reconfig: no}). Network faults by links therefore do not reach this lab's store.
   */
  static LocalCluster createDirect(Path dir, int nodes, int peers, java.util.Map<String, String> timing)
      throws IOException {
    return LabSetup.create(dir, nodes, new LocalCluster.Options(timing, peers, false, java.util.Set.of(),
        java.util.Map.of()), false, java.util.Map.of(DIRECT, "true"));
  }

  /** Whether the lab's nodes dial each other directly (createDirect). */
  static boolean direct(LocalCluster c) {
    return Boolean.parseBoolean(c.stateValue(DIRECT, "false"));
  }

  /** The store section's lines after {@code peers} for node i: standby peer, or reconfiguration off (links). */
  static String reconfigEntry(LocalCluster c, int i) {
    // Each node names the others by its own link addresses, which one shared membership cannot express.
    if (!direct(c)) return "  reconfig: no\n";
    return i > c.layout().peers() ? "  peer: yes\n" : "";
  }

  /**
   * Starts the node's store peer in a cgroup of its own (so that the firewall knows its packets as the node's),
   * not in its daemon's: a watchdog reset of the daemon leaves the peer running, as an external ensemble member on
   * the same host would; a power-off kills both.
   */
  void start(String node) throws IOException {
    Path root = Cgroup.v2Root().orElseThrow(() -> new IOException("peer processes need cgroup v2 (none mounted)"));
    Cgroup cg = Cgroup.named(root, c.peerCgroupName(node));
    Files.createDirectories(cg.dir());
    cg.kill(); // a predecessor's leftovers
    Path log = dir.resolve(node).resolve("peer.log");
    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "echo $$ > \"$1\" || exit 97; shift; exec \"$@\"",
        "palisade-cgroup-enter", cg.dir().resolve("cgroup.procs").toString()));
    argv.addAll(c.processes().javaCommand("128m"));
    argv.addAll(List.of("palisade.Main", "lab", "peer", "--dir", dir.toString(), "--node", node));
    Process p = c.processes().launchArgv(argv, log);
    c.updateState(st -> st.setProperty(node + ".peer.pid", Long.toString(p.pid())));
  }

  void stop(String node) throws IOException {
    if (!c.peerProcesses()) return;
    Optional<ProcessHandle> h = peer(node);
    if (h.isPresent()) {
      h.get().destroyForcibly(); // SIGKILL ends a stopped process too
    }
    Optional<Path> v2 = Cgroup.v2Root();
    if (v2.isPresent()) {
      Cgroup cg = Cgroup.named(v2.get(), c.peerCgroupName(node));
      cg.kill();
      cg.remove();
    }
    h.ifPresent(LabProcesses::awaitExit);
    c.updateState(st -> st.remove(node + ".peer.pid"));
  }

  /** The node's store peer process, if it runs (and is ours). */
  Optional<ProcessHandle> peer(String node) {
    String pid = c.stateValue(node + ".peer.pid", null);
    if (pid == null) return Optional.empty();
    return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
        .filter(h -> c.processes().commandMentions(h, "lab peer"));
  }

  /** The store peer process's main: node's ZooKeeper peer among the cluster's, dialling through its links. */
  static void serve(Path dir, String node) throws Exception {
    LocalCluster c = LocalCluster.open(dir);
    c.layout().requireNode(node);
    Layout layout = c.layout();
    int i = Layout.index(node);
    if (!c.peerProcesses() || i > layout.peers()) throw new IllegalStateException(node + " runs no peer process");
    List<EmbeddedPeer.Member> members = new ArrayList<>();
    for (int j = 1; j <= layout.peers(); j++) {
      members.add(new EmbeddedPeer.Member(j, layout.dialAddress(i, j), layout.clientPort(), layout.peerPort(),
          layout.electionPort()));
    }
    Path base = dir.resolve(node).resolve("peer");
    Credential credential = Credential.load(Credentials.nodeDir(c.credentialsDir(), node));
    // A peer that hits a fatal error ends its process, so the test sees a dead peer rather than a silent one.
    try (EmbeddedPeer peer = EmbeddedPeer.start(base, i, members, credential,
        code -> Runtime.getRuntime().halt(code == 0 ? 72 : code))) {
      System.out.println("store peer " + i + " of " + node + " on " + layout.address(i) + ":" + layout.clientPort());
      System.out.flush();
      Thread.currentThread().join();
    }
  }
}
