package palisade.core;

import java.util.Locale;

/** What a clean reboot or power-off does to the node's resources (Proxmox's `shutdown_policy`). */
public enum ShutdownPolicy {
  /** Freeze on reboot, failover on power-off. */
  CONDITIONAL,
  /** Stop the resources and keep them assigned (frozen) until the node is back. */
  FREEZE,
  /** Stop the resources and recover them on other nodes at once. */
  FAILOVER,
  /** Migrate the resources away first, then shut down; they return when the node is back. */
  MIGRATE;

  public static ShutdownPolicy parse(String text, String where) {
    for (ShutdownPolicy p : values()) {
      if (p.name().toLowerCase(Locale.ROOT).equals(text)) return p;
    }
    throw new ConfigException(where + ": shutdown_policy '" + text
        + "' is not one of conditional, freeze, failover, migrate");
  }

  /** The policy in force for this kind of shutdown. */
  public ShutdownPolicy effective(boolean reboot) {
    if (this != CONDITIONAL) return this;
    return reboot ? FREEZE : FAILOVER;
  }
}
