package palisade.bench;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One agent's event loop without a thread of its own: its tasks run one at a time, in order, on a pool shared by
 * every agent, as the daemon's single loop thread runs them. A task that throws stops the strand and is kept in
 * {@code failure} (the daemon would halt); a stopped strand (the node lost power) drops every task.
 */
final class Strand implements Executor {
  /** Tasks run before the strand yields the pool thread to other agents. */
  private static final int BATCH = 32;

  private final Executor pool;
  private final AtomicReference<Throwable> failure;
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private boolean scheduled;
  private volatile boolean stopped;

  Strand(Executor pool, AtomicReference<Throwable> failure) {
    this.pool = pool;
    this.failure = failure;
  }

  @Override
  public void execute(Runnable task) {
    synchronized (this) {
      if (stopped) return;
      queue.add(task);
      if (scheduled) return;
      scheduled = true;
    }
    pool.execute(this::drain);
  }

  /** No task runs from now on, queued or later. */
  void stop() {
    stopped = true;
    synchronized (this) {
      queue.clear();
    }
  }

  boolean stopped() {
    return stopped;
  }

  private void drain() {
    for (int i = 0; i < BATCH; i++) {
      Runnable task;
      synchronized (this) {
        task = stopped ? null : queue.poll();
        if (task == null) {
          scheduled = false;
          return;
        }
      }
      try {
        task.run();
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
        stop();
        return;
      }
    }
    pool.execute(this::drain); // more queued: back of the pool's line, so that no agent starves the others
  }
}
