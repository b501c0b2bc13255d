package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A store client posts to its owner's loop until the owner stops it; after that, a post is dropped, not thrown. */
class OwnerLoopTest {
  @Test
  void aPostAfterTheLoopStoppedIsDroppedQuietly() throws Exception {
    ExecutorService loop = Executors.newSingleThreadExecutor();
    java.util.concurrent.Executor posts = OwnerLoop.droppingAfterStop(loop);
    AtomicInteger ran = new AtomicInteger();
    posts.execute(ran::incrementAndGet);
    loop.shutdown();
    assertThat(loop.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).hasValue(1);
    assertThatCode(() -> posts.execute(ran::incrementAndGet)).doesNotThrowAnyException();
    assertThat(ran).hasValue(1);
  }
}
