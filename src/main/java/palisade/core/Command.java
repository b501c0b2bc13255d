package palisade.core;

/** An operator command for the manager, numbered by the store's command queue. */
public sealed interface Command {
  long seq();

  record Migrate(long seq, String resource, String node) implements Command {}

  record Relocate(long seq, String resource, String node) implements Command {}

  record Maintenance(long seq, String node, boolean on) implements Command {}

  /** `resource cleanup ID`: a resource in error is stopped where it is, then its requested state applies again. */
  record Cleanup(long seq, String resource) implements Command {}

  record FenceConfirm(long seq, String node, String by) implements Command {}

  /** `fence node NODE`: fence it now, at the operator's word (DESIGN "Fencing at the operator's word"). */
  record FenceNode(long seq, String node, String by) implements Command {}
  /** `spm move NODE`: the holder lets the SPM role go cleanly, then NODE takes it (DESIGN "The SPM role"). */
  record SpmMove(long seq, String node, String by) implements Command {}

  /** `cluster disarm freeze|ignore`: every agent releases its watchdog (DESIGN "HA disarm"). */
  record Disarm(long seq, HaMode.Kind kind) implements Command {}

  /** `cluster arm`: agents re-arm their watchdogs, then the manager resumes. */
  record Arm(long seq) implements Command {}
}
