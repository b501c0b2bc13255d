package palisade.sim.check;

import palisade.core.Manager;
import palisade.core.ManagerLease;
import palisade.core.NodeRecord;
import palisade.core.Timing;
import palisade.sim.SimNode;
import palisade.sim.SimWorld;
import palisade.sim.Violation;
import palisade.sim.WorldObserver;

/**
 * The safety inequality at every instant (DESIGN "Changing timings live"), from physical truth: after every event,
 * the L of every active manager covers what every powered machine's armed watchdog device really counts, with the
 * R and X its agent runs under. A live timing change must keep it in every order of its steps; without a change it
 * holds by the validated configuration.
 */
public final class TimingInequality implements WorldObserver {
  private final SimWorld world;

  TimingInequality(SimWorld world) {
    this.world = world;
  }

  @Override
  public void afterEvent() {
    ManagerLease lease = world.managerLease();
    if (lease == null) return;
    for (SimNode m : world.nodes().values()) {
      Manager manager = m.powered() ? m.manager() : null;
      // Only the manager of the store's current epoch can write a fence: a deposed one that has not noticed yet
      // fails every compare-and-set, whatever it waits.
      if (manager == null || manager.role() != Manager.Role.ACTIVE || manager.epoch() != lease.epoch()) continue;
      Timing waits = manager.timing();
      for (SimNode n : world.nodes().values()) {
        long deviceMs = n.powered() && n.agent() != null ? n.deviceTimeoutMs() : 0;
        if (deviceMs == 0) continue;
        Timing runs = n.agent().claimedTiming();
        if (deviceMs == runs.watchdogMs() && NodeRecord.sameTerms(runs, waits)) continue; // validated together
        long needMs = Timing.minimumLeaseMs(runs.renewMs(), runs.ackMs(), deviceMs,
            Math.max(runs.driftPpm(), waits.driftPpm()));
        if (waits.leaseMs() < needMs) {
          throw new Violation(String.format("timing inequality violated at %d.%03ds: the manager on %s waits %dms, "
              + "but %s's watchdog counts %dms under R=%dms X=%dms: it needs %dms", world.now() / 1000,
              world.now() % 1000, m.node(), waits.leaseMs(), n.node(), deviceMs, runs.renewMs(), runs.ackMs(),
              needMs));
        }
      }
    }
  }
}
