package palisade.sim;

import java.util.TreeMap;
import palisade.core.StoreView;
import palisade.core.Versioned;

/** A node's local copy of the store: the log replayed up to some index, advanced only while connected. */
final class SimView implements StoreView {
  private final TreeMap<String, Versioned<Object>> data = new TreeMap<>();
  private long applied;

  /** Replays commits up to those committed by {@code visibleUntilMs}. */
  void catchUp(SimStore store, long visibleUntilMs) {
    while (applied < store.lastIndex()) {
      SimStore.Change c = store.change(applied + 1);
      if (c.commitMs() > visibleUntilMs) break;
      data.put(c.path(), c.value());
      applied++;
    }
  }

  long applied() {
    return applied;
  }

  @Override
  public Versioned<Object> get(String path) {
    return data.get(path);
  }
}
