package palisade.web;

import java.util.concurrent.atomic.AtomicInteger;
import palisade.runtime.store.Admin;

/**
 * A notifier as a daemon holding the manager lease runs it, for tests outside this package (the notifier is
 * package-private): it polls the store through {@code admin} every second.
 */
public final class NotifierProbe implements AutoCloseable {
  private final Notifier notifier;
  private final AtomicInteger reads = new AtomicInteger();

  private NotifierProbe(String cluster, String node, Admin admin) {
    notifier = new Notifier(cluster, node, System::currentTimeMillis);
    notifier.start(() -> {
      reads.incrementAndGet();
      return admin;
    }, () -> true);
  }

  public static NotifierProbe start(String cluster, String node, Admin admin) {
    return new NotifierProbe(cluster, node, admin);
  }

  /** How often the notifier asked for its store handle (a few times per poll). */
  public int reads() {
    return reads.get();
  }

  @Override
  public void close() {
    notifier.close();
  }
}
