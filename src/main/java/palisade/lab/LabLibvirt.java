package palisade.lab;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One real libvirt hypervisor per lab node: a session libvirtd (QEMU driver) of its own unprivileged user
 * ({@code palisade-labN}, created if missing), with its runtime and home directories under
 * {@code <cluster dir>/lv/<node>/}, listening only on its Unix socket, and started inside the node's cgroup just
 * before the node's daemon (see {@link #bootCommand}), so that the node's power-off and its watchdog's reset kill it
 * together with its QEMU guests, as a real host's would die, and the reset's restart starts it again. Root (the
 * node daemon) reaches it at {@link #uri}. A session daemon accepts only its own user and root, so two of them
 * cannot dial each other: the lab runs client-driven migrations only.
 */
public final class LabLibvirt {
  static final String MARKER = "enabled";
  static final long READY_WAIT_MS = 60_000;

  private LabLibvirt() {}

  static Path root(Path clusterDir) {
    return clusterDir.resolve("lv");
  }

  public static boolean enabled(Path clusterDir) {
    return Files.exists(root(clusterDir).resolve(MARKER));
  }

  /** The node's unprivileged user. */
  public static String user(String node) {
    return "palisade-lab" + Layout.index(node);
  }

  /** XDG_RUNTIME_DIR of the node's libvirtd: its socket is {@code run/libvirt/libvirt-sock}. */
  public static Path runDir(Path clusterDir, String node) {
    return root(clusterDir).resolve(node).resolve("run");
  }

  public static String uri(Path clusterDir, String node) {
    return "qemu+unix:///session?socket=" + runDir(clusterDir, node).resolve("libvirt").resolve("libvirt-sock");
  }

  /** The pid file libvirtd writes (and the process watchdog's coverage check reads). */
  public static Path pidFile(Path clusterDir, String node) {
    return runDir(clusterDir, node).resolve("libvirt").resolve("libvirtd.pid");
  }

  /** The pid files of the node's running QEMU guests. */
  public static List<Path> qemuPidFiles(Path clusterDir, String node) throws IOException {
    Path d = runDir(clusterDir, node).resolve("libvirt").resolve("qemu").resolve("run");
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(d)) return out;
    try (var s = Files.list(d)) {
      s.filter(p -> p.getFileName().toString().endsWith(".pid")).sorted().forEach(out::add);
    }
    return out;
  }

  /**
   * Gives every node of a new (not yet powered) cluster its libvirtd: users, directories, and
   * {@code nodes[].libvirt_uri} in every node's configuration. From now on a power-on starts the node's libvirtd.
   */
  public static void enable(LocalCluster cluster) throws IOException {
    Path dir = cluster.dir();
    Path root = Files.createDirectories(root(dir));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String node : cluster.nodeNames()) {
      String user = user(node);
      ensureUser(user);
      Path nd = Files.createDirectories(root.resolve(node));
      Files.createDirectories(nd.resolve("home"));
      Files.createDirectories(nd.resolve("run"));
      run(List.of("chown", "-R", user + ":" + user, nd.toString()));
      run(List.of("chmod", "-R", "u+rwX,go-rwx", nd.toString()));
      for (String other : cluster.nodeNames()) {
        Path yaml = dir.resolve(other).resolve("node.yaml");
        String text = Files.readString(yaml);
        String entry = "  - name: " + node + "\n";
        if (!text.contains(entry)) throw new IllegalStateException(yaml + ": no entry for " + node);
        Files.writeString(yaml, text.replace(entry, entry + "    libvirt_uri: '" + uri(dir, node) + "'\n"));
      }
    }
    Files.writeString(root.resolve(MARKER), "libvirtd per node\n");
  }

  private static void ensureUser(String user) throws IOException {
    if (exitCode(List.of("id", "-u", user)) == 0) return;
    run(List.of("useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
        "--shell", "/usr/sbin/nologin", user));
  }

  /**
   * The node's "boot": its libvirtd, then its daemon. The watchdog supervisor runs this command inside the node's
   * cgroup (on power-on and again after every watchdog reset, like a host that reboots), so libvirtd and the QEMU
   * guests it starts live and die with the node: the power-off's and the reset's cgroup kill take them down. A
   * daemon restart (the supervisor's held restart runs this again) keeps the libvirtd that still runs.
   */
  public static List<String> bootCommand(Path clusterDir, String node, List<String> daemon) {
    Path nd = root(clusterDir).resolve(node);
    String user = user(node);
    // A daemon restart under the watchdog's hold runs this again: the libvirtd that still runs (with its guests) is
    // the host's, kept as is; only a boot (power-on, reset, reboot: the cgroup emptied) starts one.
    // (A killed libvirtd may linger as a zombie, orphaned: only a live one counts.)
    String script = "p=$(cat \"$5\" 2>/dev/null); if [ -n \"$p\" ] && [ \"$(cat /proc/$p/comm 2>/dev/null)\" = "
        + "libvirtd ] && grep -qs '^State:[[:space:]]*[RSD]' /proc/$p/status; then :; else rm -f \"$1\"; "
        + "setpriv --reuid=" + user + " --regid=" + user + " --init-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "
        + "XDG_RUNTIME_DIR=\"$2\" HOME=\"$3\" libvirtd --timeout 0 >>\"$4\" 2>&1 </dev/null & "
        + "echo $! > \"$5\"; fi; shift 5; exec \"$@\"";
    List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", script, "palisade-lab-boot",
        pidFile(clusterDir, node).toString(), nd.resolve("run").toString(), nd.resolve("home").toString(),
        clusterDir.resolve(node + "-libvirtd.log").toString(), nd.resolve("started.pid").toString()));
    argv.addAll(daemon);
    return argv;
  }

  /** Waits until the node's libvirtd (started by its boot) has opened its socket. */
  public static void awaitReady(Path clusterDir, String node) throws IOException {
    long deadline = System.nanoTime() + READY_WAIT_MS * 1_000_000;
    Path sock = runDir(clusterDir, node).resolve("libvirt").resolve("libvirt-sock");
    while (!(Files.exists(sock) && Files.exists(pidFile(clusterDir, node)) && libvirtd(clusterDir, node).isPresent())) {
      if (System.nanoTime() > deadline) {
        throw new IOException(node + ": libvirtd did not open " + sock + ", see "
            + clusterDir.resolve(node + "-libvirtd.log"));
      }
      pause(100);
    }
  }

  /** The node's libvirtd, if the one this lab started still runs. */
  public static Optional<ProcessHandle> libvirtd(Path clusterDir, String node) {
    try {
      long pid = Long.parseLong(Files.readString(root(clusterDir).resolve(node).resolve("started.pid")).trim());
      return ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith("libvirtd")).orElse(false));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** SIGKILL to the node's QEMU guests, libvirtd and virtlockd, by the pids they recorded (no-op when dead). */
  public static void stop(Path clusterDir, String node) throws IOException {
    for (Path f : qemuPidFiles(clusterDir, node)) {
      try {
        long pid = Long.parseLong(Files.readString(f).trim());
        ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.contains("qemu")).orElse(false))
            .ifPresent(LabLibvirt::kill);
      } catch (IOException | NumberFormatException e) {
        // gone meanwhile
      }
    }
    libvirtd(clusterDir, node).ifPresent(LabLibvirt::kill);
    LabLockd.virtlockd(clusterDir, node).ifPresent(LabLibvirt::kill); // spawned by libvirtd when lockd is on
  }

  /** Stops every node's libvirtd and guests (after the nodes' power-off, which normally killed them already). */
  public static void down(Path clusterDir, List<String> nodes) throws IOException {
    if (!enabled(clusterDir)) return;
    for (String n : nodes) stop(clusterDir, n);
  }

  private static void kill(ProcessHandle h) {
    h.destroyForcibly();
    try {
      h.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // reported by whoever finds it still running
    }
  }

  private static void pause(long ms) throws IOException {
    try {
      Thread.sleep(ms); // waiting for another process to get somewhere: no event to wait on
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static int exitCode(List<String> argv) throws IOException {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  static void run(List<String> argv) throws IOException {
    int rc = exitCode(argv);
    if (rc != 0) throw new IOException(String.join(" ", argv) + " failed with exit code " + rc);
  }
}
