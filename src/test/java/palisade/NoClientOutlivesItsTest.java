package palisade;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every test class (registered for all of them, see META-INF/services) must close the store clients it opened: a
 * ZooKeeper client left open keeps dialling with credentials its test has deleted, and its warnings land in the
 * output later tests check. Fails the class whose client outlived it, naming the client's thread.
 */
public final class NoClientOutlivesItsTest implements BeforeAllCallback, AfterAllCallback {
  private static final Set<Thread> BEFORE_OR_REPORTED = ConcurrentHashMap.newKeySet();

  @Override
  public void beforeAll(ExtensionContext context) {
    BEFORE_OR_REPORTED.addAll(clientThreads()); // another class's, already reported (or a shared fixture's)
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      // Closing is asynchronous: a client's thread ends shortly after close().
      Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
          .until(() -> newClientThreads().isEmpty());
    } catch (ConditionTimeoutException e) {
      List<Thread> left = newClientThreads();
      BEFORE_OR_REPORTED.addAll(left);
      assertThat(left.stream().map(Thread::getName).toList())
          .as("store clients %s opened and never closed", context.getRequiredTestClass().getSimpleName())
          .isEmpty();
    }
  }

  private static List<Thread> newClientThreads() {
    return clientThreads().stream().filter(t -> !BEFORE_OR_REPORTED.contains(t)).toList();
  }

  private static List<Thread> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().contains("-SendThread(")).sorted(
            java.util.Comparator.comparing(Thread::getName)).toList();
  }
}
