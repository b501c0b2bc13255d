package palisade.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied link of a {@link FaultProxy}. While cut, existing connections are closed and new
 * ones are accepted and closed at once, so a peer sees a reset or end of stream rather than a
 * hang on connect (and the listening port stays ours for {@link #heal()}).
 */
public final class Link {
  private static final Logger log = LoggerFactory.getLogger(Link.class);
  static final int CONNECT_TIMEOUT_MS = 2_000;
  static final int BUFFER_BYTES = 16 * 1024;
  static final int DIAL_RETRY_MS = 50;
  static final int DIAL_ATTEMPTS_MAX = CONNECT_TIMEOUT_MS / DIAL_RETRY_MS + 1;

  private final String name;
  private final InetSocketAddress target;
  private final ServerSocket server;
  private final Thread acceptor;
  private final Set<Connection> connections = new HashSet<>();
  private boolean cut;
  private boolean closed;
  private volatile long delayNanos;
  /** Extra delay of what flows toward the target (the dialler's sends) and back from it (the target's sends). */
  private volatile long toTargetNanos;
  private volatile long fromTargetNanos;

  private Link(String name, InetSocketAddress target, ServerSocket server) {
    this.name = name;
    this.target = target;
    this.server = server;
    this.acceptor = new Thread(this::acceptLoop, "fault-proxy-" + name + "-accept");
    this.acceptor.setDaemon(true);
  }

  static Link open(String name, InetSocketAddress listen, InetSocketAddress target) throws IOException {
    ServerSocket server = new ServerSocket();
    try {
      server.setReuseAddress(true);
      server.bind(listen);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    Link link = new Link(name, target, server);
    link.acceptor.start();
    return link;
  }

  public String name() {
    return name;
  }

  /** The bound listen address, with the real port when 0 was asked for. */
  public InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
  }

  public int port() {
    return server.getLocalPort();
  }

  public InetSocketAddress target() {
    return target;
  }

  /** Closes every live connection now and refuses new ones until {@link #heal()}. */
  public void cut() {
    List<Connection> live;
    synchronized (this) {
      if (cut) {
        return;
      }
      cut = true;
      live = List.copyOf(connections);
      connections.clear();
    }
    log.info("link {}: cut ({} live connections closed)", name, live.size());
    live.forEach(Connection::close);
  }

  /** Lets new connections through again. */
  public synchronized void heal() {
    if (cut) {
      cut = false;
      log.info("link {}: healed", name);
    }
  }

  public synchronized boolean isCut() {
    return cut;
  }

  /** Adds latency before each forwarded chunk, in both directions (zero turns it off). */
  public void delay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    delayNanos = delay.toNanos();
  }

  /**
   * Latency in one direction only: what the dialler sends waits {@code toTarget}, what the target sends back waits
   * {@code fromTarget} (on top of {@link #delay}); zero turns it off.
   */
  public void delay(Duration toTarget, Duration fromTarget) {
    if (toTarget.isNegative() || fromTarget.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + toTarget + ", " + fromTarget);
    }
    toTargetNanos = toTarget.toNanos();
    fromTargetNanos = fromTarget.toNanos();
  }

  /** Number of connections currently being forwarded. */
  public synchronized int activeConnections() {
    return connections.size();
  }

  long delayNanos(boolean toTarget) {
    return delayNanos + (toTarget ? toTargetNanos : fromTargetNanos);
  }

  synchronized void forget(Connection connection) {
    connections.remove(connection);
  }

  void close() {
    List<Connection> live;
    synchronized (this) {
      closed = true;
      live = List.copyOf(connections);
      connections.clear();
    }
    closeQuietly(server);
    live.forEach(Connection::close);
    try {
      acceptor.join(CONNECT_TIMEOUT_MS * 2L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (true) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!server.isClosed()) {
          log.warn("link {}: accept failed, link stops", name, e);
        }
        return;
      }
      if (isCut()) {
        closeQuietly(client);
        continue;
      }
      // Dial on a thread of its own: a target that is still starting is retried (see connect).
      Thread dialer = new Thread(() -> connect(client), "fault-proxy-" + name + "-dial");
      dialer.setDaemon(true);
      dialer.start();
    }
  }

  /**
   * Dials the target, retrying a refused dial for up to {@link #CONNECT_TIMEOUT_MS}. The client's TCP connect has
   * already succeeded (the proxy accepted it), so a plain refusal would look like "connected, then closed" — which a
   * ZooKeeper follower dialling a leader whose port is not open yet treats as fatal, where a direct dial would have
   * been refused and retried.
   */
  private void connect(Socket client) {
    Socket upstream = null;
    long deadline = System.nanoTime() + Duration.ofMillis(CONNECT_TIMEOUT_MS).toNanos();
    for (int attempt = 0; attempt < DIAL_ATTEMPTS_MAX; attempt++) {
      upstream = new Socket();
      try {
        upstream.connect(target, CONNECT_TIMEOUT_MS);
        break;
      } catch (IOException e) {
        closeQuietly(upstream);
        upstream = null;
        if (System.nanoTime() > deadline || isCut() || client.isClosed()) {
          log.debug("link {}: target {} unreachable: {}", name, target, e.toString());
          break;
        }
        try {
          Thread.sleep(DIAL_RETRY_MS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (upstream == null) {
      closeQuietly(client);
      return;
    }
    Connection connection = new Connection(this, client, upstream);
    synchronized (this) {
      // A cut or close may have raced with the connect; honour it.
      if (cut || closed) {
        connection.close();
        return;
      }
      connections.add(connection);
    }
    connection.start();
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (SocketException ignored) {
      // already closed by the other direction
    } catch (Exception e) {
      log.debug("close failed: {}", e.toString());
    }
  }

  @Override
  public String toString() {
    return "Link[" + name + " " + address() + " -> " + target + (isCut() ? " cut" : "") + "]";
  }
}
