package palisade.runtime.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import palisade.core.ConfigException;
import palisade.io.TextFile;

/**
 * The cluster's notification settings ({@code /notify}, one record for the whole cluster, changed live with
 * {@code palisade notify set}): a webhook URL and an SMTP relay, each optional. Both may carry secrets (a webhook URL
 * often holds a token; the relay's password), so the znode's ACL keeps viewers out ({@link StoreAcl}), and
 * {@link #toString()} and {@link #describe} never show the URL's path or the password.
 *
 * <p>The checks are shared by the CLI (which names its options) and the daemons (which check what they read, since a
 * raw ZooKeeper client could write anything): each takes the name to put in its error.
 *
 * @param webhook an http(s) URL with a host, or null
 * @param smtp the relay for e-mail, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NotifySettings(String webhook, Smtp smtp) {
  public static final NotifySettings NONE = new NotifySettings(null, null);
  /** Default SMTP port. */
  public static final int SMTP_PORT = 25;

  /** Whether any channel is set. */
  public boolean any() {
    return webhook != null || smtp != null;
  }

  /**
   * An SMTP relay: plain SMTP with STARTTLS when the relay offers it; {@code username}/{@code password} (both or
   * neither) for AUTH PLAIN.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Smtp(String host, int port, String from, List<String> to, String username, String password) {
    public Smtp {
      to = to == null ? List.of() : List.copyOf(to);
    }

    /** Host, port, sender and recipients; the user name if any, never the password. */
    @Override
    public String toString() {
      return host + ":" + port + ", from " + from + " to " + String.join(", ", to)
          + (username == null ? ", no credentials" : ", credentials of user " + username + " (password not shown)");
    }
  }

  /** Redacted: the webhook's scheme, host and port only; see {@link Smtp#toString()}. */
  @Override
  public String toString() {
    return "webhook " + (webhook == null ? "none" : redact(webhook)) + "; e-mail " + (smtp == null ? "none" : smtp);
  }

  // ---- checks ------------------------------------------------------------------------------------------------------

  /**
   * Checks what a daemon read from the store; throws naming the field (never the URL). Returns this.
   *
   * @throws ConfigException naming {@code /notify}'s field
   */
  public NotifySettings check() {
    String at = palisade.core.StorePaths.NOTIFY + " ";
    if (webhook != null) webhook(webhook, at + "webhook", "");
    if (smtp != null) {
      host(smtp.host(), at + "smtp.host");
      port(smtp.port(), at + "smtp.port");
      mailbox(smtp.from(), at + "smtp.from");
      if (smtp.to().isEmpty()) throw new ConfigException(at + "smtp.to: names no address");
      for (String a : smtp.to()) mailbox(a, at + "smtp.to");
      if ((smtp.username() == null) != (smtp.password() == null) || (smtp.username() != null
          && (smtp.username().isEmpty() || smtp.username().contains(":") || smtp.password().isEmpty()))) {
        throw new ConfigException(at + "smtp: a user name (without ':') needs a password, and a password a user name");
      }
    }
    return this;
  }

  /** The webhook URL in {@code file}; errors name {@code key} and the file, never the text. */
  public static String webhookFile(Path file, String key) {
    String text;
    try {
      text = TextFile.read(file).strip();
    } catch (TextFile.Unreadable e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
    return webhook(text, key, file + " ");
  }

  /** An http or https URL with a host; the error names {@code key} (and {@code where}), without the text. */
  static String webhook(String text, String key, String where) {
    try {
      URI u = new URI(text);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && u.getHost() != null) return text;
    } catch (URISyntaxException e) {
      // named below, without the text: it may hold a secret
    }
    throw new ConfigException(key + ": " + where + "does not hold an http(s) URL with a host");
  }

  /** A relay's host name or address: no spaces, line breaks or characters a host cannot have. */
  public static String host(String h, String key) {
    if (h == null || h.isBlank()) throw new ConfigException(key + ": must be a non-empty host name or address");
    if (!h.matches("[A-Za-z0-9.:\\[\\]_-]{1,253}")) {
      throw new ConfigException(key + ": '" + printable(h) + "' is not a host name or address");
    }
    return h;
  }

  public static int port(int p, String key) {
    if (p < 1 || p > 65535) throw new ConfigException(key + ": '" + p + "' is not a port (1-65535)");
    return p;
  }

  /** A bare address (local@domain): no display names, spaces or line breaks, which could inject SMTP commands. */
  public static String mailbox(String a, String key) {
    if (a == null || a.isBlank()) throw new ConfigException(key + ": must be a non-empty string");
    if (!a.matches("[^\\s@<>\",;:]+@[A-Za-z0-9.-]+")) {
      throw new ConfigException(key + ": '" + printable(a) + "' is not an e-mail address (local@domain)");
    }
    return a;
  }

  /** Shown in an error: control characters (a line break that would start a new line) as '?'. */
  private static String printable(String s) {
    return s.replaceAll("\\p{Cntrl}", "?");
  }

  /**
   * The {@code user:password} line of a credentials file, as {user, password}; errors name {@code key} and the file,
   * never its text.
   */
  public static String[] credentialsFile(Path f, String key) {
    String text;
    try {
      text = TextFile.read(f).strip();
    } catch (TextFile.Unreadable e) {
      throw new ConfigException(key + ": " + e.getMessage());
    }
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1 || text.contains("\n")) {
      throw new ConfigException(key + ": " + f + " must hold one line user:password");
    }
    return new String[] {text.substring(0, colon), text.substring(colon + 1)};
  }

  // ---- what may be shown -------------------------------------------------------------------------------------------

  /** A webhook URL as {@code scheme://host[:port]/…}: its path, query and user info may hold a secret. */
  public static String redact(String url) {
    try {
      URI u = new URI(url);
      if (u.getScheme() != null && u.getHost() != null) {
        return u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":"
            + u.getPort()) + "/…";
      }
    } catch (URISyntaxException e) {
      // below
    }
    return "(not a URL)";
  }

  /**
   * What a change did, for the audit trail: which channel was set, changed (naming the fields) or removed, with the
   * redacted webhook and no password; empty when nothing changed.
   */
  public static String describe(NotifySettings before, NotifySettings after) {
    NotifySettings b = before == null ? NONE : before;
    NotifySettings a = after == null ? NONE : after;
    StringBuilder sb = new StringBuilder();
    if (!Objects.equals(b.webhook(), a.webhook())) {
      sb.append("; webhook ").append(a.webhook() == null ? "removed" : (b.webhook() == null ? "set to " : "changed to ")
          + redact(a.webhook()));
    }
    if (!Objects.equals(b.smtp(), a.smtp())) {
      if (a.smtp() == null) {
        sb.append("; e-mail removed");
      } else if (b.smtp() == null) {
        sb.append("; e-mail set to ").append(a.smtp());
      } else {
        List<String> changed = new ArrayList<>();
        Smtp o = b.smtp();
        Smtp n = a.smtp();
        if (!o.host().equals(n.host())) changed.add("host " + n.host());
        if (o.port() != n.port()) changed.add("port " + n.port());
        if (!o.from().equals(n.from())) changed.add("from " + n.from());
        if (!o.to().equals(n.to())) changed.add("to " + String.join(", ", n.to()));
        if (!Objects.equals(o.username(), n.username()) || !Objects.equals(o.password(), n.password())) {
          changed.add(n.username() == null ? "credentials removed" : "credentials of user " + n.username());
        }
        sb.append("; e-mail changed: ").append(String.join("; ", changed));
      }
    }
    return sb.toString();
  }
}
