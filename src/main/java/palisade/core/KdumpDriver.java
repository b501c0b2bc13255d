package palisade.core;

/**
 * Listens, on a fence proxy, for the kdump message of a target whose kernel crashed (ClusterLabs fence_kdump): the
 * crashing kernel's capture environment sends it repeatedly while it dumps. The host bounds the wait by timeoutMs.
 */
public interface KdumpDriver {
  /**
   * Result of one wait: received is true when the target's message arrived within the timeout. Times are stamped by
   * the host, for the fence history.
   */
  record Outcome(boolean received, String detail, long startedMs, long endedMs) {}

  void listen(String target, long timeoutMs, Callback<Outcome> done);

  /** A node that cannot listen: every wait fails at once, and the power levels run. */
  KdumpDriver NONE = (target, timeoutMs, done) -> done.done(new Outcome(false,
      "no kdump listener on this node", 0, 0), 0);
}
