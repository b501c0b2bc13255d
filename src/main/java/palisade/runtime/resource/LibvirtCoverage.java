package palisade.runtime.resource;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import palisade.runtime.watchdog.Cgroup;

/**
 * Whether the process watchdog covers a libvirt hypervisor: its reset SIGKILLs the daemon's cgroup, so it takes a
 * libvirt VM down only when the libvirtd serving the URI, and the VM's QEMU, run inside that cgroup (or below it).
 * A system libvirtd on a real host does not (it runs in its own service and puts QEMU in machine.slice): there the
 * {@code linux} watchdog, which resets the whole machine, is the one that covers VMs.
 */
public final class LibvirtCoverage {
  private LibvirtCoverage() {}

  /**
   * The libvirtd pid file behind a URI, when it is a local daemon: {@code ?socket=RUNDIR/libvirt/libvirt-sock} gives
   * {@code RUNDIR/libvirt/libvirtd.pid}; {@code qemu:///system}, {@code /run/libvirt/libvirtd.pid}. Empty for a
   * remote URI or one whose daemon cannot be located.
   */
  static Optional<Path> pidFile(String uri) {
    URI u;
    try {
      u = new URI(uri);
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
    if (u.getHost() != null && !u.getHost().isEmpty()) return Optional.empty();
    String query = u.getRawQuery() == null ? "" : u.getRawQuery();
    for (String kv : query.split("&")) {
      if (kv.startsWith("socket=")) {
        Path sock = Path.of(java.net.URLDecoder.decode(kv.substring(7), java.nio.charset.StandardCharsets.UTF_8));
        return Optional.of(sock.resolveSibling("libvirtd.pid"));
      }
    }
    if ("/system".equals(u.getPath())) return Optional.of(Path.of("/run/libvirt/libvirtd.pid"));
    if ("/session".equals(u.getPath())) {
      String run = System.getenv("XDG_RUNTIME_DIR");
      if (run != null) return Optional.of(Path.of(run, "libvirt", "libvirtd.pid"));
    }
    return Optional.empty();
  }

  /**
   * Why the process watchdog of a daemon in cgroup {@code own} does not cover the hypervisor at {@code uri}; empty
   * when it does. libvirt's {@code test:} driver runs inside this process, so it is covered.
   */
  public static Optional<String> refusal(String uri, Optional<String> own) {
    if (uri.startsWith("test:")) return Optional.empty();
    if (own.isEmpty()) {
      return Optional.of("this daemon runs in no cgroup v2 the process watchdog could kill");
    }
    Optional<Path> pidFile = pidFile(uri);
    if (pidFile.isEmpty()) {
      return Optional.of("the libvirtd behind " + uri + " is not a local daemon whose pid file is known, so its "
          + "cgroup cannot be checked");
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile.get()).trim());
    } catch (IOException | NumberFormatException e) {
      return Optional.of("cannot read the libvirtd pid from " + pidFile.get() + " (" + e.getMessage() + ")");
    }
    return outside("libvirtd (pid " + pid + ")", pid, own.get());
  }

  /** Why the process pid (named what) is outside cgroup own, or empty when it is inside (or below). */
  static Optional<String> outside(String what, long pid, String own) {
    Optional<String> cg = Cgroup.of(pid);
    if (cg.isEmpty()) return Optional.of(what + " is not running or has no cgroup v2");
    String c = cg.get();
    if (c.equals(own) || c.startsWith(own.endsWith("/") ? own : own + "/")) return Optional.empty();
    return Optional.of(what + " runs in cgroup " + c + ", outside this daemon's " + own
        + ", so the watchdog's reset would not kill it");
  }

  /**
   * The QEMU of a running domain, when its pid file sits next to the libvirtd's (session daemons keep them in
   * RUNDIR/libvirt/qemu/run/NAME.pid, the system daemon in /run/libvirt/qemu/NAME.pid): empty when covered or when
   * there is no such file to check.
   */
  public static Optional<String> qemuRefusal(String uri, String domain, Optional<String> own) {
    if (uri.startsWith("test:") || own.isEmpty()) return Optional.empty();
    Optional<Path> pidFile = pidFile(uri);
    if (pidFile.isEmpty()) return Optional.empty();
    Path dir = pidFile.get().getParent().resolve("qemu");
    for (Path p : new Path[] {dir.resolve("run").resolve(domain + ".pid"), dir.resolve(domain + ".pid")}) {
      try {
        long pid = Long.parseLong(Files.readString(p).trim());
        return outside("the QEMU of domain " + domain + " (pid " + pid + ")", pid, own.get());
      } catch (IOException | NumberFormatException e) {
        // not this layout
      }
    }
    return Optional.empty();
  }
}
