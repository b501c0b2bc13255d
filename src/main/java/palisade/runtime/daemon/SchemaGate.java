package palisade.runtime.daemon;

import palisade.core.ConfigException;
import palisade.core.Op;
import palisade.core.StoreClient;
import palisade.core.StorePaths;
import palisade.core.Txn;
import palisade.core.Versioned;
import palisade.runtime.store.SchemaVersion;

/**
 * The store's layout version (/schema) at daemon start: a newer one than this palisade knows refuses the daemon
 * before anything runs; a missing one is recorded first: 1 for a store made before it was recorded (it holds a
 * /config), the current one for a new cluster.
 */
final class SchemaGate {
  private boolean pending;

  /**
   * True once the store's schema is known and this daemon may go on; false while it is being recorded.
   *
   * @throws ConfigException when the store's schema is newer than this palisade knows
   */
  boolean known(StoreClient store) {
    Versioned<Object> s = store.view().get(StorePaths.SCHEMA);
    if (s != null) {
      SchemaVersion.check(SchemaVersion.of(s.value()));
      return true;
    }
    if (!pending) {
      pending = true;
      // A store holding /config already predates /schema: layout 1. A new cluster starts in the newest layout.
      int version = store.view().get(StorePaths.CONFIG) != null ? SchemaVersion.UNRECORDED : SchemaVersion.CURRENT;
      store.submit(Txn.of(new Op.Put(StorePaths.SCHEMA, Op.ABSENT, version)),
          (r, t) -> pending = false); // written, or another node wrote it first: read it from the view
    }
    return false;
  }
}
