package palisade.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * In-process TCP proxy that fault tests put between daemons so that they can cut and heal links.
 *
 * <p>Each {@link Link} listens on a 127.0.0.x address and forwards every accepted connection to
 * its target. This is the imperative edge of the test harness: plain blocking sockets and one
 * thread per direction per connection. Only 127.0.0.0/8 addresses are accepted, for listening and
 * for targets alike.
 */
public final class FaultProxy implements AutoCloseable {
  private final Map<String, Link> links = new TreeMap<>();
  private boolean closed;

  /**
   * Opens a link that listens on {@code listen} (port 0 picks an ephemeral port, see
   * {@link Link#address()}) and forwards to {@code target}.
   *
   * @throws IllegalArgumentException if an address is not in 127.0.0.0/8 or the name is taken
   */
  public synchronized Link link(String name, InetSocketAddress listen, InetSocketAddress target)
      throws IOException {
    if (closed) {
      throw new IllegalStateException("fault proxy is closed");
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("link name is missing");
    }
    if (links.containsKey(name)) {
      throw new IllegalArgumentException("link " + name + " already exists");
    }
    Link link = Link.open(name, Loopback.require("listen", listen), Loopback.require("target", target));
    links.put(name, link);
    return link;
  }

  /** The link with that name, if it was opened and not closed. */
  public synchronized Optional<Link> link(String name) {
    return Optional.ofNullable(links.get(name));
  }

  /** All links in name order. */
  public synchronized List<Link> links() {
    return List.copyOf(links.values());
  }

  /** Cuts every link (see {@link Link#cut()}). */
  public synchronized void cutAll() {
    links.values().forEach(Link::cut);
  }

  /** Heals every link. */
  public synchronized void healAll() {
    links.values().forEach(Link::heal);
  }

  /** Stops listening on every link, closes every connection and ends every proxy thread. */
  @Override
  public void close() {
    List<Link> toClose;
    synchronized (this) {
      closed = true;
      toClose = new ArrayList<>(links.values());
      links.clear();
    }
    toClose.forEach(Link::close);
  }
}
