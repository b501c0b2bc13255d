package palisade.runtime.store;

import palisade.core.ConfigException;

/**
 * The version of the store's layout (which znodes exist, what their records hold), kept in the cluster's
 * {@code /schema} as a JSON integer. A palisade knows the versions up to {@link #CURRENT}: it refuses a store of a
 * newer one (an operator upgraded another host first and its daemons changed the layout), because writing records
 * it does not fully understand could drop what the newer daemons rely on. Version 1 is the first recorded layout
 * (every record one znode); a store without {@code /schema} (made before it was recorded) has that layout. Version
 * 2 stores {@code /config} and {@code /manager/state} as a head and shards ({@link Layout2}); a palisade that knows
 * 2 runs on a store of either version, and {@code palisade store migrate} moves a store from 1 to 2 once no daemon
 * of an older palisade runs ({@link LayoutMigration}). A new cluster starts at 2.
 */
public final class SchemaVersion {
  /** The newest layout this palisade reads and writes. */
  public static final int CURRENT = 2;
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

  /** Refuses a store of a newer schema than this palisade knows, naming both; 1 and 2 both run. */
  public static void check(int stored) {
    if (stored > CURRENT) {
      throw new ConfigException("store schema " + stored + " is newer than this palisade (knows up to " + CURRENT
          + "): upgrade this host's palisade before starting it");
    }
  }
}
