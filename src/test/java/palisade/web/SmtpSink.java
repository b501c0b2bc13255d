package palisade.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny SMTP server on loopback for tests (RFC 5321 replies, multi-line EHLO, AUTH PLAIN, dot-unstuffing): it keeps
 * every message it accepts and every command line it saw. {@code rejectRcpt} makes it refuse recipients (550).
 */
final class SmtpSink implements AutoCloseable {
  record Mail(String from, List<String> to, String data, String auth) {
    String header(String name) {
      for (String l : data.split("\r\n")) {
        if (l.isEmpty()) break;
        if (l.regionMatches(true, 0, name + ": ", 0, name.length() + 2)) return l.substring(name.length() + 2);
      }
      return null;
    }

    String body() {
      int i = data.indexOf("\r\n\r\n");
      return i < 0 ? "" : data.substring(i + 4);
    }
  }

  final List<Mail> mails = new CopyOnWriteArrayList<>();
  final List<String> lines = new CopyOnWriteArrayList<>();
  volatile boolean rejectRcpt;
  private final ServerSocket server;
  private final Thread thread;

  SmtpSink() throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "smtp-sink");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        s.setSoTimeout(10_000);
        session(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)),
            s.getOutputStream());
      } catch (IOException e) {
        // closed, or a client gone: next connection
      }
    }
  }

  private void session(BufferedReader in, OutputStream out) throws IOException {
    reply(out, "220 sink ESMTP");
    String from = null;
    String auth = null;
    List<String> to = new ArrayList<>();
    for (String line; (line = in.readLine()) != null; ) {
      lines.add(line);
      String verb = line.split(" ")[0].toUpperCase(java.util.Locale.ROOT);
      switch (verb) {
        case "EHLO" -> reply(out, "250-sink\r\n250-AUTH PLAIN\r\n250 8BITMIME");
        case "AUTH" -> {
          auth = line.substring(line.lastIndexOf(' ') + 1);
          reply(out, "235 ok");
        }
        case "MAIL" -> {
          from = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
          reply(out, "250 ok");
        }
        case "RCPT" -> {
          if (rejectRcpt) {
            reply(out, "550 no such user");
            continue;
          }
          to.add(line.substring(line.indexOf('<') + 1, line.indexOf('>')));
          reply(out, "250 ok");
        }
        case "DATA" -> {
          reply(out, "354 go on");
          StringBuilder data = new StringBuilder();
          for (String l; (l = in.readLine()) != null && !l.equals("."); ) {
            data.append(l.startsWith(".") ? l.substring(1) : l).append("\r\n");
          }
          mails.add(new Mail(from, List.copyOf(to), data.toString(), auth));
          reply(out, "250 queued");
        }
        case "QUIT" -> {
          reply(out, "221 bye");
          return;
        }
        default -> reply(out, "502 not implemented");
      }
    }
  }

  private static void reply(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
