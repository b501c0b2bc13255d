package palisade.runtime.daemon;

import static palisade.runtime.daemon.ConfigYaml.address;
import static palisade.runtime.daemon.ConfigYaml.loopback;
import static palisade.runtime.daemon.ConfigYaml.onlyKeys;
import static palisade.runtime.daemon.ConfigYaml.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.runtime.daemon.DaemonConfig.Http;
import palisade.runtime.daemon.DaemonConfig.Smtp;

/**
 * The daemon configuration's {@code http} section: {@link DaemonConfig#DEFAULT_HTTP_PORT} on the node's own address
 * (its nodes[].address); port 0 or enabled: false turn it off. The server speaks HTTPS
 * with the node's store credential unless {@code tls: false}, which only a loopback address may have: API tokens
 * must not cross a network in clear text.
 */
final class HttpSection {
  private HttpSection() {}

  static Http parse(JsonNode h, String self, Path base) {
    String dflt = self;
    if (h.isMissingNode() || h.isNull()) return new Http(true, dflt, DaemonConfig.DEFAULT_HTTP_PORT, true, null,
        null, null, null);
    if (!h.isObject()) throw new ConfigException("http: must be a mapping (address, port, enabled, ...)");
    onlyKeys(h, "http.", Set.of("address", "port", "enabled", "tls", "metrics_token_file", "api_tokens_file",
        "notify_webhook_file", "notify_smtp"));
    boolean enabled = true;
    if (h.has("enabled")) {
      if (!h.get("enabled").isBoolean()) throw new ConfigException("http.enabled: must be true or false");
      enabled = h.get("enabled").asBoolean();
    }
    String address = h.has("address") ? address(text(h.get("address"), "http.address"), "http.address") : dflt;
    boolean tls = true;
    if (h.has("tls")) {
      if (!h.get("tls").isBoolean()) throw new ConfigException("http.tls: must be true or false");
      tls = h.get("tls").asBoolean();
    }
    if (!tls && !loopback(address)) {
      throw new ConfigException("http.tls: false needs a loopback http.address (127.0.0.0/8 or localhost), not '"
          + address + "': API tokens must not cross a network in clear text");
    }
    int port = DaemonConfig.DEFAULT_HTTP_PORT;
    if (h.has("port")) {
      JsonNode v = h.get("port");
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > 65535) {
        throw new ConfigException("http.port: '" + v.asText() + "' is not a port (0 to turn HTTP off, 1-65535)");
      }
      port = v.asInt();
    }
    Path token = h.has("metrics_token_file") ? base.resolve(text(h.get("metrics_token_file"),
        "http.metrics_token_file")) : null;
    Path api = h.has("api_tokens_file") ? base.resolve(text(h.get("api_tokens_file"), "http.api_tokens_file"))
        : null;
    Path hook = h.has("notify_webhook_file") ? base.resolve(text(h.get("notify_webhook_file"),
        "http.notify_webhook_file")) : null;
    Smtp smtp = h.has("notify_smtp") ? smtp(h.get("notify_smtp"), base) : null;
    return new Http(enabled && port != 0, address, port, tls, token, api, hook, smtp);
  }

  /** http.notify_smtp: host, port (default 25), from, to (one address or a list), credentials_file (optional). */
  static Smtp smtp(JsonNode m, Path base) {
    String key = "http.notify_smtp";
    if (!m.isObject()) throw new ConfigException(key + ": must be a mapping (host, port, from, to, credentials_file)");
    onlyKeys(m, key + ".", Set.of("host", "port", "from", "to", "credentials_file"));
    for (String k : List.of("host", "from", "to")) {
      if (!m.has(k)) throw new ConfigException(key + "." + k + ": is required");
    }
    String host = text(m.get("host"), key + ".host");
    int port = 25;
    if (m.has("port")) {
      JsonNode v = m.get("port");
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 65535) {
        throw new ConfigException(key + ".port: '" + v.asText() + "' is not a port (1-65535)");
      }
      port = v.asInt();
    }
    String from = mailbox(m.get("from"), key + ".from");
    List<String> to = new ArrayList<>();
    JsonNode t = m.get("to");
    if (t.isArray()) {
      for (int i = 0; i < t.size(); i++) to.add(mailbox(t.get(i), key + ".to[" + i + "]"));
    } else {
      to.add(mailbox(t, key + ".to"));
    }
    if (to.isEmpty()) throw new ConfigException(key + ".to: names no address");
    Path creds = m.has("credentials_file") ? base.resolve(text(m.get("credentials_file"),
        key + ".credentials_file")) : null;
    return new Smtp(host, port, from, List.copyOf(to), creds);
  }

  /** A bare address (local@domain): no display names, spaces or line breaks, which could inject SMTP commands. */
  private static String mailbox(JsonNode v, String key) {
    String a = text(v, key);
    if (!a.matches("[^\\s@<>\",;:]+@[A-Za-z0-9.-]+")) {
      throw new ConfigException(key + ": '" + a + "' is not an e-mail address (local@domain)");
    }
    return a;
  }
}
