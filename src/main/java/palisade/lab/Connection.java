package palisade.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** One accepted connection and its upstream socket, with one pump thread per direction. */
final class Connection {
  private final Link link;
  private final Socket client;
  private final Socket upstream;
  private final Thread up;
  private final Thread down;
  private final AtomicInteger pumpsDone = new AtomicInteger();

  Connection(Link link, Socket client, Socket upstream) {
    this.link = link;
    this.client = client;
    this.upstream = upstream;
    String prefix = "fault-proxy-" + link.name() + "-" + client.getPort();
    this.up = new Thread(() -> pump(client, upstream, true), prefix + "-up");
    this.down = new Thread(() -> pump(upstream, client, false), prefix + "-down");
    up.setDaemon(true);
    down.setDaemon(true);
  }

  void start() {
    up.start();
    down.start();
  }

  /** Closes both sockets, which ends both pumps. */
  void close() {
    Link.closeQuietly(client);
    Link.closeQuietly(upstream);
  }

  private void pump(Socket from, Socket to, boolean toTarget) {
    byte[] buffer = new byte[Link.BUFFER_BYTES];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        long delayNanos = link.delayNanos(toTarget);
        if (delayNanos > 0) {
          TimeUnit.NANOSECONDS.sleep(delayNanos);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
      // Half-close so a request/response peer still gets its answer.
      to.shutdownOutput();
    } catch (IOException e) {
      close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
    } finally {
      // The second pump to finish releases the connection.
      if (pumpsDone.incrementAndGet() == 2) {
        close();
        link.forget(this);
      }
    }
  }
}
