package palisade.core;

/**
 * Restarts the daemon of another node (oVirt's SSH soft fencing, which restarts vdsm), under the host's own
 * deadline. It proves nothing about the target: it only gives a hung daemon the chance to renew before its fence.
 */
public interface SoftFenceDriver {
  /** Result of one restart; times are stamped by the host, for the fence history. */
  record Outcome(boolean ok, String detail, long startedMs, long endedMs) {}

  void restart(String target, Callback<Outcome> done);

  /** A node that cannot soft-fence: every restart fails at once. */
  SoftFenceDriver NONE = (target, done) -> done.done(new Outcome(false, "no soft-fence driver on this node", 0, 0),
      0);
}
