package palisade.web;

import java.util.function.Supplier;

/** The embedded peer's mode, asked over the network at most every {@link #TTL_NANOS} (a scrape must stay cheap). */
final class PeerMode implements Supplier<String> {
  static final long TTL_NANOS = 5_000_000_000L;

  private final Supplier<String> ask;
  private String cached;
  private long askedAt;
  private boolean asked;

  PeerMode(Supplier<String> ask) {
    this.ask = ask;
  }

  @Override
  public synchronized String get() {
    long now = System.nanoTime();
    if (!asked || now - askedAt > TTL_NANOS) {
      cached = ask.get();
      askedAt = now;
      asked = true;
    }
    return cached;
  }
}
