package palisade.runtime.watchdog;

import java.io.IOException;
import java.nio.file.Path;

/** The supervisor's cgroup: made (a predecessor's emptied) before the first child, removed at the end. */
final class SupervisorCgroup {
  private static final String REFUSAL = "the watchdog could reset only the agent's process group, which a resource "
      + "leaves by calling setsid; refusing to start (--process-group-only accepts that)";

  private SupervisorCgroup() {}

  /** The cgroup v2 mount; without one the supervisor refuses to start. */
  static Path root() throws IOException {
    return Cgroup.v2Root().orElseThrow(() -> new IOException("cgroup v2 is not mounted (no cgroup2 line in "
        + "/proc/mounts): " + REFUSAL));
  }

  /** The child's cgroup under root, emptied of an earlier run; null with --process-group-only (warned). */
  static Cgroup prepare(SupervisorConfig config, Path root) throws IOException {
    if (config.processGroupOnly()) {
      WatchdogSupervisor.log("WARNING: no cgroup (--process-group-only): a process of the agent that calls setsid "
          + "or double-forks leaves the process group and survives a watchdog reset");
      return null;
    }
    Cgroup cg = Cgroup.named(root, config.cgroup());
    try {
      cg.create();
    } catch (IOException e) {
      throw new IOException(e.getMessage() + "; " + REFUSAL);
    }
    int stale = cg.kill();
    if (stale > 0) {
      WatchdogSupervisor.log("cgroup " + cg + " still held " + stale + " processes of an earlier run: killed");
    }
    WatchdogSupervisor.log("cgroup " + cg);
    return cg;
  }

  /** Kills what is left in it and removes it; null: nothing to do. */
  static void remove(Cgroup cgroup) {
    if (cgroup == null) return;
    try {
      cgroup.kill();
    } catch (IOException e) {
      WatchdogSupervisor.log(e.getMessage());
    }
    if (!cgroup.remove()) WatchdogSupervisor.log("cannot remove cgroup " + cgroup);
  }
}
