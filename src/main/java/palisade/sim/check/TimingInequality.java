package palisade.sim.check;

import palisade.core.Manager;
import palisade.core.ManagerLease;
import palisade.core.NodeRecord;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.core.Versioned;
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
        long waitMs = waitFor(n, waits);
        if (waitMs < needMs) {
          throw new Violation(String.format("timing inequality violated at %d.%03ds: the manager on %s waits %dms "
              + "for %s, whose watchdog counts %dms under R=%dms X=%dms: it needs %dms", world.now() / 1000,
              world.now() % 1000, m.node(), waitMs, n.node(), deviceMs, runs.renewMs(), runs.ackMs(), needMs));
        }
      }
    }
  }

  /**
   * What a manager waiting by L waits for n (DESIGN "Changing timings live", NodeTimer): L, or longer for a record
   * that claims other timings, as long as that claim needs (the fence names that very version); nothing bounds a
   * fenced record, as no manager fences it again: its rejoin writes a record with its claim. A node frozen whole
   * can hold a fenced record with its device still counting an older W (its watchdog did not see the frozen time
   * pass), so a lowered L does not cover it, but what the manager waits for it does once it rejoins.
   */
  private long waitFor(SimNode n, Timing waits) {
    Versioned<Object> v = world.store().get(StorePaths.node(n.node()));
    if (v == null || !(v.value() instanceof NodeRecord r)) return waits.leaseMs();
    if (r.fenced()) return Long.MAX_VALUE;
    Timing claim = r.timing();
    if (claim == null || NodeRecord.sameTerms(claim, waits)) return waits.leaseMs();
    return Math.max(waits.leaseMs(), Timing.minimumLeaseMs(claim.renewMs(), claim.ackMs(), claim.watchdogMs(),
        Math.max(claim.driftPpm(), waits.driftPpm())));
  }
}
