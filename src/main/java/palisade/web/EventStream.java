package palisade.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.sse.SseClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import palisade.runtime.store.Admin;

/**
 * {@code GET /api/events/stream}: the cluster's event log as Server-Sent Events ({@code event: palisade}, the SSE id
 * is the event's id, data is one event as {@code /api/events} shows it). A new client first gets the last 20 events,
 * or those after its {@code Last-Event-ID} (a browser's reconnect); then one poller thread reads the store every
 * {@link #POLL_MS} ms while any client is connected and hands each client the events after its own cursor, so a
 * client never sees an event twice or misses one. A comment line every poll keeps idle proxies from closing it.
 */
final class EventStream implements AutoCloseable {
  static final long POLL_MS = 1_000;
  static final int BACKLOG = 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<Admin> admin;
  /** Client -> the id of the last event it was sent ("e-" before any). */
  private final Map<SseClient, String> clients = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "palisade-sse");
    t.setDaemon(true);
    return t;
  });

  EventStream(Supplier<Admin> admin) {
    this.admin = admin;
    poller.scheduleWithFixedDelay(this::poll, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
  }

  /** A new client: its backlog now, then whatever the poller finds. */
  void connect(SseClient client) throws Exception {
    client.keepAlive();
    client.onClose(() -> clients.remove(client));
    String last = client.ctx().header("Last-Event-ID");
    boolean resume = last != null && last.matches(Admin.EVENT_ID);
    List<Admin.Event> backlog = admin.get().events(resume ? last : null, resume ? 2000 : BACKLOG);
    String cursor = resume ? last : "e-";
    synchronized (client) {
      for (Admin.Event e : backlog) {
        send(client, e);
        cursor = e.id();
      }
    }
    clients.put(client, cursor);
  }

  int clients() {
    return clients.size();
  }

  private void poll() {
    try {
      if (clients.isEmpty()) return;
      String from = clients.values().stream().min(String::compareTo).orElse("e-");
      List<Admin.Event> events = admin.get().events(from, 2000);
      for (Map.Entry<SseClient, String> c : clients.entrySet()) {
        SseClient client = c.getKey();
        String cursor = c.getValue();
        synchronized (client) {
          if (client.terminated()) {
            clients.remove(client);
            continue;
          }
          for (Admin.Event e : events) {
            if (e.id().compareTo(cursor) > 0) {
              send(client, e);
              cursor = e.id();
            }
          }
          client.sendComment("alive");
        }
        clients.replace(client, c.getValue(), cursor);
      }
    } catch (Exception e) {
      // the store is unreachable for now: the clients keep their cursors, the next poll catches up
    }
  }

  private static void send(SseClient client, Admin.Event e) {
    try {
      client.sendEvent("palisade", JSON.writeValueAsString(Api.event(e)), e.id());
    } catch (JsonProcessingException x) {
      throw new IllegalStateException(x);
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
    for (SseClient c : clients.keySet()) c.close();
    clients.clear();
  }
}
