package palisade.runtime.store;

import palisade.core.ConfigException;

/**
 * The version of the store's layout (which znodes exist, what their records hold), kept in the cluster's
 * {@code /schema} as a JSON integer. A palisade knows the versions up to {@link #CURRENT}: it refuses a store of a
 * newer one (an operator upgraded another host first and its daemons changed the layout), because writing records
 * it does not fully understand could drop what the newer daemons rely on. Version 1 is the first recorded layout
 * (every record one znode); a store without {@code /schema} (made before it was recorded) has that layout. Version
 * 2 stores {@code /config} and {@code /manager/state} as a head and shards ({@link Layout2}); {@code palisade store
 * migrate} moves a store from 1 to 2 once no daemon of an older palisade runs ({@link LayoutMigration}). Version 3
 * creates them in layout 3, the manager's resource statuses grouped by node; a record keeps the layout of its head,
 * so a store of schema 2 keeps its records in layout 2. A palisade that knows 3 runs on a store of any of the three.
 * A new cluster starts at 3.
 */
public final class SchemaVersion {
  /** The newest layout this palisade reads and writes. */
  public static final int CURRENT = 3;
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

  /** Refuses a store of a newer schema than this palisade knows, naming both; 1, 2 and 3 run. */
  public static void check(int stored) {
    if (stored > CURRENT) {
      throw new ConfigException("store schema " + stored + " is newer than this palisade (knows up to " + CURRENT
          + "): upgrade this host's palisade before starting it");
    }
  }
}
