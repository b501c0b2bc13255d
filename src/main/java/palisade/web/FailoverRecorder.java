package palisade.web;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import palisade.core.FenceHistory;
import palisade.runtime.store.Admin;
import palisade.runtime.store.FailoverLog;

/**
 * Keeps the failovers past a daemon's restart and a manager change: every {@link #POLL_MS} ms, while this node
 * holds the manager lease, the failures its {@link Timeline} saw finish are written to the store's
 * {@link FailoverLog} (each once, whichever daemon writes it). {@code /api/failovers} shows the stored ones merged
 * with this daemon's own. All store access runs on one thread of its own, never on the daemon's loop or blocking it;
 * a request waits at most {@link #WAIT_MS} for a fresh read and otherwise answers from the last one. A store error
 * is logged once (and its end once) and the write retried at the next poll; nothing here stops the daemon.
 */
final class FailoverRecorder implements AutoCloseable {
  static final long POLL_MS = 1_000;
  /** A read of the stored failures this recent answers a request without asking the store again. */
  static final long FRESH_MS = 2_000;
  static final long WAIT_MS = 2_000;
  private static final Logger LOG = LoggerFactory.getLogger(FailoverRecorder.class);

  private final Timeline timeline;
  private final Supplier<FenceHistory> history;
  private final long leaseMs;
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "palisade-failovers");
    t.setDaemon(true);
    return t;
  });
  /** The last read of the store, newest first; written by the worker, read by HTTP threads. */
  private volatile List<Map<String, Object>> stored = List.of();
  private volatile long readAtNanos;
  private volatile boolean read;
  private volatile Supplier<Admin> admin;
  // the worker's own
  private FailoverLog log;
  private boolean failing;

  /**
   * @param history the fence history as this node sees it now (null: none), for the device steps
   * @param leaseMs the lease timeout L (the last renewal is inferred as L before the silence)
   */
  FailoverRecorder(Timeline timeline, Supplier<FenceHistory> history, long leaseMs) {
    this.timeline = timeline;
    this.history = history;
    this.leaseMs = leaseMs;
  }

  /** From now on reads through admin and, while {@code manager} says this node holds the lease, writes. */
  void start(Supplier<Admin> admin, BooleanSupplier manager) {
    this.admin = admin;
    worker.scheduleWithFixedDelay(() -> write(manager), POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
  }

  /** {@code /api/failovers}: the stored failures merged with this daemon's own, newest first. */
  Map<String, Object> json(FenceHistory h) {
    if (admin != null && (!read || System.nanoTime() - readAtNanos > FRESH_MS * 1_000_000)) {
      try {
        worker.submit(this::refresh).get(WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException | RejectedExecutionException e) {
        // the last read answers (refresh logs a store error itself)
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return Map.of("failovers", Timeline.merge(stored, timeline.own(h, leaseMs)));
  }

  /**
   * One poll: the finished failures not stored yet are looked up in the store (another daemon may have written
   * them: then this one stops offering them) and the rest written if this node is the manager's.
   */
  void write(BooleanSupplier manager) {
    List<Map<String, Object>> finished = timeline.unstored(history.get(), leaseMs);
    if (finished.isEmpty()) return;
    guarded(() -> {
      keep(log().read());
      List<Map<String, Object>> left = new java.util.ArrayList<>();
      for (Map<String, Object> f : finished) {
        if (stored.stream().anyMatch(s -> Timeline.same(s, f))) stored(f);
        else left.add(f);
      }
      if (left.isEmpty() || !manager.getAsBoolean()) return;
      for (Map<String, Object> f : left) {
        FailoverLog.Result r = log().store(f);
        stored(f);
        if (r == FailoverLog.Result.STORED) LOG.info("failover of {} stored ({})", f.get("node"), f.get("outcome"));
      }
      keep(log().read());
    });
  }

  private void stored(Map<String, Object> f) {
    timeline.stored((String) f.get("node"), ((Number) f.get("silent_ms")).longValue());
  }

  private void refresh() {
    guarded(() -> keep(log().read()));
  }

  private void keep(List<Map<String, Object>> fresh) {
    stored = List.copyOf(fresh);
    readAtNanos = System.nanoTime();
    read = true;
  }

  private FailoverLog log() {
    if (log == null) log = admin.get().failoverLog();
    return log;
  }

  private interface StoreWork {
    void run() throws Exception;
  }

  /** Runs store work on the worker: the first error of a run of them is logged, and the first success after it. */
  private void guarded(StoreWork work) {
    try {
      work.run();
      if (failing) LOG.info("failover log: the store answers again");
      failing = false;
    } catch (Exception e) {
      if (worker.isShutdown()) return; // closing: the interrupted call is no store problem
      if (!failing) {
        LOG.warn("failover log: cannot read or write the store now ({}); trying again within {} ms",
            e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": "
            + e.getMessage(), POLL_MS);
      }
      failing = true;
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
