package palisade.sim.check;

import java.util.TreeMap;
import palisade.core.Manager;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.ResourceConfig;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;
import palisade.core.Versioned;
import palisade.sim.SimNode;
import palisade.sim.SimStorage;
import palisade.sim.SimWorld;
import palisade.sim.Violation;
import palisade.sim.WorldObserver;

/**
 * The one overlap invariants 1 and 3 cannot exclude (DESIGN "Invariants"): a node frozen whole, its watchdog too,
 * for longer than L is fenced and its resources and SPM role move; when it resumes, its processes run again until
 * its agent sees the fence and kills them. A frozen node's processes execute nothing, so they do not count while it
 * is frozen; once resumed they count again. The overlap is allowed only for an instance that was there when its
 * node resumed, of a resource that lists disks, while another node runs it under a newer token, and only as long as
 * no other node runs it under a newer token that storage accepted a write of hers; the SPM likewise for metadata
 * writes. An accepted write while another holder has a newer token is a violation (of 2 for a disk, of 3 for the
 * metadata) on the spot. A start the agent ordered before the freeze lands on resume as one of these instances,
 * if its token was the newest when the node froze. The allowance ends at the agent's first record write after the
 * resume: it has stepped, seen its fence and killed them (the agent acknowledges a fence only once every operation
 * it started has answered), so any overlap left is a violation again.
 */
final class FreezeOverlap implements WorldObserver {
  private final SimWorld world;
  /** node -> resource -> token: the instances it had when it last resumed, with no write accepted since. */
  private final TreeMap<String, TreeMap<String, Long>> resumed = new TreeMap<>();
  /** node -> the SPM token it acted under when it last resumed, until its agent's next write. */
  private final TreeMap<String, Long> resumedSpm = new TreeMap<>();
  /** resource -> node -> the highest token the manager ever committed for running it there. */
  private final TreeMap<String, TreeMap<String, Long>> issued = new TreeMap<>();
  /** node -> resource -> the highest token committed for it on another node when node last froze. */
  private final TreeMap<String, TreeMap<String, Long>> elsewhereAtFreeze = new TreeMap<>();

  FreezeOverlap(SimWorld world) {
    this.world = world;
  }

  private void fail(String invariant, String facts) {
    throw new Violation(String.format("invariant %s violated at %d.%03ds: %s", invariant, world.now() / 1000,
        world.now() % 1000, facts));
  }

  @Override
  public void onFreeze(String node, boolean on) {
    resumed.remove(node);
    resumedSpm.remove(node);
    if (on) {
      TreeMap<String, Long> elsewhere = new TreeMap<>();
      issued.forEach((id, on2) -> on2.forEach((n, t) -> {
        if (!n.equals(node)) elsewhere.merge(id, t, Math::max);
      }));
      elsewhereAtFreeze.put(node, elsewhere);
      return;
    }
    TreeMap<String, Long> had = new TreeMap<>();
    for (String id : world.runningOn(node)) had.put(id, world.whereRunning(id).get(node));
    resumed.put(node, had);
    long spm = world.node(node).spmToken();
    if (spm != 0) resumedSpm.put(node, spm);
  }

  @Override
  public void onHeldStart(String id, String node, long token) {
    TreeMap<String, Long> elsewhere = elsewhereAtFreeze.get(node);
    TreeMap<String, Long> had = resumed.get(node);
    if (elsewhere != null && had != null && token >= elsewhere.getOrDefault(id, 0L)) had.put(id, token);
  }

  @Override
  public void onWrite(String path, Versioned<Object> before, Object after) {
    if (path.equals(StorePaths.MANAGER_STATE) && after instanceof ManagerState ms) {
      for (var e : ms.services().entrySet()) {
        ServiceStatus ss = e.getValue();
        String runsOn = switch (ss.state()) {
          case STARTED -> ss.node();
          case MIGRATE -> ss.target();
          default -> null;
        };
        if (runsOn != null) issued.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).merge(runsOn, ss.token(), Math::max);
      }
    } else if (after instanceof NodeRecord rec && path.startsWith(StorePaths.NODES + "/")) {
      NodeRecord old = before == null ? null : (NodeRecord) before.value();
      if (old == null || rec.counter() != old.counter()) { // an agent's write: it has stepped since it resumed
        resumed.remove(rec.node());
        resumedSpm.remove(rec.node());
      }
    }
  }

  @Override
  public void onStorageWrite(String disk, String node, String resource, long token, boolean accepted) {
    if (!accepted) return;
    if (disk.equals(SimStorage.METADATA)) {
      for (SimNode other : world.nodes().values()) {
        if (!other.node().equals(node) && other.spmToken() > token) {
          fail("3 (one SPM)", "storage accepted a metadata write from " + node + " under token " + token + " while "
              + other.node() + " acts as SPM under token " + other.spmToken());
        }
      }
      return;
    }
    for (var e : world.whereRunning(resource).entrySet()) {
      if (!e.getKey().equals(node) && e.getValue() > token) {
        fail("2 (newest token)", "storage accepted a write to " + disk + " from " + node + " (" + resource
            + ", token " + token + ") while " + e.getKey() + " runs it under token " + e.getValue());
      }
    }
  }

  /**
   * Whether id's instance on node under token may run beside one under newest: it was there when node resumed from
   * a freeze (or a held start landed it), id lists disks, and node's agent has not written since.
   */
  boolean allowed(String id, String node, long token, long newest) {
    return token < newest && resumedInstance(id, node, token);
  }

  private boolean resumedInstance(String id, String node, long token) {
    TreeMap<String, Long> had = resumed.get(node);
    ResourceConfig rc = world.config().resources().get(id);
    return had != null && Long.valueOf(token).equals(had.get(id)) && rc != null && !rc.disks().isEmpty();
  }

  /** Whether a start of id on node under token is a held start that was the newest when node froze (invariant 2). */
  boolean heldStart(String id, String node, long token) {
    return resumedInstance(id, node, token);
  }

  /**
   * Whether node's instance of id is a resumed one whose node was frozen within the last L (any active manager's):
   * its watchdog did not see that time pass, so a fence by its lease may find it running (invariant 4).
   */
  boolean frozenCover(String id, String node) {
    Long token = world.whereRunning(id).get(node);
    return token != null && frozenWithinL(node) && resumedInstance(id, node, token);
  }

  /** As {@link #frozenCover}, for node acting as SPM under token since it resumed (invariant 3's hand-over). */
  boolean spmFrozenCover(String node, long token) {
    return frozenWithinL(node) && Long.valueOf(token).equals(resumedSpm.get(node));
  }

  private boolean frozenWithinL(String node) {
    SimNode n = world.node(node);
    long leaseMs = 0;
    for (SimNode m : world.nodes().values()) {
      Manager man = m.powered() ? m.manager() : null;
      if (man != null) leaseMs = Math.max(leaseMs, man.timing().leaseMs());
    }
    return n != null && n.lastFrozenMs() >= world.now() - leaseMs;
  }

  /** Whether node acting as SPM under token may overlap one under newest: as {@link #allowed}, for metadata. */
  boolean spmAllowed(String node, long token, long newest) {
    return token < newest && Long.valueOf(token).equals(resumedSpm.get(node));
  }
}
