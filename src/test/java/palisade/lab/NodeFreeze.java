package palisade.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  /** Thaws the cgroup, then SIGCONT to the supervisor (both at once, as far as a host can tell); the wall clock. */
  long resume() throws IOException {
    if (!frozen) return System.currentTimeMillis();
    frozen = false;
    if (Files.exists(cgroup.resolve("cgroup.freeze"))) Files.writeString(cgroup.resolve("cgroup.freeze"), "0");
    if (ProcessHandle.of(supervisor).isPresent()) LabProcesses.stopOrContinue(supervisor, false);
    return System.currentTimeMillis();
  }
}
