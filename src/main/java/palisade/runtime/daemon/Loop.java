package palisade.runtime.daemon;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The daemon's single event-loop thread. Every task that reaches it — ticks, store and driver completions, fence
 * deadlines, watchdog checks, by execute, submit or schedule — runs under the halt handler: an exception or error
 * in any of them is printed and halts the process (an armed watchdog then resets the node), instead of vanishing
 * into a Future nobody reads or silently cancelling a periodic task.
 */
final class Loop extends ScheduledThreadPoolExecutor {
  /** Exit status of a halt on an unexpected exception in a loop task. */
  static final int EXIT_FATAL = 70;

  /** What a fatal task does; replaced only by tests. */
  interface Halt {
    void halt(Throwable t);
  }

  private final Halt halt;

  Loop() {
    this(Loop::printAndHalt);
  }

  Loop(Halt halt) {
    super(1, r -> {
      Thread t = new Thread(r, "palisade-loop");
      t.setDaemon(false);
      return t;
    });
    this.halt = halt;
    setRemoveOnCancelPolicy(true);
  }

  @Override
  protected void afterExecute(Runnable r, Throwable t) {
    super.afterExecute(r, t);
    Throwable failure = t;
    // Scheduled executors wrap every task in a Future that keeps its exception: fetch it from a finished one.
    if (failure == null && r instanceof Future<?> f && f.isDone()) {
      try {
        f.get();
      } catch (CancellationException e) {
        return; // cancelled on purpose (a fence deadline that was not needed, or shutdown)
      } catch (ExecutionException e) {
        failure = e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failure != null) {
      halt.halt(failure);
    }
  }

  static void printAndHalt(Throwable t) {
    // A broken invariant in the core, or a bug in a callback: stop at once.
    DaemonLog.fatal(t.toString(), t);
    Runtime.getRuntime().halt(EXIT_FATAL);
  }
}
