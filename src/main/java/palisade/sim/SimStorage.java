package palisade.sim;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.Check;

/**
 * Shared storage that checks fencing tokens (DESIGN "Fencing tokens"): every disk, and the storage metadata the SPM
 * keeps, records the newest token it has accepted, and rejects a start (lease acquisition) or a write carrying an
 * older one. It remembers the last accepted writer of each disk and counts rejected writes per disk and node. The
 * event log hears of a change of accepted writer, and of the first rejection of an episode (per node and disk,
 * until the node writes that disk again or freezes anew), so a resumed node's writes every second stay readable.
 */
public final class SimStorage {
  /** The name under which the SPM's storage metadata is kept; no disk may be called so. */
  public static final String METADATA = "spm-metadata";
  /** The resource a metadata write is made for. */
  public static final String SPM_WRITER = "spm";

  /** Who holds a disk: the node and the newest token it has accepted. */
  record Lease(String node, long token) {}

  /** An accepted write: who made it, for which resource, under which token. */
  public record Writer(String node, String resource, long token) {}

  private final SimWorld world;
  private final List<WorldObserver> observers;
  private final TreeMap<String, Lease> disks = new TreeMap<>();
  private final TreeMap<String, Writer> lastWriter = new TreeMap<>();
  /** disk -> node -> writes rejected as stale. */
  private final TreeMap<String, TreeMap<String, Long>> rejected = new TreeMap<>();
  /** node -> disks whose rejection was logged in the current episode. */
  private final TreeMap<String, TreeSet<String>> rejectionLogged = new TreeMap<>();

  SimStorage(SimWorld world, List<WorldObserver> observers) {
    this.world = world;
    this.observers = observers;
  }

  /** Acquires every disk for node under token, or none if any disk has seen a newer token. */
  boolean acquire(List<String> names, String node, long token) {
    for (String d : names) {
      Lease l = disks.get(d);
      if (l != null && l.token() > token) return false;
    }
    for (String d : names) {
      Lease before = disks.get(d);
      Check.invariant(2, before == null || before.token() <= token, "storage accepted older token on %s", d);
      disks.put(d, new Lease(node, token));
    }
    return true;
  }

  /** A resource process's write to disk under token: accepted unless the disk has seen a newer token. */
  boolean write(String disk, String node, String resource, long token) {
    Lease l = disks.get(disk);
    boolean accepted = l == null || l.token() <= token;
    for (WorldObserver o : observers) o.onStorageWrite(disk, node, resource, token, accepted);
    if (!accepted) {
      rejected.computeIfAbsent(disk, k -> new TreeMap<>()).merge(node, 1L, Long::sum);
      if (rejectionLogged.computeIfAbsent(node, k -> new TreeSet<>()).add(disk)) {
        world.log("storage", disk + ": write from " + node + " (" + resource + ", token " + token
            + ") rejected: token " + l.token() + " of " + l.node() + " is newer");
      }
      return false;
    }
    Check.invariant(2, l == null || l.token() <= token, "storage accepted an older token on %s", disk);
    disks.put(disk, new Lease(node, token));
    Writer before = lastWriter.put(disk, new Writer(node, resource, token));
    rejectionLogged.getOrDefault(node, new TreeSet<>()).remove(disk);
    if (before == null || !before.node().equals(node) || !before.resource().equals(resource)) {
      world.log("storage", disk + ": written by " + node + " (" + resource + ", token " + token + ")");
    }
    return true;
  }

  /** The SPM's metadata write: accepted unless a newer SPM token wrote the metadata before. */
  boolean writeMetadata(String node, long token) {
    return write(METADATA, node, SPM_WRITER, token);
  }

  /** A node freezes: its next rejection of each disk starts a new episode in the log. */
  void newEpisode(String node) {
    rejectionLogged.remove(node);
  }

  Lease lease(String disk) {
    return disks.get(disk);
  }

  /** The last accepted writer of disk, or null if nobody ever wrote it. */
  public Writer lastWriter(String disk) {
    return lastWriter.get(disk);
  }

  /** node -> how many of its writes to disk were rejected as stale. */
  public SortedMap<String, Long> rejected(String disk) {
    return Collections.unmodifiableSortedMap(rejected.getOrDefault(disk, new TreeMap<>()));
  }
}
