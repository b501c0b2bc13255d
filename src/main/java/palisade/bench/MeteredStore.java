package palisade.bench;

import palisade.core.Callback;
import palisade.core.Op;
import palisade.core.StoreClient;
import palisade.core.StoreView;
import palisade.core.Txn;
import palisade.core.TxnResult;

/**
 * A store client that times the transactions writing one path: from the submit to the moment the completion runs on
 * the writer's loop (what the agent or manager waits for). Only committed writes are timed; others are counted by
 * kind (Conflict, Unavailable).
 */
record MeteredStore(StoreClient inner, String path, Samples samples)
    implements StoreClient {
  @Override
  public StoreView view() {
    return inner.view();
  }

  @Override
  public boolean synced() {
    return inner.synced();
  }

  @Override
  public void submit(Txn txn, Callback<TxnResult> done) {
    if (txn.ops().stream().noneMatch(op -> op instanceof Op.Put && op.path().equals(path))) {
      inner.submit(txn, done);
      return;
    }
    long t0 = System.nanoTime();
    inner.submit(txn, (r, now) -> {
      if (r instanceof TxnResult.Committed) samples.add(System.nanoTime() - t0);
      else samples.failed(r.getClass().getSimpleName());
      done.done(r, now);
    });
  }
}
