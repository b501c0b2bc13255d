package palisade.runtime.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import palisade.core.StorePaths;

/**
 * Which caches a store client's view is made of ({@link ViewTrees} says why): the base trees always; the
 * cluster-wide trees while the view is full; in a scoped view the own node's record, and each other node record the
 * view was asked for (an interest), until that record was not read for {@link #INTEREST_IDLE_MS}.
 *
 * <p>Caches are opened and closed under this object's lock, from any thread; none of that blocks on I/O (Curator
 * adds and removes the watches in the background). The view's readers (the event loop) never take the lock.
 */
final class ViewScope {
  /** Builds a cache of the view (not started). */
  interface Builder {
    ViewCache build(String path, ViewCache.Kind kind, boolean counted);
  }

  /** An on-demand record not read for this long is dropped from the view. */
  static final long INTEREST_IDLE_MS = 60_000;
  private static final String NODE_PREFIX = StorePaths.NODES + "/";
  private static final Logger log = LoggerFactory.getLogger(ViewScope.class);

  private final Builder builder;
  /** Drops from the mirror what the view no longer mirrors (posted to the owner's loop). */
  private final Runnable prune;
  private final LongSupplier clockMs;
  /** The trees and the own record, by path (guarded by this). */
  private final Map<String, ViewCache> open = new LinkedHashMap<>();
  private final ConcurrentHashMap<String, Interest> interests = new ConcurrentHashMap<>();
  /** Every open cache, interests included: what the view's readers look at without the lock. */
  private volatile List<ViewCache> snapshot = List.of();
  private volatile String ownPath;
  private volatile boolean allNodes = true;
  private volatile boolean started;
  private volatile boolean closed;
  private volatile long interestIdleMs = INTEREST_IDLE_MS;
  /** Opens interests' caches and sweeps them (guarded by this; made at the first interest). */
  private ScheduledExecutorService worker;
  /** While the view holds only its node's part of /config and /manager (guarded by this), else null. */
  private PartScope part;
  /** The part's node group, -1 without a part: read by the loop without the lock. */
  private volatile int partGroup = -1;

  private static final class Interest {
    volatile long readAtMs;
    ViewCache cache; // guarded by the scope

    Interest(long readAtMs) {
      this.readAtMs = readAtMs;
    }
  }

  ViewScope(Builder builder, Runnable prune, LongSupplier clockMs) {
    this.builder = builder;
    this.prune = prune;
    this.clockMs = clockMs;
  }

  synchronized void scopeTo(String node) {
    if (started) throw new IllegalStateException("scopeTo(" + node + ") after the view started");
    ownPath = StorePaths.node(node);
    allNodes = false;
  }

  /** Opens the view's caches: every one of them counts for its initialization. */
  synchronized void start() {
    if (started || closed) return;
    started = true;
    List<ViewCache> made = new ArrayList<>();
    boolean parted = !allNodes && ownPath != null;
    for (String t : ViewTrees.BASE) {
      if (!parted || !PartScope.REPLACED.contains(t)) made.add(add(t, ViewCache.Kind.BASE, true));
    }
    if (parted) made.addAll(openPart());
    if (ownPath != null) made.add(add(ownPath, ViewCache.Kind.OWN, true));
    if (allNodes) for (String t : ViewTrees.CLUSTER_WIDE) made.add(add(t, ViewCache.Kind.CLUSTER_WIDE, true));
    publish(); // before any cache starts: the last one initialized sees them all
    made.forEach(ViewCache::start);
  }

  synchronized void watchAllNodes(boolean all) {
    if (closed || all == allNodes) return;
    allNodes = all; // first: what a closing cache still delivers is not mirrored
    if (!started) return;
    if (all) {
      List<ViewCache> made = new ArrayList<>();
      for (String t : ViewTrees.CLUSTER_WIDE) made.add(add(t, ViewCache.Kind.CLUSTER_WIDE, false));
      if (part != null) {
        closePart();
        for (String t : PartScope.REPLACED) made.add(add(t, ViewCache.Kind.BASE, false));
        prune.run(); // before the whole records' caches start: what they deliver comes after it on the loop
      }
      publish();
      made.forEach(ViewCache::start);
      log.info("store view: every node's record mirrored");
      return;
    }
    close(ViewTrees.CLUSTER_WIDE);
    if (ownPath != null) close(PartScope.REPLACED);
    publish();
    prune.run(); // before the part's caches start: what they deliver comes after the prune on the loop
    if (ownPath != null) {
      List<ViewCache> made = openPart();
      publish();
      made.forEach(ViewCache::start);
    }
    log.info("store view: only {} and the records read mirrored", ownPath == null ? "the base trees" : ownPath);
  }

  /** Closes the open caches of these paths. */
  private void close(List<String> paths) {
    for (String t : paths) {
      ViewCache c = open.remove(t);
      if (c != null) c.close();
    }
  }

  private List<ViewCache> openPart() {
    part = new PartScope(builder, ownPath.substring(NODE_PREFIX.length()));
    partGroup = part.group();
    return part.open();
  }

  private void closePart() {
    part.close();
    part = null;
    partGroup = -1;
  }

  // ---- the part of /config and /manager an agent-only node holds ------------------------------------------------

  /** The node group of the part the view holds, or -1 when it holds /config and /manager whole. */
  int partGroup() {
    return partGroup;
  }

  /** The node whose part the view holds (its own), or null. */
  String partNode() {
    return partGroup < 0 || ownPath == null ? null : ownPath.substring(NODE_PREFIX.length());
  }

  /** The state's head has layout (0: none yet): the part's resource statuses are held as that layout files them. */
  synchronized void partStatuses(int layout) {
    if (part == null || closed) return;
    List<ViewCache> made = part.statusesFor(layout);
    if (made.isEmpty()) return;
    publish();
    made.forEach(ViewCache::start);
  }

  /** The part's resources are ids: their configuration entries are held from now; true once all are loaded. */
  synchronized boolean partResources(Set<String> ids) {
    if (part == null || closed) return true;
    List<ViewCache> made = part.resources(ids);
    if (!made.isEmpty()) {
      publish();
      made.forEach(ViewCache::start);
    }
    return part.resourcesLoaded(ids);
  }

  private ViewCache add(String path, ViewCache.Kind kind, boolean counted) {
    ViewCache c = builder.build(path, kind, counted);
    open.put(path, c);
    return c;
  }

  private void publish() {
    List<ViewCache> all = new ArrayList<>(open.values());
    if (part != null) all.addAll(part.all());
    for (Interest i : interests.values()) {
      if (i.cache != null) all.add(i.cache);
    }
    snapshot = List.copyOf(all);
  }

  /** Every cache opened at the start that is still open has its initial data. */
  boolean initialized() {
    return started && snapshot.stream().filter(c -> c.counted).allMatch(c -> c.initialized);
  }

  /** The cluster-wide trees, and /config and /manager whole, are mirrored and have delivered their initial data. */
  boolean allNodesLoaded() {
    List<ViewCache> wide = snapshot.stream().filter(c -> c.kind == ViewCache.Kind.CLUSTER_WIDE
        || c.kind == ViewCache.Kind.BASE && PartScope.REPLACED.contains(c.path)).toList();
    return allNodes && partGroup < 0 && wide.size() == ViewTrees.CLUSTER_WIDE.size() + PartScope.REPLACED.size()
        && wide.stream().allMatch(c -> c.initialized);
  }

  /** Whether the view mirrors path now: a base tree's, or a node's the view holds whole, its own or read. */
  boolean mirrors(String path) {
    if (ViewTrees.base(path)) return true;
    if (!ViewTrees.clusterWide(path)) return false;
    return allNodes || path.equals(ownPath) || interests.containsKey(path);
  }

  List<RelistingStorage> storages() {
    return snapshot.stream().map(c -> c.storage).toList();
  }

  /** The open caches (tests). */
  List<ViewCache> caches() {
    return snapshot;
  }

  /** The storage of the open cache at path (tests), or null. */
  RelistingStorage storage(String path) {
    return snapshot.stream().filter(c -> c.path.equals(path)).map(c -> c.storage).findFirst().orElse(null);
  }

  // ---- interests: node records read on demand --------------------------------------------------------------------

  /**
   * The view was asked for path: a node record that a scoped view does not mirror gets a cache of its own, opened
   * off the caller's thread; one it has is kept while it is read. Never blocks.
   */
  void read(String path) {
    if (!path.startsWith(NODE_PREFIX)) return;
    Interest i = interests.get(path);
    if (i != null) {
      i.readAtMs = clockMs.getAsLong();
      return;
    }
    if (allNodes || !started || closed || path.equals(ownPath) || !ViewTrees.nodeRecord(path)) return;
    Interest n = new Interest(clockMs.getAsLong());
    if (interests.putIfAbsent(path, n) != null) return;
    ScheduledExecutorService w = worker();
    try {
      if (w == null) throw new RejectedExecutionException("closed");
      w.execute(() -> openInterest(path, n));
    } catch (RejectedExecutionException e) {
      interests.remove(path, n); // closed meanwhile
    }
  }

  private synchronized ScheduledExecutorService worker() {
    if (closed) return null;
    if (worker == null) {
      worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "store-view-interests");
        t.setDaemon(true);
        return t;
      });
      long period = Math.max(10, Math.min(5_000, interestIdleMs / 4));
      worker.scheduleWithFixedDelay(() -> {
        try {
          sweep();
        } catch (RuntimeException e) { // the next sweep tries again (a failed one would end the schedule)
          log.warn("store view: sweeping the records read on demand failed: {}", e.toString());
        }
      }, period, period, TimeUnit.MILLISECONDS);
    }
    return worker;
  }

  private synchronized void openInterest(String path, Interest n) {
    if (closed || interests.get(path) != n) return; // swept meanwhile
    n.cache = builder.build(path, ViewCache.Kind.INTEREST, false);
    publish();
    n.cache.start();
    log.debug("store view: {} mirrored on demand", path);
  }

  /** Closes the caches of the records not read for {@link #interestIdleMs}, and drops them from the mirror. */
  void sweep() {
    long now = clockMs.getAsLong();
    boolean dropped = false;
    for (Map.Entry<String, Interest> e : interests.entrySet()) {
      Interest i = e.getValue();
      if (now - i.readAtMs < interestIdleMs || !interests.remove(e.getKey(), i)) continue;
      synchronized (this) {
        if (i.cache != null) i.cache.close();
        publish();
      }
      dropped = true;
      log.debug("store view: {} not read for {} ms, no longer mirrored", e.getKey(), interestIdleMs);
    }
    if (dropped) prune.run();
  }

  /** Tests: a shorter idle time, set before the first interest. */
  void interestIdleMs(long ms) {
    this.interestIdleMs = ms;
  }

  /** The node records mirrored on demand now. */
  Set<String> interests() {
    return Set.copyOf(interests.keySet());
  }

  synchronized void close() {
    closed = true;
    if (part != null) closePart();
    for (ViewCache c : open.values()) c.close();
    for (Interest i : interests.values()) {
      if (i.cache != null) i.cache.close();
    }
    open.clear();
    interests.clear();
    publish();
    if (worker != null) worker.shutdownNow();
  }
}
