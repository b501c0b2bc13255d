package palisade.runtime.resource;

import java.time.Duration;
import java.util.SortedSet;

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
   * Kills every resource at once without grace, for a node that learnt it was fenced. Best
   * effort and never throws: the watchdog is the backstop.
   */
  void killAll();
}
