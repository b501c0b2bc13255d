package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event log as readers see it: znodes of one event (what operators' commands and older daemons write) and of
 * several (a daemon's batch) read back in the store's order, each event with an id that orders as a string, so that
 * `events --follow`, the event stream and the notifier resume after any of them.
 */
class EventLogTest {
  @TempDir
  Path dir;

  LayoutFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new LayoutFixture(dir, "127.0.2.16", 21_000 + (int) (ProcessHandle.current().pid() % 3_000) * 3);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private static String event(String message) {
    return "{\"t\":1,\"node\":\"node1\",\"source\":\"node1/agent\",\"message\":\"" + message + "\"}";
  }

  private static String create(CuratorFramework c, String data) throws Exception {
    String path = c.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
        .forPath("/events/e-", data.getBytes(StandardCharsets.UTF_8));
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static List<String> messages(List<Admin.Event> events) {
    return events.stream().map(Admin.Event::message).toList();
  }

  @Test
  void batchesAndSingleEventsReadInOrderAndResumeAfterAnyId() throws Exception {
    try (Admin a = f.admin()) {
      CuratorFramework c = a.client();
      String first = create(c, event("one"));
      String batch = create(c, "[" + event("two") + "," + event("three") + "," + event("four") + "]");
      String last = create(c, event("five"));

      List<Admin.Event> all = a.events(null, 100);
      assertThat(messages(all)).containsExactly("one", "two", "three", "four", "five");
      assertThat(all).extracting(Admin.Event::id).containsExactly(first, batch + ".0000", batch + ".0001",
          batch + ".0002", last);
      assertThat(all).extracting(Admin.Event::id).as("ids order as strings").isSorted();
      assertThat(all.get(1).node()).isEqualTo("node1");
      assertThat(all.get(1).source()).isEqualTo("node1/agent");

      assertThat(messages(a.events(null, 2))).as("the last two, across a batch").containsExactly("four", "five");
      assertThat(messages(a.events(null, 1))).containsExactly("five");
      assertThat(messages(a.events("e-", 100))).hasSize(5);
      assertThat(messages(a.events(first, 100))).containsExactly("two", "three", "four", "five");
      assertThat(messages(a.events(batch + ".0000", 100))).containsExactly("three", "four", "five");
      assertThat(messages(a.events(batch + ".0002", 100))).containsExactly("five");
      assertThat(a.events(last, 100)).isEmpty();
    }
  }
}
