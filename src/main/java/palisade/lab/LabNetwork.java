package palisade.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import palisade.runtime.watchdog.Cgroup;

/**
 * The local cluster's network faults: the fault proxy (in the JVM, or a process steered by DIR/isolated and
 * acknowledging in DIR/isolated.applied) or, once the cluster uses it, the iptables firewall.
 */
final class LabNetwork {
  private final LocalCluster c;
  private final Path dir;

  LabNetwork(LocalCluster c) {
    this.c = c;
    this.dir = c.dir();
  }

  /** Runs the fault proxy as a background process steered by DIR/isolated. */
  void startProxyProcess() throws IOException {
    Files.writeString(dir.resolve("isolated"), "");
    Process p = c.processes().launch(List.of("palisade.Main", "lab", "proxy", "--dir", dir.toString()), "96m",
        dir.resolve("proxy.log"));
    c.updateState(st -> st.setProperty("proxy.pid", Long.toString(p.pid())));
    waitApplied(Set.of());
  }

  /** Stops the proxy process, if this cluster started one and it still runs. */
  void stopProxyProcess() {
    String proxy = c.stateValue("proxy.pid", null);
    if (proxy != null) {
      ProcessHandle.of(Long.parseLong(proxy)).filter(h -> c.processes().commandMentions(h, "proxy")).ifPresent(h -> {
        h.destroyForcibly();
        LabProcesses.awaitExit(h);
      });
    }
  }

  void isolate(String node) throws IOException {
    c.requireMember(node);
    Set<String> s = isolatedNow();
    s.add(node);
    if (usesFirewall()) {
      firewall(true).isolate(node); // the rules outlive this Firewall object; heal() sweeps them by tag
      writeIsolated(s);
      return;
    }
    applyNet(s);
  }

  void heal() throws IOException {
    if (usesFirewall()) {
      firewall(false).sweep("cut:");
      writeIsolated(new TreeSet<>());
      return;
    }
    applyNet(new TreeSet<>());
  }

  void useFirewall() throws IOException {
    if (c.layout().witness()) throw new IllegalStateException("the lab's firewall does not cover a witness yet");
    firewall(true).start();
    c.updateState(st -> st.setProperty("firewall", "true"));
  }

  boolean usesFirewall() {
    return Boolean.parseBoolean(c.stateValue("firewall", "false"));
  }

  Firewall firewall(boolean createCgroups) throws IOException {
    // iptables resolves a cgroup path when a rule is added: the cgroups must exist first (the supervisor and
    // startPeer reuse an existing one). A node powered off and on gets a new cgroup the rules do not know.
    Path v2 = Cgroup.v2Root().orElseThrow(() -> new IOException("the firewall needs cgroup v2 (none mounted)"));
    Layout layout = c.layout();
    List<Firewall.Node> nodes = new ArrayList<>();
    Map<String, List<String>> via = new TreeMap<>();
    for (int i = 1; i <= layout.nodes(); i++) {
      String n = Layout.name(i);
      List<String> cgroups = new ArrayList<>(List.of(c.cgroupName(n)));
      if (c.peerProcesses() && i <= layout.peers()) cgroups.add(c.peerCgroupName(n));
      if (createCgroups) {
        for (String cg : cgroups) Files.createDirectories(Cgroup.named(v2, cg).dir());
      }
      nodes.add(new Firewall.Node(n, i, layout.address(i), cgroups));
      for (int j = 1; j <= layout.nodes(); j++) {
        if (i != j) via.put(n + ">" + Layout.name(j), List.of(layout.linkAddress(i, j)));
      }
    }
    Network net = c.attachedNetwork();
    return new Firewall(c.clusterId(), nodes, via, layout.basePort(), layout.electionPort(),
        net == null ? null : net::delay, Firewall.systemShell());
  }

  private void writeIsolated(Set<String> isolated) throws IOException {
    Files.writeString(dir.resolve("isolated.firewall"), String.join("\n", isolated) + "\n");
  }

  Set<String> isolatedNow() throws IOException {
    Network network = c.attachedNetwork();
    if (network != null) return new TreeSet<>(network.isolated());
    Path f = dir.resolve(usesFirewall() ? "isolated.firewall" : "isolated");
    TreeSet<String> s = new TreeSet<>();
    if (Files.exists(f)) Files.readAllLines(f).stream().map(String::trim).filter(x -> !x.isEmpty()).forEach(s::add);
    return s;
  }

  private void applyNet(Set<String> isolated) throws IOException {
    Network network = c.attachedNetwork();
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
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LocalCluster.PROCESS_WAIT_MS);
    while (System.nanoTime() < deadline) {
      if (Files.exists(f)) {
        TreeSet<String> s = new TreeSet<>();
        Files.readAllLines(f).stream().map(String::trim).filter(x -> !x.isEmpty()).forEach(s::add);
        if (s.equals(new TreeSet<>(isolated))) return;
      }
      LabProcesses.sleep(50);
    }
    throw new IOException("the fault proxy did not apply the change (see " + dir.resolve("proxy.log") + ")");
  }

  /** The proxy process's loop: applies DIR/isolated whenever it changes, acknowledges in DIR/isolated.applied. */
  static void serveProxy(Path dir) throws IOException {
    LocalCluster c = LocalCluster.open(dir);
    try (Network net = new Network(c.layout())) {
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
        LabProcesses.sleep(50);
      }
    }
  }
}
