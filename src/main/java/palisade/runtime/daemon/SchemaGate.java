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
 * before anything runs; a missing one (a store made before it was recorded, or a new cluster) is recorded as the
 * current one first.
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
      store.submit(Txn.of(new Op.Put(StorePaths.SCHEMA, Op.ABSENT, SchemaVersion.CURRENT)),
          (r, t) -> pending = false); // written, or another node wrote it first: read it from the view
    }
    return false;
  }
}
