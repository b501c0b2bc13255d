package palisade.sim;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.LocalResources.DriverResult;

/**
 * The simulator's physical truth about resources: where each one runs and under which token, the shared storage
 * whose disk leases refuse older tokens, and the injected driver faults (starts that fail on some nodes, resources
 * that cannot live-migrate). Observers see every start before it takes effect.
 */
final class PhysicalResources {
  private final SimWorld world;
  private final List<WorldObserver> observers;
  final SimStorage storage;
  /** resource -> node -> token it runs under. */
  private final TreeMap<String, TreeMap<String, Long>> running = new TreeMap<>();
  /** resource -> the disks its running instances write (as listed when each started). */
  private final TreeMap<String, List<String>> disksOf = new TreeMap<>();
  /** Injected driver failures and measured usage. */
  final DriverModel model = new DriverModel();

  PhysicalResources(SimWorld world, List<WorldObserver> observers) {
    this.world = world;
    this.observers = observers;
    this.storage = new SimStorage(world, observers);
  }

  /** failStarts: resource -> nodes where its start fails; noMigration: resources that cannot live-migrate. */
  void faults(TreeMap<String, TreeSet<String>> failStarts, TreeSet<String> noMigration) {
    failStarts.forEach((id, nodes) -> nodes.forEach(n -> model.failStart(id, n, -1)));
    noMigration.forEach(id -> model.failMigrate(id, DriverModel.ANY, -1));
  }

  SortedSet<String> runningOn(String node) {
    TreeSet<String> s = new TreeSet<>();
    for (var e : running.entrySet()) {
      if (e.getValue().containsKey(node)) s.add(e.getKey());
    }
    return s;
  }

  SortedSet<String> runningIds() {
    return Collections.unmodifiableSortedSet(running.navigableKeySet());
  }

  SortedMap<String, Long> whereRunning(String id) {
    TreeMap<String, Long> on = running.get(id);
    return on == null ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(on);
  }

  /** Where id executes: where it runs, but for frozen nodes. */
  SortedMap<String, Long> executing(String id) {
    TreeMap<String, Long> on = running.get(id);
    if (on == null) return Collections.emptySortedMap();
    TreeMap<String, Long> ex = new TreeMap<>(on);
    ex.keySet().removeIf(n -> world.node(n).frozen());
    return Collections.unmodifiableSortedMap(ex);
  }

  SortedSet<String> executingIds() {
    TreeSet<String> ids = new TreeSet<>(running.navigableKeySet());
    ids.removeIf(id -> executing(id).isEmpty());
    return Collections.unmodifiableSortedSet(ids);
  }

  /** From t=1s, every second: each running instance writes its disks, each acting SPM its metadata. */
  void writeEverySecond() {
    world.at(world.now() + 1_000, () -> {
      for (SimNode n : world.nodes().values()) {
        if (!n.frozen()) writeDue(n);
      }
      writeEverySecond();
    });
  }

  /** n's processes write once: its resources their disks under their tokens, its SPM duty the metadata. */
  private void writeDue(SimNode n) {
    for (var e : running.entrySet()) {
      Long token = e.getValue().get(n.name);
      if (token == null) continue;
      for (String d : disksOf.getOrDefault(e.getKey(), List.of())) storage.write(d, n.name, e.getKey(), token);
    }
    if (n.spmToken() != 0) storage.writeMetadata(n.name, n.spmToken());
  }

  /** A freeze starts a new episode of rejections; on resume its processes make the write they were frozen in. */
  void frozen(SimNode n, boolean on) {
    if (on) storage.newEpisode(n.name);
    else writeDue(n);
  }

  /** A driver's start; held: ordered before n froze, it lands after n resumed. */
  DriverResult start(String id, SimNode n, long token, List<String> disks, boolean held) {
    if (model.startFails(id, n.name)) {
      return DriverResult.failure("simulated start failure on " + n.name);
    }
    if (running.containsKey(id) && running.get(id).containsKey(n.name)) return DriverResult.success();
    if (!storage.acquire(disks, n.name, token)) {
      world.log(n.name + "/storage", id + ": start refused: a disk lease carries a newer token than " + token);
      return DriverResult.failure("disk lease held with a newer token");
    }
    if (held) for (WorldObserver o : observers) o.onHeldStart(id, n.name, token);
    for (WorldObserver o : observers) o.onStart(id, n.name, token);
    running.computeIfAbsent(id, k -> new TreeMap<>()).put(n.name, token);
    disksOf.put(id, List.copyOf(disks));
    return DriverResult.success();
  }

  /** A driver's stop: fails where a stop failure is injected (the resource keeps running). */
  DriverResult driverStop(String id, SimNode n) {
    if (model.stopFails(id, n.name)) return DriverResult.failure("simulated stop failure on " + n.name);
    stop(id, n);
    return DriverResult.success();
  }

  void stop(String id, SimNode n) {
    TreeMap<String, Long> on = running.get(id);
    if (on != null) {
      on.remove(n.name);
      if (on.isEmpty()) running.remove(id);
    }
  }

  DriverResult migrate(String id, SimNode from, String target, long token, List<String> disks) {
    SimNode to = world.node(target);
    TreeMap<String, Long> on = running.get(id);
    if (on == null || !on.containsKey(from.name)) return DriverResult.failure("not running on " + from.name);
    if (model.migrationFails(id, target)) return DriverResult.failure("the driver cannot live-migrate " + id);
    if (to == null || !to.powered || !to.booted || !to.netUp || !from.netUp || to.side != from.side) {
      return DriverResult.failure(target + " unreachable");
    }
    if (!storage.acquire(disks, target, token)) return DriverResult.failure("disk lease held with a newer token");
    on.remove(from.name);
    for (WorldObserver o : observers) o.onStart(id, target, token);
    on.put(target, token);
    disksOf.put(id, List.copyOf(disks));
    return DriverResult.success();
  }

  /** Everything running on n stops at once (power lost, reset, killed by its agent). */
  void killAll(SimNode n, String why) {
    SortedSet<String> ids = runningOn(n.name);
    for (String id : ids) stop(id, n);
    if (!ids.isEmpty()) world.log(n.name, why + ": " + String.join(", ", ids) + " gone");
  }
}
