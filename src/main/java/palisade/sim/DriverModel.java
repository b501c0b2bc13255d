package palisade.sim;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.Capacity;

/**
 * The simulated drivers' behaviour beyond success: injected failures, transient or not, and what each resource is
 * measured using. A count of -1 fails always; N fails the next N attempts on that node, then the driver works.
 * Migration failures keyed by {@link #ANY} fail on every target.
 */
public final class DriverModel {
  /** A migration failure that holds for every target node. */
  public static final String ANY = "*";

  /** resource -> node -> failures left (-1: always). */
  private final TreeMap<String, TreeMap<String, Integer>> failStart = new TreeMap<>();
  private final TreeMap<String, TreeMap<String, Integer>> failMigrate = new TreeMap<>();
  private final TreeMap<String, TreeSet<String>> failStop = new TreeMap<>();
  private final TreeMap<String, Capacity> measured = new TreeMap<>();

  public void failStart(String id, String node, int times) {
    failStart.computeIfAbsent(id, k -> new TreeMap<>()).put(node, times);
  }

  /** target: a node, or {@link #ANY}. */
  public void failMigrate(String id, String target, int times) {
    failMigrate.computeIfAbsent(id, k -> new TreeMap<>()).put(target, times);
  }

  public void failStop(String id, String node) {
    failStop.computeIfAbsent(id, k -> new TreeSet<>()).add(node);
  }

  public void measure(String id, Capacity used) {
    measured.put(id, used);
  }

  /** What every resource measured so far uses: the agents' reports, as crs=dynamic reads them. */
  public SortedMap<String, Capacity> measured() {
    return Collections.unmodifiableSortedMap(measured);
  }

  /** Does this start attempt fail? Counts one attempt against a transient failure. */
  boolean startFails(String id, String node) {
    return takes(failStart.get(id), node);
  }

  boolean migrationFails(String id, String target) {
    TreeMap<String, Integer> f = failMigrate.get(id);
    return takes(f, target) || takes(f, ANY);
  }

  boolean stopFails(String id, String node) {
    TreeSet<String> f = failStop.get(id);
    return f != null && f.contains(node);
  }

  private static boolean takes(TreeMap<String, Integer> failures, String key) {
    if (failures == null) return false;
    Integer left = failures.get(key);
    if (left == null || left == 0) return false;
    if (left > 0) failures.put(key, left - 1);
    return true;
  }
}
