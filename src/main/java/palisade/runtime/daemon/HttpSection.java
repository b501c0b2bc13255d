package palisade.runtime.daemon;

import static palisade.runtime.daemon.ConfigYaml.address;
import static palisade.runtime.daemon.ConfigYaml.loopback;
import static palisade.runtime.daemon.ConfigYaml.onlyKeys;
import static palisade.runtime.daemon.ConfigYaml.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.runtime.daemon.DaemonConfig.Http;

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
        null);
    if (!h.isObject()) throw new ConfigException("http: must be a mapping (address, port, enabled, ...)");
    if (h.has("notify_webhook_file")) {
      throw new ConfigException("http.notify_webhook_file: notifications are set per cluster now: palisade notify "
          + "set --webhook-file FILE");
    }
    if (h.has("notify_smtp")) {
      throw new ConfigException("http.notify_smtp: notifications are set per cluster now: palisade notify set "
          + "--smtp-host H --smtp-from A --smtp-to A [--smtp-port P] [--smtp-credentials-file F]");
    }
    onlyKeys(h, "http.", Set.of("address", "port", "enabled", "tls", "metrics_token_file", "api_tokens_file"));
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
    return new Http(enabled && port != 0, address, port, tls, token, api);
  }
}
