package palisade.runtime.watchdog;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@link WatchdogDevice} backed by a {@link WatchdogSupervisor}, over its Unix socket (a path from the agent's own
 * configuration, never from its environment). One connection, opened on first use. Closing it without
 * {@link #disarm()} leaves the supervisor armed, as a crash would.
 *
 * <p>Every call has a deadline: a supervisor that does not answer in time (stopped, hung, gone) fails the call
 * with an IOException, and the connection is dropped. The channel is non-blocking and waited on with a selector,
 * because a blocking SocketChannel ignores SO_TIMEOUT. An IOException means nobody may be able to reset this node:
 * the caller must treat it like a fence (kill its resources), since a stopped or dead supervisor does not take the
 * agent's resources with it.
 */
public final class ProcessWatchdogClient implements WatchdogDevice, AutoCloseable {
  static final int REPLY_MAX = 256;
  private final Path socket;
  private final Duration deadline;
  private SocketChannel channel;
  private Selector selector;
  private SelectionKey key;
  private boolean armed;
  private Optional<String> cgroup = Optional.empty();

  /** @param deadline how long one call may take, connecting included */
  public ProcessWatchdogClient(Path socket, Duration deadline) {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("watchdog call deadline must be positive: " + deadline);
    }
    this.socket = socket;
    this.deadline = deadline;
  }

  public Path socket() {
    return socket;
  }

  @Override
  public synchronized void arm(Duration timeout) throws IOException {
    long ms = timeout.toMillis();
    if (ms <= 0) {
      throw new IllegalArgumentException("watchdog timeout must be positive: " + timeout);
    }
    call("ARM " + ms);
    armed = true;
  }

  /** HOLD: the supervisor restarts this daemon without a reset when it exits, and counts timeout meanwhile. */
  @Override
  public synchronized boolean hold(Duration timeout) throws IOException {
    long ms = timeout.toMillis();
    if (ms <= 0) {
      throw new IllegalArgumentException("watchdog hold must be positive: " + timeout);
    }
    call("HOLD " + ms);
    return true;
  }

  @Override
  public synchronized void feed() throws IOException {
    call("FEED");
  }

  @Override
  public synchronized void disarm() throws IOException {
    if (channel == null && !armed) {
      return;
    }
    call("DISARM");
    armed = false;
  }

  @Override
  public synchronized boolean armed() {
    return armed;
  }

  /**
   * The supervisor is alive, answers within the deadline and agrees on whether it is armed. Does not feed: a
   * check that fed would keep a node alive whose renewals stopped.
   */
  @Override
  public synchronized void check() throws IOException {
    String status = call("STATUS");
    if (armed && !status.startsWith("ARMED")) {
      throw new IOException("watchdog supervisor at " + socket + " says '" + status + "' while armed");
    }
  }

  /** What the supervisor says: "ARMED <ms>" or "DISARMED". */
  public synchronized String status() throws IOException {
    return call("STATUS");
  }

  /** The cgroup v2 path (as in /proc/PID/cgroup) the supervisor keeps this process in; empty if none. */
  public synchronized Optional<String> cgroup() throws IOException {
    if (cgroup.isEmpty()) {
      String reply = call("CGROUP");
      String path = reply.startsWith("CGROUP ") ? reply.substring(7).trim() : "-";
      cgroup = Optional.of(path);
    }
    return cgroup.filter(p -> !p.equals("-"));
  }

  private String call(String request) throws IOException {
    long end = System.nanoTime() + deadline.toNanos();
    if (channel == null) {
      connect(end);
    }
    String reply;
    try {
      ByteBuffer out = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.US_ASCII));
      while (out.hasRemaining()) {
        if (channel.write(out) == 0) {
          await(SelectionKey.OP_WRITE, end, request);
        }
      }
      reply = readLine(end, request);
    } catch (IOException e) {
      close();
      throw new IOException("watchdog supervisor at " + socket + ": " + e.getMessage(), e);
    }
    if (reply.startsWith("ERR")) {
      throw new IOException("watchdog supervisor refused " + request + ": " + reply.substring(3).trim());
    }
    return reply;
  }

  private String readLine(long end, String request) throws IOException {
    ByteBuffer in = ByteBuffer.allocate(REPLY_MAX);
    while (true) {
      int n = channel.read(in);
      if (n < 0) {
        throw new IOException("closed the connection (a refused peer, or the supervisor went away)");
      }
      for (int i = 0; i < in.position(); i++) {
        if (in.get(i) == '\n') {
          if (i + 1 != in.position()) {
            throw new IOException("answered more than one line to " + request);
          }
          return new String(in.array(), 0, i, StandardCharsets.US_ASCII);
        }
      }
      if (!in.hasRemaining()) {
        throw new IOException("reply longer than " + REPLY_MAX + " bytes");
      }
      if (n == 0) {
        await(SelectionKey.OP_READ, end, request);
      }
    }
  }

  /** Waits until the channel is ready for ops, or throws once the call's deadline has passed. */
  private void await(int ops, long end, String request) throws IOException {
    long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
    if (left <= 0) {
      throw new IOException("no answer to " + request + " within " + deadline.toMillis() + " ms");
    }
    key.interestOps(ops);
    selector.selectedKeys().clear();
    selector.select(left); // select(0) would wait for ever; left >= 1 here
  }

  private void connect(long end) throws IOException {
    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
    Selector s = Selector.open();
    try {
      c.configureBlocking(false);
      key = c.register(s, 0);
      channel = c;
      selector = s;
      if (!c.connect(UnixDomainSocketAddress.of(socket))) {
        while (!c.finishConnect()) {
          await(SelectionKey.OP_CONNECT, end, "connect");
        }
      }
    } catch (IOException e) {
      close();
      throw new IOException("cannot reach watchdog supervisor at " + socket + ": " + e.getMessage(), e);
    }
  }

  /** Drops the connection without disarming. */
  @Override
  public synchronized void close() {
    try {
      if (selector != null) {
        selector.close();
      }
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // closing anyway
    }
    channel = null;
    selector = null;
    key = null;
  }
}
