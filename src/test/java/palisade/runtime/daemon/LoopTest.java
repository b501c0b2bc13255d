package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** No exception vanishes: whatever way a task reaches the loop, its failure goes to the halt handler. */
class LoopTest {
  private final List<Throwable> halts = new CopyOnWriteArrayList<>();
  private final Loop loop = new Loop(halts::add);

  @AfterEach
  void stop() {
    loop.shutdownNow();
  }

  @Test
  void aFailureInAnyKindOfTaskHalts() {
    loop.execute(() -> {
      throw new IllegalStateException("from execute");
    });
    loop.submit(() -> {
      throw new IllegalStateException("from submit");
    });
    loop.schedule(() -> {
      throw new IllegalStateException("from schedule");
    }, 1, TimeUnit.MILLISECONDS);
    loop.scheduleAtFixedRate(() -> {
      throw new AssertionError("from a periodic task");
    }, 1, 1, TimeUnit.MILLISECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> halts.size() == 4);
    assertThat(halts).extracting(Throwable::getMessage).containsExactlyInAnyOrder("from execute", "from submit",
        "from schedule", "from a periodic task");
  }

  @Test
  void cancelledAndSuccessfulTasksDoNotHalt() throws Exception {
    loop.schedule(() -> {
      throw new IllegalStateException("never runs");
    }, 1, TimeUnit.HOURS).cancel(false);
    loop.submit(() -> 42).get();
    loop.submit(() -> { }).get();
    assertThat(halts).isEmpty();
  }
}
