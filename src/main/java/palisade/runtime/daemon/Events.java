package palisade.runtime.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import palisade.core.EventLog;

/**
 * The cluster event log: every event goes to the daemon's log ({@link DaemonLog}, INFO; an ALERT is WARN) at once
 * and, best effort, to the store as a sequential znode under /events (a node without quorum loses its events from
 * the store, not from its log).
 *
 * <p>The store gets them in batches: the events of up to {@link #FLUSH_MS} go out as one znode (a JSON array when
 * there are several, at most {@link #BATCH_MAX} events or about {@link #BATCH_BYTES}). One znode an event made
 * every event a store write of its own: at 50,000 resources an import logs 50,000 "added" lines and a node starting
 * 1,000 resources 2,000 lines, and with the trimming's deletes that was a hundred thousand transactions through the
 * same leader that commits every lease renewal (BENCHMARKS "Many resources on the local cluster").
 * Each daemon trims the store's log to {@link #KEEP_MAX} znodes every {@link #TRIM_EVERY} of its own.
 */
final class Events implements EventLog, AutoCloseable {
  static final int KEEP_MAX = 2_000;
  static final int TRIM_EVERY = 100;
  static final long FLUSH_MS = 100;
  static final int BATCH_MAX = 25;
  static final int BATCH_BYTES = 8 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CuratorFramework curator;
  private final String node;
  /** Events not yet sent to the store, oldest first (guarded by this). */
  private final List<Entry> pending = new ArrayList<>();
  /** A flush is scheduled (guarded by this). */
  private boolean scheduled;
  /** Znodes written, by the flusher and by eventNow's caller: every TRIM_EVERY-th trims. */
  private final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
  private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "palisade-events");
    t.setDaemon(true);
    return t;
  });

  Events(CuratorFramework curator, String node) {
    this.curator = curator;
    this.node = node;
  }

  /** One event as stored: wall-clock time, the node that logged it, source and message. */
  public record Entry(long t, String node, String source, String message) {}

  @Override
  public void event(String source, String message) {
    Entry e = new Entry(Instant.now().toEpochMilli(), node, source, message);
    DaemonLog.event(source, message);
    synchronized (this) {
      pending.add(e);
      if (scheduled) return;
      scheduled = true;
    }
    try {
      flusher.schedule(this::flush, FLUSH_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      // the daemon is closing: its log has it
    }
  }

  /**
   * As {@link #event}, but waits until the store holds it and every event before it (bounded by the client's
   * connection timeout): a daemon's last event before it exits would otherwise be lost with the process.
   */
  void eventNow(String source, String message) {
    Entry e = new Entry(Instant.now().toEpochMilli(), node, source, message);
    DaemonLog.event(source, message);
    send(take(e), true);
  }

  /** Sends what is pending, in the background. */
  private void flush() {
    send(take(null), false);
  }

  /** Everything pending, and also (when not null) after it; a flush already scheduled will find nothing. */
  private synchronized List<Entry> take(Entry also) {
    if (also != null) pending.add(also);
    List<Entry> all = new ArrayList<>(pending);
    pending.clear();
    scheduled = false;
    return all;
  }

  /** entries to the store a batch at a time, waiting for each (wait) or in the background. */
  private void send(List<Entry> entries, boolean wait) {
    if (entries.isEmpty() || !curator.getZookeeperClient().isConnected()) return;
    try {
      for (List<Entry> batch : batches(entries)) {
        if (wait) {
          curator.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath("/events/e-", encode(batch));
        } else {
          curator.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).inBackground().forPath("/events/e-",
              encode(batch));
        }
        if (written.incrementAndGet() % TRIM_EVERY == 0) trim();
      }
    } catch (Exception x) {
      // best effort: the daemon's log has it
    }
  }

  /** entries cut into batches of at most BATCH_MAX events and about BATCH_BYTES (an event is never split). */
  static List<List<Entry>> batches(List<Entry> entries) {
    List<List<Entry>> out = new ArrayList<>();
    List<Entry> batch = new ArrayList<>();
    int bytes = 0;
    for (Entry e : entries) {
      int size = 64 + e.source().length() + e.message().length();
      if (!batch.isEmpty() && (batch.size() == BATCH_MAX || bytes + size > BATCH_BYTES)) {
        out.add(batch);
        batch = new ArrayList<>();
        bytes = 0;
      }
      batch.add(e);
      bytes += size;
    }
    if (!batch.isEmpty()) out.add(batch);
    return out;
  }

  /** One event as an object (what every release reads), several as an array of them. */
  static byte[] encode(List<Entry> batch) throws JsonProcessingException {
    return batch.size() == 1 ? JSON.writeValueAsBytes(batch.get(0)) : JSON.writeValueAsBytes(batch);
  }

  private void trim() throws Exception {
    curator.getChildren().inBackground((c, ev) -> {
      List<String> children = ev.getChildren();
      if (children == null || children.size() <= KEEP_MAX) return;
      Collections.sort(children);
      for (String child : children.subList(0, children.size() - KEEP_MAX)) {
        c.delete().inBackground().forPath("/events/" + child);
      }
    }).forPath("/events");
  }

  /** Stops the flusher: what is pending is in the daemon's log only (a clean stop ends with {@link #eventNow}). */
  @Override
  public void close() {
    flusher.shutdownNow();
  }
}
