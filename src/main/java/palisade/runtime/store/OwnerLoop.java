package palisade.runtime.store;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** The store client's owner's event loop, as the caches and completions post to it. */
final class OwnerLoop {
  private OwnerLoop() {}

  /**
   * loop, but a task posted after the owner stopped it is dropped: no one is left to deliver it to, and thrown it
   * would land in Curator's listener, which logs it with a stack trace while a daemon exits.
   */
  static Executor droppingAfterStop(Executor loop) {
    return task -> {
      try {
        loop.execute(task);
      } catch (RejectedExecutionException stopped) {
        // the owner's loop is shutting down
      }
    };
  }
}
