package palisade.sim.check;

import palisade.core.ManagerState;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.sim.SimWorld;

/** DESIGN invariant 5, liveness: checked once the faults of a history healed (`expect ... converged`). */
final class Liveness {
  private Liveness() {}

  /**
   * Invariant 5, after faults healed: every resource that should run is running once, on its assigned node, and
   * one node acts as SPM when any may. Returns null when it holds, else the facts.
   */
  static String check(SimWorld world) {
    ManagerState ms = world.managerState();
    if (ms == null) return "no manager state was ever written";
    for (ResourceConfig rc : world.config().resources().values()) {
      if (rc.state() != RequestState.STARTED) continue;
      ServiceStatus ss = ms.services().get(rc.id());
      if (ss == null) return rc.id() + " has no status";
      if (ss.state() == ServiceState.ERROR) continue; // an operator's problem by definition, reported as such
      if (waitsForDisk(ms, rc)) continue; // another resource holds a disk it lists: it waits by design
      if (ss.state() != ServiceState.STARTED) return rc.id() + " is " + ss.state().label() + ", not started";
      if (!world.whereRunning(rc.id()).containsKey(ss.node())) {
        return rc.id() + " is started on " + ss.node() + " but not running there";
      }
    }
    boolean candidates = world.config().nodes().values().stream().anyMatch(nc -> nc.spmPriority() >= 0);
    long acting = world.nodes().values().stream().filter(n -> n.spmToken() != 0).count();
    if (candidates && acting != 1) {
      return acting + " nodes act as SPM, expected one (manager names " + ms.spm() + ")";
    }
    return null;
  }

  /** Does another resource hold the lease of a disk rc lists (the manager's state)? */
  private static boolean waitsForDisk(ManagerState ms, ResourceConfig rc) {
    for (String d : rc.disks()) {
      if (ms.disks().get(d) != null && !ms.disks().get(d).resource().equals(rc.id())) return true;
    }
    return false;
  }
}
