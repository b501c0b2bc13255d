package palisade.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import palisade.runtime.store.Admin;
import palisade.runtime.store.NotifySettings;

/**
 * Notifications, set once for the whole cluster ({@code palisade notify set}, the store's {@code /notify}, see
 * {@link NotifySettings}): a webhook gets a JSON POST, and an SMTP relay an e-mail whose subject names the event and
 * node, for every fence started, confirmed or failed and every ALERT in the cluster's event log (among them the one
 * this notifier writes for a recovery that finds no node, see {@link RecoveryWatch}, the daemons' failed fence device
 * checks and {@code palisade notify test}). Every daemon runs one; only the one holding the manager lease reads the
 * settings (every poll, so a change takes effect within a second or two) and sends, so one notification goes out per
 * event (around a manager change one may be lost or doubled). No settings: nothing is sent. At most
 * {@link #PER_MINUTE} per minute, e-mail and webhook together: the rest are counted and the count rides on the next
 * one sent ({@code suppressed}). The URL and the password are never logged.
 */
final class Notifier implements AutoCloseable {
  static final int PER_MINUTE = 10;
  /** How many of the newest events a new notifier looks at to find where to start. */
  static final int FIRST_LOOK = 200;
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Map.Entry<String, Pattern>> KINDS = List.of(
      Map.entry("fence_started", Pattern.compile("^(\\S+): power fencing, attempt")),
      Map.entry("fence_confirmed", Pattern.compile("^(\\S+): \\w+ -> fenced\\b")),
      Map.entry("fence_failed", Pattern.compile("^(\\S+): (level \\d+ failed|every fence level failed|power-on "
          + "failed)")),
      Map.entry("alert", Pattern.compile("^()ALERT: ")));

  private final RecoveryWatch recoveries = new RecoveryWatch();
  private final String cluster;
  private final String node;
  private final LongSupplier clockMs;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Deque<Long> sent = new ArrayDeque<>();
  /** The settings in force (NONE until the first read), and the channels made of them (null: not set). */
  private NotifySettings settings = NotifySettings.NONE;
  /** The last settings refused by their check (logged once). */
  private NotifySettings rejected;
  private URI url;
  private Mailer mailer;
  private int suppressed;
  private String cursor;
  private boolean storeFailing;
  /** When this notifier was made: events recorded later are news even if its first poll comes late. */
  private final long createdMs;
  private ScheduledExecutorService poller;

  Notifier(String cluster, String node, LongSupplier clockMs) {
    this.cluster = cluster;
    this.node = node;
    this.clockMs = clockMs;
    this.createdMs = clockMs.getAsLong();
  }

  /**
   * Puts settings read from the store in force (null: none). Settings that fail their check are not used (nothing
   * is sent) and logged naming the field, never the URL or password. Returns whether they are in force.
   */
  boolean apply(NotifySettings next) {
    NotifySettings s = next == null ? NotifySettings.NONE : next;
    if (s.equals(settings)) return true;
    if (s.equals(rejected)) return false;
    try {
      s.check();
    } catch (ConfigException e) {
      LOG.warn("notifications: the cluster's settings are not usable, nothing is sent until they are fixed "
          + "(palisade notify set): {}", e.getMessage());
      rejected = s;
      settings = NotifySettings.NONE;
      url = null;
      mailer = null;
      return false;
    }
    settings = s;
    rejected = null;
    url = s.webhook() == null ? null : URI.create(s.webhook());
    mailer = s.smtp() == null ? null : new Mailer(s.smtp(), node);
    LOG.info("notifications: now {}", s); // redacted: scheme, host and port of the webhook; no password
    return true;
  }

  /** Whether a channel is in force. */
  boolean configured() {
    return url != null || mailer != null;
  }

  /**
   * Polls the event log every second from now on; while {@code manager} says this node holds the lease, reads the
   * settings and sends.
   */
  void start(java.util.function.Supplier<Admin> admin, BooleanSupplier manager) {
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "palisade-notify");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(() -> poll(admin, manager), 1_000, 1_000, TimeUnit.MILLISECONDS);
  }

  private void poll(java.util.function.Supplier<Admin> admin, BooleanSupplier manager) {
    boolean holder = manager.getAsBoolean();
    try {
      List<Admin.Event> news = newEvents(admin.get(), holder);
      // The settings after the events: an event recorded right after a `notify set` is sent with the new settings,
      // never dropped because this poll read the old ones first.
      if (holder) readSettings(admin.get());
      if (!news.isEmpty() && configured()) offer(news);
      if (holder) watchRecoveries(admin.get());
      unreadable(null);
    } catch (Exception e) {
      unreadable(e);
    }
  }

  /** The events to consider sending: none for a standby, which only keeps its cursor at the newest. */
  private List<Admin.Event> newEvents(Admin admin, boolean holder) throws Exception {
    if (cursor == null) cursor = firstCursor(admin.events(null, FIRST_LOOK), createdMs);
    // A standby only keeps up with the newest id (one record read, not every new one), so on taking over the lease
    // it sends what came after its last poll.
    if (!holder) {
      cursor = admin.events(null, 1).stream().map(Admin.Event::id).reduce((a, b) -> b).orElse(cursor);
      return List.of();
    }
    List<Admin.Event> events = admin.events(cursor, 2000);
    if (!events.isEmpty()) cursor = events.get(events.size() - 1).id();
    return events;
  }

  /**
   * Where a new notifier starts, given the newest events (at most {@link #FIRST_LOOK}, oldest first): after the
   * newest one recorded before the notifier was made (history is not news), so an event recorded while its first
   * store connection was still opening is not skipped.
   */
  static String firstCursor(List<Admin.Event> recent, long createdMs) {
    String at = recent.size() < FIRST_LOOK ? "e-" : recent.get(0).id();
    for (Admin.Event e : recent) {
      if (e.t() < createdMs) at = e.id();
    }
    return at;
  }

  /** One warning per episode of an unreadable store (every daemon polls: a partition must not flood the logs). */
  private void unreadable(Exception e) {
    if (e == null) {
      if (storeFailing) LOG.warn("notifications: the event log is readable again");
      storeFailing = false;
    } else if (e instanceof org.apache.curator.framework.api.CuratorClosedException) {
      return; // the daemon is stopping: its store handle closed first
    } else if (!storeFailing) {
      storeFailing = true;
      String why = e instanceof org.apache.zookeeper.KeeperException k
          ? k.code().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') : "the store does not answer";
      LOG.warn("notifications: cannot read the event log now ({}); retrying every second", why);
    }
  }

  /** The settings from the store; on a read error the ones in force stay (a store hiccup silences nothing). */
  private void readSettings(Admin admin) {
    NotifySettings s;
    try {
      s = admin.value(StorePaths.NOTIFY, NotifySettings.class);
    } catch (Exception e) {
      // not the message: a decoding error could quote the record
      LOG.warn("notifications: cannot read the settings now ({}); the last ones stay", e.getClass().getSimpleName());
      return;
    }
    apply(s);
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
