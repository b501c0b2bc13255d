package palisade.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import palisade.runtime.watchdog.Cgroup;

/**
 * A local cluster node's power: on starts its watchdog supervisor (which starts its daemon), off kills the
 * supervisor, the daemon's process group and the node's cgroup, like a power loss.
 */
final class LabPower {
  /** In a node's directory: the daemon's class path as a JVM argument file (`-cp PATH`), when it is not the lab's. */
  static final String CLASS_PATH_FILE = "daemon-classpath.args";
  private final LocalCluster c;
  private final Path dir;
  private final LabProcesses processes;
  private final LabPeers peers;

  LabPower(LocalCluster c, LabProcesses processes, LabPeers peers) {
    this.c = c;
    this.dir = c.dir();
    this.processes = processes;
    this.peers = peers;
  }

  long on(String node) throws IOException {
    c.layout().requireNode(node);
    c.reload();
    if (supervisor(node).isPresent()) throw new IllegalStateException(node + " is already on");
    if (c.peerProcesses() && Layout.index(node) <= c.layout().peers() && peers.peer(node).isEmpty()) {
      peers.start(node);
    }
    Path nd = dir.resolve(node);
    // A node whose directory holds a class path file runs the daemon from it, read at each daemon start: rewriting it
    // and restarting the daemon upgrades the node as a package upgrade does (the rolling-upgrade test).
    Path cp = nd.resolve(CLASS_PATH_FILE);
    String heap = c.stateValue("daemon_heap", "192m");
    boolean quick = !Boolean.parseBoolean(c.stateValue("daemon_full_jvm", "false"));
    List<String> daemon = new ArrayList<>(processes.javaCommand(heap, Files.exists(cp) ? List.of("@" + cp)
        : List.of("-cp", LabProcesses.classPath()), quick));
    daemon.addAll(List.of("palisade.Main", "daemon", "--config", nd.resolve("node.yaml").toString()));
    if (LabLibvirt.enabled(dir)) daemon = LabLibvirt.bootCommand(dir, node, daemon); // its libvirtd boots first
    List<String> args = new ArrayList<>(List.of("palisade.runtime.watchdog.WatchdogSupervisor",
        "--socket", c.watchdogSocket(node).toString(), "--cgroup", c.cgroupName(node), "--restarts-max", "1000",
        "--restart-window-ms", "600000", "--restart-delay-ms", "500", "--stop-grace-ms", "2000",
        "--reboot-exit-code", Integer.toString(palisade.runtime.daemon.CleanShutdown.EXIT_REBOOT), "--"));
    args.addAll(daemon);
    Process p = processes.launch(args, "48m", nd.resolve("node.log"));
    c.updateState(s -> s.setProperty(node + ".pid", Long.toString(p.pid())));
    return p.pid();
  }

  void off(String node) throws IOException {
    c.layout().requireNode(node);
    c.reload();
    Optional<ProcessHandle> sup = supervisor(node);
    List<Long> groups = new ArrayList<>();
    sup.ifPresent(s -> s.children().forEach(ch -> groups.add(ch.pid())));
    daemonGroupFromFile(node).ifPresent(groups::add);
    sup.ifPresent(ProcessHandle::destroyForcibly);
    for (long g : new TreeSet<>(groups)) {
      processes.signalGroup(g, "KILL");
      // A group whose leader died already (daemon crashed, supervisor not yet fired) still holds resources.
      for (ProcessHandle m : processes.groupMembers(g)) m.destroyForcibly();
    }
    // What left the process group (setsid, double fork) is still in the node's cgroup.
    Optional<Path> v2 = Cgroup.v2Root();
    if (v2.isPresent()) {
      Cgroup cg = Cgroup.named(v2.get(), c.cgroupName(node));
      cg.kill();
      cg.remove();
    }
    sup.ifPresent(LabProcesses::awaitExit);
    for (long g : groups) ProcessHandle.of(g).ifPresent(LabProcesses::awaitExit);
    peers.stop(node); // the whole node loses power, its store peer too
    String killed = sup.map(h -> Long.toString(h.pid())).orElse(null);
    c.updateState(s -> {
      if (killed == null || killed.equals(s.getProperty(node + ".pid"))) s.remove(node + ".pid");
    });
  }

  /**
   * A clean host shutdown or reboot as systemd does it: the queued job (the file the node's daemon reads instead of
   * systemd's job list), then SIGTERM to the daemon. Its supervisor ends once the daemon exits disarmed after a
   * power-off, and boots the node again after a reboot (exit status {@code CleanShutdown.EXIT_REBOOT}).
   */
  void hostShutdown(String node, boolean reboot) throws IOException {
    c.layout().requireNode(node);
    long pid = c.daemonPid(node).orElseThrow(() -> new IllegalStateException(node + " has no daemon running"));
    Files.writeString(c.hostShutdownFile(node), reboot ? "reboot\n" : "poweroff\n");
    LabProcesses.run(List.of("kill", "-TERM", Long.toString(pid)));
  }

  /** The node's watchdog supervisor, if it runs (and is ours). */
  Optional<ProcessHandle> supervisor(String node) {
    String pid = c.stateValue(node + ".pid", null);
    if (pid == null) return Optional.empty();
    return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)
        .filter(h -> processes.commandMentions(h, "WatchdogSupervisor"));
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
}
