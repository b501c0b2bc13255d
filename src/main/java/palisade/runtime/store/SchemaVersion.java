package palisade.runtime.store;

import palisade.core.ConfigException;

/**
 * The version of the store's layout (which znodes exist, what their records hold), kept in the cluster's
 * {@code /schema} as a JSON integer. A palisade knows the versions up to {@link #CURRENT}: it refuses a store of a
 * newer one (an operator upgraded another host first and its daemons changed the layout), because writing records
 * it does not fully understand could drop what the newer daemons rely on. An older store is brought up to date only
 * by a migration; none exists yet: version 1 is the first recorded layout, and a store without {@code /schema} (made
 * before it was recorded) has that layout, so it is version 1 and the first daemon records it.
 */
public final class SchemaVersion {
  /** The layout this palisade writes: /config, /commands, /manager/*, /nodes/*, /fence/history, /events, ... */
  public static final int CURRENT = 1;
  /** What a store without /schema is. */
  public static final int UNRECORDED = 1;

  private SchemaVersion() {}

  /** The version of a store whose /schema holds VALUE (null: missing). */
  public static int of(Object value) {
    if (value == null) return UNRECORDED;
    if (!(value instanceof Integer v) || v < 1) {
      throw new ConfigException("the store's /schema holds '" + value + "', not a schema version (1, 2, ...)");
    }
    return v;
  }

  /**
   * Refuses a store of a newer schema than this palisade knows, naming both; an older one would need a migration
   * (there is none: 1 is the oldest).
   */
  public static void check(int stored) {
    if (stored > CURRENT) {
      throw new ConfigException("store schema " + stored + " is newer than this palisade (knows up to " + CURRENT
          + "): upgrade this host's palisade before starting it");
    }
    if (stored < CURRENT) {
      throw new ConfigException("store schema " + stored + " is older than this palisade's " + CURRENT
          + " and no migration exists from it");
    }
  }
}
