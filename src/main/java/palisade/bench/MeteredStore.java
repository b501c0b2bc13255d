package palisade.bench;

import java.util.concurrent.atomic.AtomicLong;
import palisade.core.Callback;
import palisade.core.Op;
import palisade.core.StoreClient;
import palisade.core.StoreView;
import palisade.core.Txn;
import palisade.core.TxnResult;

/**
 * A store client that times the transactions writing one path: from the submit to the moment the completion runs on
 * the writer's loop (what the agent or manager waits for). Only committed writes are timed; others are counted by
 * kind (Conflict, Unavailable). {@code lastCommitted} holds when the last committed one was submitted (System.nanoTime):
 * for the node record, the renewal the manager's silence timer counts from.
 */
record MeteredStore(StoreClient inner, String path, Samples samples, AtomicLong lastCommitted)
    implements StoreClient {
  MeteredStore(StoreClient inner, String path, Samples samples) {
    this(inner, path, samples, new AtomicLong());
  }

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
      if (r instanceof TxnResult.Committed) {
        samples.add(System.nanoTime() - t0);
        lastCommitted.accumulateAndGet(t0, Math::max);
      } else {
        samples.failed(r.getClass().getSimpleName());
      }
      done.done(r, now);
    });
  }
}
