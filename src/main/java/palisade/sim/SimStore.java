package palisade.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import palisade.core.Check;
import palisade.core.Op;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;

/**
 * The replicated store as one linearizable state plus its commit log. Which nodes may reach it (a majority of store
 * peers on their side) is the world's business; this class only applies transactions and replays the log into
 * node views, so every view is a prefix of the history.
 */
public final class SimStore {
  /** One committed write, for replaying into views. */
  record Change(long index, long commitMs, String path, Versioned<Object> value) {}

  private final TreeMap<String, Versioned<Object>> state = new TreeMap<>();
  private final List<Change> log = new ArrayList<>();

  public Versioned<Object> get(String path) {
    return state.get(path);
  }

  long lastIndex() {
    return log.size();
  }

  Change change(long index) {
    return log.get((int) index - 1);
  }

  /** Applies txn atomically at commitMs: all puts or nothing. */
  public TxnResult apply(Txn txn, long commitMs) {
    for (Op op : txn.ops()) {
      Versioned<Object> cur = state.get(op.path());
      long expected = op instanceof Op.Unchanged c ? c.version() : ((Op.Put) op).expectedVersion();
      long actual = cur == null ? Op.ABSENT : cur.version();
      if (expected != actual) return new TxnResult.Conflict(op.path());
    }
    Map<String, Long> versions = new HashMap<>();
    for (Op op : txn.ops()) {
      if (op instanceof Op.Put put) {
        Versioned<Object> cur = state.get(put.path());
        Versioned<Object> next = new Versioned<>(put.value(), cur == null ? 0 : cur.version() + 1);
        write(put.path(), next, commitMs);
        versions.put(put.path(), next.version());
      }
    }
    return new TxnResult.Committed(versions);
  }

  /** An operator's unconditional write (the CLI's read-modify-write, done inside the store). */
  public void force(String path, Object value, long commitMs) {
    Versioned<Object> cur = state.get(path);
    write(path, new Versioned<>(value, cur == null ? 0 : cur.version() + 1), commitMs);
  }

  private void write(String path, Versioned<Object> next, long commitMs) {
    Check.that(log.isEmpty() || log.get(log.size() - 1).commitMs() <= commitMs, "store commits out of order");
    state.put(path, next);
    log.add(new Change(log.size() + 1, commitMs, path, next));
  }
}
