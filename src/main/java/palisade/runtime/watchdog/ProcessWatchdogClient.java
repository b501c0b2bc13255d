package palisade.runtime.watchdog;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@link WatchdogDevice} backed by a {@link WatchdogSupervisor}, over the Unix socket it names in
 * {@value WatchdogSupervisor#SOCKET_ENV}. One connection, opened on first use. Closing it without
 * {@link #disarm()} leaves the supervisor armed, as a crash would.
 *
 * <p>Calls block until the supervisor answers; a hung supervisor hangs the feeding thread, and
 * a watchdog that is not fed fires: the safe direction. An IOException from {@link #feed()} means
 * the supervisor is gone and nobody will reset this node: the caller must treat that like a
 * fence (kill its resources), since a dead supervisor does not take the agent's group with it.
 */
public final class ProcessWatchdogClient implements WatchdogDevice, AutoCloseable {
  private final Path socket;
  private SocketChannel channel;
  private BufferedReader in;
  private OutputStream out;
  private boolean armed;

  public ProcessWatchdogClient(Path socket) {
    this.socket = socket;
  }

  /** The client for the supervisor that started this process. */
  public static ProcessWatchdogClient fromEnvironment() throws IOException {
    String path = System.getenv(WatchdogSupervisor.SOCKET_ENV);
    if (path == null || path.isBlank()) {
      throw new IOException(WatchdogSupervisor.SOCKET_ENV + " is not set: not started by a WatchdogSupervisor");
    }
    return new ProcessWatchdogClient(Path.of(path));
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

  /** What the supervisor says: "ARMED <ms>" or "DISARMED". */
  public synchronized String status() throws IOException {
    return call("STATUS");
  }

  private String call(String request) throws IOException {
    if (channel == null) {
      connect();
    }
    String reply;
    try {
      out.write((request + "\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      reply = in.readLine();
    } catch (IOException e) {
      close();
      throw new IOException("watchdog supervisor at " + socket + " went away: " + e.getMessage(), e);
    }
    if (reply == null) {
      close();
      throw new IOException("watchdog supervisor at " + socket + " closed the connection");
    }
    if (reply.startsWith("ERR")) {
      throw new IOException("watchdog supervisor refused " + request + ": " + reply.substring(3).trim());
    }
    return reply;
  }

  private void connect() throws IOException {
    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      c.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      c.close();
      throw new IOException("cannot reach watchdog supervisor at " + socket + ": " + e.getMessage(), e);
    }
    channel = c;
    in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.US_ASCII));
    out = Channels.newOutputStream(c);
  }

  /** Drops the connection without disarming. */
  @Override
  public synchronized void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // closing anyway
      }
      channel = null;
      in = null;
      out = null;
    }
  }
}
