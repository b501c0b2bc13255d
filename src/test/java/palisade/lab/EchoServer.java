package palisade.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Loopback echo server for proxy tests: greets each connection with "hi\n", then echoes. */
final class EchoServer implements AutoCloseable {
  final ServerSocket server;
  final AtomicInteger accepted = new AtomicInteger();
  private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  EchoServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    acceptor = new Thread(this::acceptLoop, "echo-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
  }

  private void acceptLoop() {
    try {
      while (true) {
        Socket s = server.accept();
        accepted.incrementAndGet();
        sockets.add(s);
        Thread t = new Thread(() -> echo(s), "echo-conn");
        t.setDaemon(true);
        t.start();
      }
    } catch (IOException e) {
      // closed
    }
  }

  private static void echo(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      out.write("hi\n".getBytes());
      out.flush();
      byte[] b = new byte[1024];
      int n;
      while ((n = in.read(b)) >= 0) {
        out.write(b, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // peer went away
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
