package palisade.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import palisade.runtime.watchdog.Cgroup;

/**
 * Freezes every process of a lab node, as a paused hypervisor host would: its cgroup (daemon, resources, whatever
 * left their process group) through cgroup.freeze, all at once, and its watchdog supervisor, which lives outside that
 * cgroup, by SIGSTOP. {@link #resume} undoes both and may be called any number of times.
 */
final class NodeFreeze {
  private final Path cgroup;
  private final long supervisor;
  private boolean frozen;

  private NodeFreeze(Path cgroup, long supervisor) {
    this.cgroup = cgroup;
    this.supervisor = supervisor;
  }

  static NodeFreeze of(LocalCluster cluster, String node) {
    Path root = Cgroup.v2Root().orElseThrow(() -> new IllegalStateException("no cgroup v2 hierarchy to freeze in"));
    Path dir = Cgroup.named(root, cluster.cgroupName(node)).dir();
    if (!Files.isWritable(dir.resolve("cgroup.freeze"))) {
      throw new IllegalStateException(dir + " has no writable cgroup.freeze");
    }
    long sup = cluster.supervisorPid(node).orElseThrow(() -> new IllegalStateException(node + " is off"));
    return new NodeFreeze(dir, sup);
  }

  /** The pids in the node's cgroup and below. */
  static List<Long> cgroupProcs(LocalCluster cluster, String node) {
    return Cgroup.named(Cgroup.v2Root().orElseThrow(), cluster.cgroupName(node)).procs();
  }

  /** Freezes; returns the wall clock once every process of the node is stopped. */
  long freeze() throws IOException, InterruptedException {
    frozen = true;
    Files.writeString(cgroup.resolve("cgroup.freeze"), "1");
    LabProcesses.stopOrContinue(supervisor, true);
    for (int i = 0; i < 200 && !Files.readString(cgroup.resolve("cgroup.events")).contains("frozen 1"); i++) {
      Thread.sleep(5);
    }
    if (!Files.readString(cgroup.resolve("cgroup.events")).contains("frozen 1")) {
      throw new IllegalStateException(cgroup + " did not freeze within 1 s");
    }
    return System.currentTimeMillis();
  }

  /**
   * Freezes at a moment when none of the given processes holds a lock on a file under {@code dir}, and returns the
   * wall clock once frozen. A process frozen inside the shared-dir storage's lock would keep every other writer of
   * that disk waiting until it resumes (the storage says so of itself); real shared storage has no such lock, so the
   * test must not measure it. When a freeze catches one of them holding a lock, the node is thawed and frozen again
   * a moment later.
   */
  long freezeOutsideLocks(Collection<Long> pids, Path dir) throws IOException, InterruptedException {
    for (int attempt = 0; attempt < 50; attempt++) {
      long at = freeze();
      Set<Long> holding = lockHolders(dir);
      holding.retainAll(pids);
      if (holding.isEmpty()) return at;
      System.out.println("freeze " + (attempt + 1) + " caught " + holding + " holding a storage lock: thawed");
      resume();
      Thread.sleep(37); // out of step with the writers' 200 ms period
    }
    throw new IllegalStateException(cgroup + ": every freeze of 50 caught a writer holding a storage lock");
  }

  /** The pids holding (not waiting for) a lock on a file under dir, from /proc/locks (matched by inode). */
  static Set<Long> lockHolders(Path dir) throws IOException {
    Set<String> inodes = new TreeSet<>();
    try (var files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f)) inodes.add(String.valueOf(Files.getAttribute(f, "unix:ino")));
      }
    }
    Set<Long> out = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
      String[] f = line.trim().split("\\s+");
      // "N: POSIX ADVISORY WRITE PID MAJ:MIN:INODE START END"; "N: -> POSIX ..." is a waiter, not a holder
      if (f.length < 6 || line.contains("->") || !f[4].matches("\\d+")) continue;
      if (inodes.contains(f[5].substring(f[5].lastIndexOf(':') + 1))) out.add(Long.parseLong(f[4]));
    }
    return out;
  }

  /** Thaws the cgroup, then SIGCONT to the supervisor (both at once, as far as a host can tell); the wall clock. */
  long resume() throws IOException {
    if (!frozen) return System.currentTimeMillis();
    frozen = false;
    if (Files.exists(cgroup.resolve("cgroup.freeze"))) Files.writeString(cgroup.resolve("cgroup.freeze"), "0");
    if (ProcessHandle.of(supervisor).isPresent()) LabProcesses.stopOrContinue(supervisor, false);
    return System.currentTimeMillis();
  }
}
