package palisade.sim;

import java.util.List;
import java.util.TreeMap;
import palisade.core.Check;

/**
 * Shared storage with token-checked disk leases (DESIGN "Fencing tokens"): a disk records its owner and the newest
 * token it accepted, and rejects a start carrying an older one.
 */
final class SimStorage {
  record Lease(String node, long token) {}

  private final TreeMap<String, Lease> disks = new TreeMap<>();

  /** Acquires every disk for node under token, or none if any disk has seen a newer token. */
  boolean acquire(List<String> names, String node, long token) {
    for (String d : names) {
      Lease l = disks.get(d);
      if (l != null && l.token() > token) return false;
    }
    for (String d : names) {
      Lease before = disks.get(d);
      Check.that(before == null || before.token() <= token, "storage accepted older token on %s", d);
      disks.put(d, new Lease(node, token));
    }
    return true;
  }

  Lease lease(String disk) {
    return disks.get(disk);
  }
}
