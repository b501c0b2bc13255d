package palisade.core;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A store for core unit tests: one in-memory copy that is also every node's view, all-or-nothing transactions with
 * the real compare-and-set rules. Transactions either commit at once (answered at {@link #nowMs}) or, with
 * {@link #hold}, wait until the test commits or answers them: how a test lets a write race another.
 */
final class FakeStore implements StoreClient {
  private final TreeMap<String, Versioned<Object>> data = new TreeMap<>();
  private final List<Held> held = new ArrayList<>();
  /** Every transaction ever submitted, in order. */
  final List<Txn> submitted = new ArrayList<>();
  /** The time answers carry. */
  long nowMs;
  boolean hold;
  boolean synced = true;

  private record Held(Txn txn, Callback<TxnResult> done) {}

  @Override
  public StoreView view() {
    return data::get;
  }

  @Override
  public boolean synced() {
    return synced;
  }

  @Override
  public void submit(Txn txn, Callback<TxnResult> done) {
    submitted.add(txn);
    if (hold) {
      held.add(new Held(txn, done));
    } else {
      done.done(apply(txn), nowMs);
    }
  }

  /** Writes a record directly (another party's write), bumping its version. */
  void put(String path, Object value) {
    Versioned<Object> cur = data.get(path);
    data.put(path, new Versioned<>(value, cur == null ? 0 : cur.version() + 1));
  }

  <T> T get(String path, Class<T> type) {
    Versioned<T> v = view().get(path, type);
    return v == null ? null : v.value();
  }

  long version(String path) {
    Versioned<Object> v = data.get(path);
    return v == null ? Op.ABSENT : v.version();
  }

  int heldCount() {
    return held.size();
  }

  /** Applies the oldest held transaction and answers it at ackAtMs. */
  TxnResult commitHeld(long ackAtMs) {
    Held h = held.remove(0);
    TxnResult r = apply(h.txn());
    h.done().done(r, ackAtMs);
    return r;
  }

  /** Drops the oldest held transaction unapplied and unanswered (a lost request). */
  void loseHeld() {
    held.remove(0);
  }

  private TxnResult apply(Txn txn) {
    for (Op op : txn.ops()) {
      long expected = op instanceof Op.Put p ? p.expectedVersion() : ((Op.Unchanged) op).version();
      if (version(op.path()) != expected) return new TxnResult.Conflict(op.path());
    }
    TreeMap<String, Long> versions = new TreeMap<>();
    for (Op op : txn.ops()) {
      if (op instanceof Op.Put p) {
        put(p.path(), p.value());
        versions.put(p.path(), version(p.path()));
      }
    }
    return new TxnResult.Committed(versions);
  }
}
