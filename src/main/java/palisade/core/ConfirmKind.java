package palisade.core;

/** How a fence was confirmed (DESIGN "Fence confirmation"); the event log always says which. */
public enum ConfirmKind {
  /** The node is watchdog-protected and its fence write succeeded under the timing inequality. */
  WATCHDOG,
  /** A fence device confirmed power off. */
  POWER,
  /** An operator confirmed the node is off. */
  MANUAL,
  /** The node's crashing kernel reported that it is dumping (fence_kdump): it runs nothing, and its power stays on. */
  KDUMP,
  /**
   * At the operator's word ({@code fence node}) the node's own agent, alive, saw its fence and acknowledged it once
   * it had killed every HA resource.
   */
  AGENT
}
