package palisade.core;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Resource states with Proxmox's semantics; the allowed predecessors of each are listed in one place. */
public enum ServiceState {
  /** Wants to run: the manager picks its node and issues a start. */
  REQUEST_START,
  /** Should run on its node under its token; the agent there keeps it running. */
  STARTED,
  /** Should stop; waits for the agent's confirmation. */
  REQUEST_STOP,
  /** Confirmed stopped; configured stopped. */
  STOPPED,
  /** Confirmed stopped; configured disabled. */
  DISABLED,
  /** Live migration from its node to the target. */
  MIGRATE,
  /** Stop on its node, then start on the target. */
  RELOCATE,
  /** Its node is non-responsive: nothing moves until the node's fence is confirmed. */
  FENCE,
  /** Its node is confirmed fenced: waiting for a node to recover to (retried, never silently error). */
  RECOVERY,
  /** Its node is shutting down or restarting under the freeze policy: left alone until the node is back. */
  FREEZE,
  /** Failed beyond its restart and relocate limits; cleared only by disabling it. */
  ERROR,
  /** Not managed at all. */
  IGNORED;

  public Set<ServiceState> predecessors() {
    return switch (this) {
      case REQUEST_START -> EnumSet.of(STOPPED, DISABLED, IGNORED);
      case STARTED -> EnumSet.of(REQUEST_START, MIGRATE, RELOCATE, RECOVERY, FREEZE, FENCE, REQUEST_STOP, IGNORED);
      case REQUEST_STOP -> EnumSet.of(STARTED, MIGRATE, RELOCATE, FREEZE, ERROR, FENCE, IGNORED);
      case STOPPED -> EnumSet.of(REQUEST_STOP, DISABLED, RECOVERY, IGNORED, REQUEST_START);
      case DISABLED -> EnumSet.of(REQUEST_STOP, STOPPED, RECOVERY, IGNORED, REQUEST_START);
      case MIGRATE -> EnumSet.of(STARTED, FENCE);
      case RELOCATE -> EnumSet.of(STARTED);
      case FENCE -> EnumSet.of(STARTED, REQUEST_STOP, MIGRATE, RELOCATE, FREEZE, ERROR);
      case RECOVERY -> EnumSet.of(FENCE, STARTED, FREEZE);
      case FREEZE -> EnumSet.of(STARTED, REQUEST_STOP);
      case ERROR -> EnumSet.of(STARTED, REQUEST_STOP, RELOCATE, FENCE, REQUEST_START);
      case IGNORED -> EnumSet.complementOf(EnumSet.of(IGNORED));
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ServiceState parse(String text) {
    for (ServiceState s : values()) {
      if (s.label().equals(text)) return s;
    }
    return null;
  }
}
