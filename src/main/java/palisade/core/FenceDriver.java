package palisade.core;

/** Runs one action of one power-fence device against a target node, under the host's own deadline. */
public interface FenceDriver {
  /**
   * Result of one device call. Times are stamped by the host (wall clock in production, virtual in simulation)
   * for the fence history; the core never reads a clock itself.
   *
   * @param poweredOn for STATUS: the power state the device reported
   */
  record Outcome(boolean ok, boolean poweredOn, String detail, long startedMs, long endedMs) {}

  void run(String device, String target, PowerAction action, Callback<Outcome> done);

  /** A node without fence devices: every call fails at once. */
  FenceDriver NONE = (device, target, action, done) -> done.done(new Outcome(false, false,
      "no fence device driver on this node", 0, 0), 0);
}
