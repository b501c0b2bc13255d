package palisade.core;

/** An operator command for the manager, numbered by the store's command queue. */
public sealed interface Command {
  long seq();

  record Migrate(long seq, String resource, String node) implements Command {}

  record Relocate(long seq, String resource, String node) implements Command {}

  record Maintenance(long seq, String node, boolean on) implements Command {}

  /** `resource cleanup ID`: a resource in error is stopped where it is, then its requested state applies again. */
  record Cleanup(long seq, String resource) implements Command {}

  /**
   * `fence confirm NODE`: the operator says the node is off. seen: the counter of the node's record when the operator
   * judged it (-1: no record; null: not known, from an older release): a confirmation the node outlived (it renewed
   * since, e.g. it rebooted while the command waited for a manager) is refused, never applied to a later fence.
   */
  record FenceConfirm(long seq, String node, String by, Long seen) implements Command {
    public FenceConfirm(long seq, String node, String by) {
      this(seq, node, by, null);
    }
  }

  /** `fence node NODE`: fence it now, at the operator's word (DESIGN "Fencing at the operator's word"). */
  record FenceNode(long seq, String node, String by) implements Command {}
  /** `spm move NODE`: the holder lets the SPM role go cleanly, then NODE takes it (DESIGN "The SPM role"). */
  record SpmMove(long seq, String node, String by) implements Command {}

  /** `cluster disarm freeze|ignore`: every agent releases its watchdog (DESIGN "HA disarm"). */
  record Disarm(long seq, HaMode.Kind kind) implements Command {}

  /** `cluster arm`: agents re-arm their watchdogs, then the manager resumes. */
  record Arm(long seq) implements Command {}
}
