package palisade.core;

/** Proof that a node is dead, for the fence of generation; {@code by} names the device, person or "watchdog". */
public record FenceConfirmation(ConfirmKind kind, String by, long generation) {}
