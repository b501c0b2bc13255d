package palisade.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import palisade.runtime.store.NotifySettings.Smtp;

/**
 * A minimal SMTP client for notifications (RFC 5321): EHLO, STARTTLS when offered, AUTH PLAIN when credentials
 * are set (only over TLS or to a loopback relay), one message per connection. No mail library resolves here
 * (neither jakarta.mail nor angus-mail is in the local repository), and a notification needs nothing more: plain
 * text, ASCII headers, addresses checked by the configuration. Credentials never reach a log or an exception text.
 */
final class Mailer {
  private static final int TIMEOUT_MS = 10_000;
  private final Smtp smtp;
  private final String helo;

  /** A mailer for the cluster's relay (checked by {@link palisade.runtime.store.NotifySettings#check}). */
  Mailer(Smtp smtp, String helo) {
    this.smtp = smtp;
    this.helo = helo;
  }

  /** Sends one plain-text message to every configured recipient; throws with a reply code, never a secret. */
  void send(String subject, String body) throws IOException {
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(smtp.host(), smtp.port()), TIMEOUT_MS);
      plain.setSoTimeout(TIMEOUT_MS);
      Conversation c = new Conversation(plain);
      c.expect(220, "greeting");
      String ehlo = c.command("EHLO " + helo, 250);
      if (ehlo.toUpperCase(java.util.Locale.ROOT).contains("STARTTLS")) {
        c.command("STARTTLS", 220);
        SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
            .createSocket(plain, smtp.host(), smtp.port(), true);
        var p = tls.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // the relay's certificate must name its host
        tls.setSSLParameters(p);
        tls.startHandshake();
        c = new Conversation(tls);
        c.command("EHLO " + helo, 250);
        transact(c, true, subject, body);
      } else {
        transact(c, plain.getInetAddress().isLoopbackAddress(), subject, body);
      }
    }
  }

  private void transact(Conversation c, boolean mayAuth, String subject, String body) throws IOException {
    if (smtp.username() != null) {
      if (!mayAuth) throw new IOException("the relay offers no STARTTLS: credentials are not sent in clear text");
      String plain = "\0" + smtp.username() + "\0" + smtp.password();
      c.command("AUTH PLAIN " + Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8)), 235,
          "AUTH PLAIN");
    }
    c.command("MAIL FROM:<" + smtp.from() + ">", 250);
    for (String to : smtp.to()) c.command("RCPT TO:<" + to + ">", 250);
    c.command("DATA", 354);
    c.write(message(subject, body));
    c.expect(250, "end of data");
    c.command("QUIT", 221);
  }

  /** The message with its headers; CRLF line ends and dot-stuffing, ending with the lone dot. */
  String message(String subject, String body) {
    StringBuilder m = new StringBuilder();
    m.append("From: ").append(smtp.from()).append("\r\n");
    m.append("To: ").append(String.join(", ", smtp.to())).append("\r\n");
    m.append("Subject: ").append(ascii(subject)).append("\r\n");
    m.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)))
        .append("\r\n");
    m.append("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n");
    m.append("\r\n");
    for (String line : body.split("\r?\n", -1)) {
      m.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
    }
    return m.append(".\r\n").toString();
  }

  /** A header value: printable ASCII only (no line break can start a new header). */
  private static String ascii(String s) {
    return s.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /** One SMTP dialogue over a socket: commands out, (multi-line) replies in. */
  private static final class Conversation {
    private final BufferedReader in;
    private final OutputStream out;

    Conversation(Socket s) throws IOException {
      in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      out = s.getOutputStream();
    }

    String command(String line, int code) throws IOException {
      return command(line, code, line.split(" ")[0]);
    }

    /** Sends a command; {@code shown} names it in an error (never the line itself: it may hold a credential). */
    String command(String line, int code, String shown) throws IOException {
      write(line + "\r\n");
      return expect(code, shown);
    }

    void write(String s) throws IOException {
      out.write(s.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    String expect(int code, String after) throws IOException {
      StringBuilder all = new StringBuilder();
      String line;
      do {
        line = in.readLine();
        if (line == null) throw new IOException("the relay closed the connection after " + after);
        all.append(line).append('\n');
      } while (line.length() > 3 && line.charAt(3) == '-');
      if (!line.startsWith(Integer.toString(code))) {
        throw new IOException("the relay answered " + line.substring(0, Math.min(3, line.length())) + " to "
            + after);
      }
      return all.toString();
    }
  }
}
