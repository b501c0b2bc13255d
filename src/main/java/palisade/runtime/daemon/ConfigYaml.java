package palisade.runtime.daemon;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;
import palisade.core.ConfigException;

/** Reading the daemon configuration's YAML: the strict reader and the checked scalar helpers every section uses. */
final class ConfigYaml {
  private ConfigYaml() {}

  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  /** A key given twice is an error (not: the last one wins), so a file means what every line of it says. */
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  /** The document's root; a YAML syntax error names its line. */
  static JsonNode read(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new ConfigException((at != null && at.getLineNr() > 0 ? "line " + at.getLineNr() + ": " : "")
          + "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
  }

  /** A loopback address as written (no name lookup): 127.0.0.0/8 or localhost. */
  static boolean loopback(String a) {
    return a.equals("localhost") || a.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  static void onlyKeys(JsonNode n, String where, Set<String> allowed) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw new ConfigException(where + k + ": unknown key (allowed: " + String.join(", ", allowed.stream()
            .sorted().toList()) + ")");
      }
    }
  }

  static JsonNode required(JsonNode n, String key) {
    return required(n, key, null);
  }

  static JsonNode required(JsonNode n, String key, String where) {
    JsonNode v = n.get(key);
    String full = where == null ? key : where + "." + key;
    if (v == null || v.isNull()) throw new ConfigException(full + ": is required");
    return v;
  }

  static String text(JsonNode v, String key) {
    if (!v.isValueNode() || v.asText().isBlank()) throw new ConfigException(key + ": must be a non-empty string");
    return v.asText().trim();
  }

  static String name(JsonNode v, String key) {
    String s = text(v, key);
    if (!NAME.matcher(s).matches()) {
      throw new ConfigException(key + ": '" + s + "' must be lower-case letters, digits, '-' or '_' (max 63)");
    }
    return s;
  }

  /** Longest host name (RFC 1035). */
  private static final int HOST_NAME_MAX = 253;
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  /**
   * An IPv4 literal or a host name of letters, digits, '-' and '.': never text that a tool we hand it to could take
   * for an option or a second argument ("127.0.0.1 -x"). IPv6 literals are refused: the store's connect strings
   * are host:port without brackets.
   */
  static String address(String a, String key) {
    String why = null;
    if (a.contains(":")) {
      why = "is an IPv6 literal, which host:port connect strings cannot carry (use a host name or IPv4)";
    } else if (a.length() > HOST_NAME_MAX || a.startsWith(".") || a.endsWith(".")
        || !Arrays.stream(a.split("\\.", -1)).allMatch(l -> LABEL.matcher(l).matches())) {
      why = "must be an IPv4 address or a host name (letters, digits, '-' and '.')";
    } else if (a.matches("[0-9.]+")) {
      String[] parts = a.split("\\.");
      boolean ok = parts.length == 4;
      for (String part : parts) ok &= part.length() <= 3 && Integer.parseInt(part) <= 255;
      if (!ok) why = "is not an IPv4 address (four numbers 0-255)";
    }
    if (why != null) throw new ConfigException(key + ": '" + a + "' " + why);
    return a;
  }

  static int port(JsonNode n, String key, int dflt, String where) {
    JsonNode v = n.get(key);
    if (v == null) return dflt;
    // an integer node only: 2181.5 is not a port (canConvertToInt alone would truncate it to 2181)
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 65535) {
      throw new ConfigException(where + "." + key + ": '" + v.asText() + "' is not a port (1-65535)");
    }
    return v.asInt();
  }
}
