package palisade.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfigException;
import palisade.runtime.store.Admin;
import palisade.runtime.store.NotifySettings;

/**
 * Webhook notifications against a local receiver on loopback, with a given clock for the rate limit; the settings
 * as the daemon gets them from the store ({@link Notifier#apply}).
 */
class NotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private HttpServer receiver;
  private URI url;

  @TempDir
  Path dir;

  @BeforeEach
  void receive() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 8);
    receiver.createContext("/hook/s3cret", x -> {
      byte[] body = x.getRequestBody().readAllBytes();
      if ("POST".equals(x.getRequestMethod())
          && x.getRequestHeaders().getFirst("Content-Type").startsWith("application/json")) {
        received.add(JSON.readTree(new String(body, StandardCharsets.UTF_8)));
      }
      x.sendResponseHeaders(204, -1);
      x.close();
    });
    receiver.start();
    url = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/s3cret");
  }

  @AfterEach
  void stop() {
    receiver.stop(0);
  }

  private Notifier notifier(String webhook) {
    Notifier n = new Notifier("lab", "node1", clock::get);
    assertThat(n.apply(new NotifySettings(webhook, null))).isTrue();
    return n;
  }

  private static Admin.Event event(int i, String source, String message) {
    return new Admin.Event(String.format("e-%010d", i), 1_000L * i, "node1", source, message);
  }

  @Test
  void fenceStartedConfirmedAndFailedArePostedAsJson() {
    Notifier n = notifier(url.toString());
    int sent = n.offer(List.of(event(1, "node2/fencer", "node3: power fencing, attempt 1, 1 levels"),
        event(2, "node2/agent", "vm:102: started"),
        event(3, "manager", "node3: fencing -> fenced (power off confirmed by bmc-node3)"),
        event(4, "node2/fencer", "node3: level 1 failed (bmc-node3: timeout)"),
        event(5, "manager", "ALERT: storm guard: 2 of 3 nodes silent")));
    assertThat(sent).isEqualTo(4);
    assertThat(received).extracting(j -> j.get("kind").asText()).containsExactly("fence_started", "fence_confirmed",
        "fence_failed", "alert");
    JsonNode first = received.get(0);
    assertThat(first.get("cluster").asText()).isEqualTo("lab");
    assertThat(first.get("target").asText()).isEqualTo("node3");
    assertThat(first.get("sent_by").asText()).isEqualTo("node1");
    assertThat(first.get("event").get("id").asText()).isEqualTo("e-0000000001");
    assertThat(first.get("suppressed").asInt()).isZero();
    assertThat(received.get(3).get("target").isNull()).isTrue();
  }

  @Test
  void atMostTenAMinuteAndTheRestCounted() {
    Notifier n = notifier(url.toString());
    List<Admin.Event> storm = new ArrayList<>();
    for (int i = 1; i <= 15; i++) storm.add(event(i, "node2/fencer", "node" + i + ": power fencing, attempt 1"));
    assertThat(n.offer(storm)).isEqualTo(Notifier.PER_MINUTE);
    clock.addAndGet(59_999);
    assertThat(n.offer(List.of(event(16, "manager", "node16: fencing -> fenced (x)")))).isZero();
    clock.addAndGet(1);
    assertThat(n.offer(List.of(event(17, "manager", "node17: fencing -> fenced (x)")))).isEqualTo(1);
    assertThat(received).hasSize(11);
    assertThat(received.get(10).get("suppressed").asInt()).as("5 of the storm and 1 within the minute").isEqualTo(6);
  }

  @Test
  void theUrlComesFromAFileAndIsNeverEchoed() throws Exception {
    Path f = dir.resolve("hook");
    Files.writeString(f, url + "\n");
    assertThat(NotifySettings.webhookFile(f, "--webhook-file")).isEqualTo(url.toString());
    Files.writeString(f, "ftp://example/s3cret\n");
    assertThatThrownBy(() -> NotifySettings.webhookFile(f, "--webhook-file")).isInstanceOf(ConfigException.class)
        .hasMessage("--webhook-file: " + f + " does not hold an http(s) URL with a host");
    assertThatThrownBy(() -> NotifySettings.webhookFile(dir.resolve("none"), "--webhook-file"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("--webhook-file: " + dir.resolve("none"));
  }

  @Test
  void withoutSettingsNothingIsSentAndAChangeTakesEffectAtTheNextEvent() {
    Notifier n = new Notifier("lab", "node1", clock::get);
    assertThat(n.configured()).isFalse();
    assertThat(n.apply(null)).isTrue();
    assertThat(n.configured()).as("no settings in the store: no channel").isFalse();
    // set while running: the next fence goes out
    assertThat(n.apply(new NotifySettings(url.toString(), null))).isTrue();
    assertThat(n.offer(List.of(event(1, "f", "node3: power fencing, attempt 1")))).isEqualTo(1);
    // moved to another path: the receiver sees only what goes to the new one
    assertThat(n.apply(new NotifySettings(url.resolve("/hook/other").toString(), null))).isTrue();
    assertThat(n.offer(List.of(event(2, "f", "node3: power fencing, attempt 2")))).isZero();
    // removed: nothing is attempted
    assertThat(n.apply(NotifySettings.NONE)).isTrue();
    assertThat(n.configured()).isFalse();
    assertThat(received).hasSize(1);
    assertThat(received.get(0).get("message").asText()).isEqualTo("node3: power fencing, attempt 1");
  }

  @Test
  void aNewNotifierStartsAfterTheHistoryButKeepsWhatCameWhileItWasConnecting() {
    // made at t=3.5 s: events 1-3 are history, 4 and 5 came before its first poll and are news
    List<Admin.Event> recent = new ArrayList<>();
    for (int i = 1; i <= 5; i++) recent.add(event(i, "f", "ALERT: " + i));
    assertThat(Notifier.firstCursor(recent, 3_500)).isEqualTo("e-0000000003");
    assertThat(Notifier.firstCursor(recent, 500)).as("all news, and the whole log").isEqualTo("e-");
    assertThat(Notifier.firstCursor(List.of(), 500)).isEqualTo("e-");
    assertThat(Notifier.firstCursor(recent, 9_000)).as("all history").isEqualTo("e-0000000005");
    List<Admin.Event> full = new ArrayList<>();
    for (int i = 1; i <= Notifier.FIRST_LOOK; i++) full.add(event(100 + i, "f", "ALERT: " + i));
    assertThat(Notifier.firstCursor(full, 0)).as("older ones may be beyond the look: start at the oldest seen")
        .isEqualTo("e-0000000101");
  }

  @Test
  void settingsThatFailTheirCheckAreNotUsed() {
    Notifier n = notifier(url.toString());
    // a raw store client could write anything: the notifier checks what it reads
    assertThat(n.apply(new NotifySettings("ftp://example/s3cret", null))).isFalse();
    assertThat(n.configured()).isFalse();
    assertThat(n.apply(new NotifySettings(null, new NotifySettings.Smtp("h", 25, "p@x", List.of("o@y\r\nRCPT"),
        null, null)))).isFalse();
    assertThat(n.apply(new NotifySettings(url.toString(), null))).isTrue();
    assertThat(n.configured()).isTrue();
  }

  @Test
  void aReceiverThatIsDownCountsNothingAsSent() {
    receiver.stop(0);
    Notifier n = notifier(url.toString());
    assertThat(n.offer(List.of(event(1, "f", "node3: power fencing, attempt 1")))).isZero();
    assertThat(n.sentTimes()).isEmpty();
  }
}
