package palisade.runtime.resource;

import java.time.Duration;
import java.util.SortedSet;
import java.util.function.Consumer;

/**
 * Starts and stops the resources of one node. Blocking: the agent calls it from its own worker
 * threads, never from its event loop.
 */
public interface ResourceDriver {
  /**
   * Starts the resource with its fencing {@code token} on {@code node}. Starting a resource that
   * this driver already runs is a no-op, so a retried start is safe.
   */
  void start(ResourceSpec spec, long token, String node) throws ResourceException;

  /**
   * Stops the resource gracefully, and forcibly once {@code timeout} has passed. Returns once it
   * is stopped; stopping a resource that is not running is a no-op.
   */
  void stop(String id, Duration timeout) throws ResourceException;

  /** Whether the resource is running right now (a health check, not a cached state). */
  boolean isRunning(String id);

  /** Ids of the resources this driver runs right now, sorted. */
  SortedSet<String> running();

  /**
   * What each running resource has used so far (CPU time, resident memory now), for load reporting; sorted by id.
   * Best effort: a resource it cannot read is left out. Called from the usage reporter's thread. Default: nothing.
   */
  default java.util.SortedMap<String, ResourceSample> samples() {
    return java.util.Collections.emptySortedMap();
  }

  /**
   * Kills every resource at once without grace, for a node that learnt it was fenced. Best
   * effort and never throws: the watchdog is the backstop.
   */
  void killAll();

  /**
   * Live-migrates the running resource to another node, where it keeps running under {@code token}. Returns once
   * it runs there and no longer here; throws when it did not move (it then still runs here, and the core falls
   * back to a relocation). A driver that cannot migrate says so by throwing, which is the default.
   */
  default void migrate(ResourceSpec spec, long token, Migration target) throws ResourceException {
    throw new ResourceException("resource " + spec.id() + ": live migration is not supported by the "
        + spec.type() + " driver");
  }

  /**
   * Where and how a live migration goes.
   *
   * @param node the target node
   * @param uri the target node's libvirt URI ({@code nodes[].libvirt_uri})
   * @param progress receives human-readable progress lines while the migration runs
   */
  record Migration(String node, String uri, Consumer<String> progress) {
    public Migration {
      if (node == null || node.isBlank()) throw new IllegalArgumentException("migration target node is missing");
      progress = progress == null ? s -> { } : progress;
    }
  }
}
