package palisade.core;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Node states as the manager sees them; the allowed predecessors of each are listed in one place. */
public enum NodeState {
  /** Renewing its lease; may receive resources. */
  ONLINE,
  /** Lease silent for a few renewals; resources stay where they are. */
  UNKNOWN,
  /** Silent for the lease timeout L: fence write issued or awaiting confirmation. Its resources wait. */
  FENCING,
  /** Fence confirmed (watchdog, power, manual or kdump); its resources may be recovered elsewhere. */
  FENCED,
  /** Shut down cleanly: its agent stopped everything and said so. */
  OFFLINE,
  /**
   * Maintenance, the operator's (lasting until the operator ends it) or a migrate-policy shutdown's (ending by
   * itself): resources are moved away and the node takes none.
   */
  MAINTENANCE,
  /**
   * Power saving: emptied by the manager and powered off (or being powered off or on) through its fence device. Not
   * a failure and not fenced: it runs nothing and takes nothing, and its silence never leads to a fence. It leaves
   * only through power saving: online once powered on and renewing again, or online at once if its power off failed.
   */
  STANDBY;

  /** States a node may come from to reach this one. */
  public Set<NodeState> predecessors() {
    return switch (this) {
      case ONLINE -> EnumSet.of(UNKNOWN, FENCING, FENCED, OFFLINE, MAINTENANCE, STANDBY);
      case UNKNOWN -> EnumSet.of(ONLINE, MAINTENANCE, OFFLINE);
      case FENCING -> EnumSet.of(ONLINE, UNKNOWN, MAINTENANCE, OFFLINE);
      case FENCED -> EnumSet.of(FENCING);
      case OFFLINE -> EnumSet.of(ONLINE, UNKNOWN, MAINTENANCE);
      // back into the operator's maintenance from an absence: renewed before the fence write, rejoined, booted
      case MAINTENANCE -> EnumSet.of(ONLINE, UNKNOWN, FENCING, FENCED, OFFLINE);
      case STANDBY -> EnumSet.of(ONLINE);
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static NodeState parse(String text) {
    for (NodeState s : values()) {
      if (s.label().equals(text)) return s;
    }
    return null;
  }
}
