package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A daemon's events go to the store in batches: bounded in events and bytes, one event never split. */
class EventsTest {
  private static Events.Entry entry(int i, int size) {
    return new Events.Entry(i, "node1", "node1/agent", "m" + i + "x".repeat(size));
  }

  @Test
  void batchesHoldAtMostTheCountAndAboutTheBytesInOrder() {
    List<Events.Entry> many = new ArrayList<>();
    for (int i = 0; i < 60; i++) many.add(entry(i, 10));
    List<List<Events.Entry>> b = Events.batches(many);
    assertThat(b).extracting(List::size).containsExactly(Events.BATCH_MAX, Events.BATCH_MAX, 10);
    assertThat(b.stream().flatMap(List::stream).toList()).isEqualTo(many);

    List<Events.Entry> big = List.of(entry(0, 5_000), entry(1, 5_000), entry(2, 20_000), entry(3, 1));
    assertThat(Events.batches(big)).extracting(List::size).as("an event larger than a batch goes alone")
        .containsExactly(1, 1, 1, 1);
    assertThat(Events.batches(List.of())).isEmpty();
  }

  @Test
  void oneEventIsStoredAsAnObjectSeveralAsAnArray() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode one = json.readTree(Events.encode(List.of(entry(7, 0))));
    assertThat(one.isObject()).isTrue();
    assertThat(one.path("message").asText()).isEqualTo("m7");
    JsonNode two = json.readTree(Events.encode(List.of(entry(1, 0), entry(2, 0))));
    assertThat(two.isArray()).isTrue();
    assertThat(two.get(1).path("t").asLong()).isEqualTo(2);
  }
}
