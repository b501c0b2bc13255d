package palisade.sim.check;

import java.util.TreeMap;
import palisade.core.ResourceConfig;
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
 * storage has accepted none of its writes; the SPM likewise for metadata writes. An accepted write while another
 * holder has a newer token is a violation (of 2 for a disk, of 3 for the metadata) on the spot.
 */
final class FreezeOverlap implements WorldObserver {
  private final SimWorld world;
  /** node -> resource -> token: the instances it had when it last resumed, with no write accepted since. */
  private final TreeMap<String, TreeMap<String, Long>> resumed = new TreeMap<>();
  /** node -> the SPM token it acted under when it last resumed, with no metadata write accepted since. */
  private final TreeMap<String, Long> resumedSpm = new TreeMap<>();

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
    if (on) return;
    TreeMap<String, Long> had = new TreeMap<>();
    for (String id : world.runningOn(node)) had.put(id, world.whereRunning(id).get(node));
    resumed.put(node, had);
    long spm = world.node(node).spmToken();
    if (spm != 0) resumedSpm.put(node, spm);
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
      resumedSpm.remove(node);
      return;
    }
    for (var e : world.whereRunning(resource).entrySet()) {
      if (!e.getKey().equals(node) && e.getValue() > token) {
        fail("2 (newest token)", "storage accepted a write to " + disk + " from " + node + " (" + resource
            + ", token " + token + ") while " + e.getKey() + " runs it under token " + e.getValue());
      }
    }
    TreeMap<String, Long> had = resumed.get(node);
    if (had != null) had.remove(resource);
  }

  /**
   * Whether id's instance on node under token may run beside one under newest: it was there when node resumed from
   * a freeze, id lists disks, and storage has accepted none of its writes since.
   */
  boolean allowed(String id, String node, long token, long newest) {
    TreeMap<String, Long> had = resumed.get(node);
    ResourceConfig rc = world.config().resources().get(id);
    return token < newest && had != null && Long.valueOf(token).equals(had.get(id)) && rc != null
        && !rc.disks().isEmpty();
  }

  /** Whether node acting as SPM under token may overlap one under newest: as {@link #allowed}, for metadata. */
  boolean spmAllowed(String node, long token, long newest) {
    return token < newest && Long.valueOf(token).equals(resumedSpm.get(node));
  }
}
