package palisade.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.state.ConnectionState;

/**
 * How often the agents' store connections were suspended, lost (session expired) and re-established: counted here
 * rather than read from the log, where the bench mutes the cache's line per failed read ({@link StoreBench}).
 */
final class Connections {
  private final AtomicLong suspended = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong reconnected = new AtomicLong();

  void count(ConnectionState state) {
    switch (state) {
      case SUSPENDED -> suspended.incrementAndGet();
      case LOST -> lost.incrementAndGet();
      case RECONNECTED -> reconnected.incrementAndGet();
      default -> { }
    }
  }

  String describe() {
    return String.format("store connections over the run: %d suspended, %d sessions lost (expired), %d reconnected",
        suspended.get(), lost.get(), reconnected.get());
  }
}
