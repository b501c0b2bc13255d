package palisade.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import palisade.core.ConfigException;
import palisade.core.ManagerState;
import palisade.core.StorePaths;
import palisade.io.TextFile;
import palisade.runtime.store.Admin;

/**
 * Notifications: a webhook ({@code http.notify_webhook_file}: a file holding the URL, since webhook URLs often carry a
 * secret; it is never logged) gets a JSON POST, and an SMTP relay ({@code http.notify_smtp}) an e-mail whose subject
 * names the event and node, for every fence started, confirmed or failed and every ALERT in the cluster's event log
 * (among them the one this notifier writes for a recovery that finds no node, see {@link RecoveryWatch}, and the
 * daemons' failed fence device checks). Every daemon may be configured alike; only the one holding the manager lease
 * sends, so one notification goes out per event (around a manager change one may be lost or doubled). At most
 * {@link #PER_MINUTE} per minute, e-mail and webhook together: the rest are counted and the count rides on the next
 * one sent ({@code suppressed}).
 */
final class Notifier implements AutoCloseable {
  static final int PER_MINUTE = 10;
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Map.Entry<String, Pattern>> KINDS = List.of(
      Map.entry("fence_started", Pattern.compile("^(\\S+): power fencing, attempt")),
      Map.entry("fence_confirmed", Pattern.compile("^(\\S+): \\w+ -> fenced\\b")),
      Map.entry("fence_failed", Pattern.compile("^(\\S+): (level \\d+ failed|every fence level failed|power-on "
          + "failed)")),
      Map.entry("alert", Pattern.compile("^()ALERT: ")));

  private final URI url;
  private final Mailer mailer;
  private final RecoveryWatch recoveries = new RecoveryWatch();
  private final String cluster;
  private final String node;
  private final LongSupplier clockMs;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Deque<Long> sent = new ArrayDeque<>();
  private int suppressed;
  private String cursor;
  private ScheduledExecutorService poller;

  Notifier(URI url, String cluster, String node, LongSupplier clockMs) {
    this(url, null, cluster, node, clockMs);
  }

  /** Either url or mailer may be null (not both). */
  Notifier(URI url, Mailer mailer, String cluster, String node, LongSupplier clockMs) {
    this.url = url;
    this.mailer = mailer;
    this.cluster = cluster;
    this.node = node;
    this.clockMs = clockMs;
  }

  /** The webhook URL from its file: http or https with a host; errors name the key, never the URL. */
  static URI load(Path file) {
    String text;
    try {
      text = TextFile.read(file).strip();
    } catch (TextFile.Unreadable e) {
      throw new ConfigException("http.notify_webhook_file: " + e.getMessage());
    }
    try {
      URI u = new URI(text);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) return u;
    } catch (java.net.URISyntaxException e) {
      // named below, without the text: it may hold a secret
    }
    throw new ConfigException("http.notify_webhook_file: " + file + " does not hold an http(s) URL with a host");
  }

  /** Polls the event log every second from now on; sends only while {@code manager} says this node holds the lease. */
  void start(java.util.function.Supplier<Admin> admin, BooleanSupplier manager) {
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "palisade-notify");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(() -> {
      try {
        if (cursor == null) { // start after the newest event: history is not news
          cursor = admin.get().events(null, 1).stream().map(Admin.Event::id).reduce((a, b) -> b).orElse("e-");
          return;
        }
        List<Admin.Event> events = admin.get().events(cursor, 2000);
        if (events.isEmpty()) return;
        cursor = events.get(events.size() - 1).id();
        if (manager.getAsBoolean()) offer(events);
      } catch (Exception e) {
        LOG.warn("notifications: cannot read the event log now ({})", e.getClass().getSimpleName());
      }
      try {
        if (manager.getAsBoolean()) watchRecoveries(admin.get());
      } catch (Exception e) {
        LOG.warn("notifications: cannot read the event log now ({})", e.getClass().getSimpleName());
      }
    }, 1_000, 1_000, TimeUnit.MILLISECONDS);
  }

  /** Sends a notification for each event that is one, within the rate limit; returns how many were sent. */
  int offer(List<Admin.Event> events) {
    int n = 0;
    for (Admin.Event e : events) {
      Map<String, Object> body = notification(e);
      if (body == null) continue;
      long now = clockMs.getAsLong();
      while (!sent.isEmpty() && now - sent.peekFirst() >= 60_000) sent.removeFirst();
      if (sent.size() >= PER_MINUTE) {
        suppressed++;
        continue;
      }
      body.put("suppressed", suppressed);
      if (send(body)) {
        sent.addLast(now);
        suppressed = 0;
        n++;
      }
    }
    return n;
  }

  /** The JSON for an event worth a notification, or null. */
  Map<String, Object> notification(Admin.Event e) {
    for (Map.Entry<String, Pattern> k : KINDS) {
      Matcher m = k.getValue().matcher(e.message());
      if (!m.find()) continue;
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("kind", k.getKey());
      body.put("cluster", cluster);
      body.put("target", m.group(1).isEmpty() ? null : m.group(1));
      body.put("message", e.message());
      body.put("event", Api.event(e));
      body.put("sent_by", node);
      return body;
    }
    return null;
  }

  /** Writes an ALERT line for each resource whose recovery finds no node (the next poll notifies of it). */
  private void watchRecoveries(Admin admin) throws Exception {
    ManagerState st = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    if (st == null) return;
    for (String line : recoveries.observe(st.services(), clockMs.getAsLong())) {
      LOG.warn("notifications: {}", line);
      if (!admin.record(node, "notifier", line)) LOG.warn("notifications: the store did not take that ALERT line");
    }
  }

  /** To every channel configured; true if one took it. */
  private boolean send(Map<String, Object> body) {
    boolean ok = url != null && post(body);
    return mail(body) || ok;
  }

  private boolean mail(Map<String, Object> body) {
    if (mailer == null) return false;
    Object target = body.get("target");
    String message = String.valueOf(body.get("message"));
    String subject = "[palisade " + cluster + "] " + body.get("kind") + (target == null ? "" : " " + target) + ": "
        + (message.length() > 140 ? message.substring(0, 140) + "..." : message);
    StringBuilder text = new StringBuilder();
    text.append(message).append("\n\n");
    text.append("cluster: ").append(cluster).append('\n');
    if (target != null) text.append("node: ").append(target).append('\n');
    if (body.get("event") instanceof Map<?, ?> ev) {
      text.append("at: ").append(java.time.Instant.ofEpochMilli((Long) ev.get("t"))).append(" (")
          .append(ev.get("node")).append(", ").append(ev.get("source")).append(")\n");
    }
    text.append("sent by: ").append(node).append('\n');
    text.append("notifications left out by the rate limit since the last: ").append(body.get("suppressed"))
        .append('\n');
    try {
      mailer.send(subject, text.toString());
      return true;
    } catch (Exception e) {
      LOG.warn("notifications: the SMTP relay did not take a {} notification ({})", body.get("kind"),
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      return false;
    }
  }

  private boolean post(Map<String, Object> body) {
    try {
      HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json").header("User-Agent", "palisade")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
      int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status / 100 == 2) return true;
      LOG.warn("notifications: the webhook answered {} to a {} notification", status, body.get("kind"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("notifications: the webhook did not take a {} notification ({})", body.get("kind"),
          e.getClass().getSimpleName());
    }
    return false;
  }

  /** Recent send times, for a test. */
  List<Long> sentTimes() {
    return new ArrayList<>(sent);
  }

  @Override
  public void close() {
    if (poller != null) poller.shutdownNow();
  }
}
