package palisade.sim.scenario;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import palisade.core.ConfigException;

/**
 * The values on a scenario's declaration lines: KEY=VALUE words, yes/no flags, whole numbers. Each error names the
 * line's subject (where) and what is wrong; the caller adds FILE:LINE.
 */
final class DeclarationValues {
  private DeclarationValues() {}

  /** words as KEY=VALUE pairs in the order written; a key not in allowed, or given twice, is an error. */
  static Map<String, String> keyValues(List<String> words, String where, List<String> allowed) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String word : words) {
      int eq = word.indexOf('=');
      if (eq <= 0) throw new ConfigException(where + ": expected KEY=VALUE, got '" + word + "'");
      String k = word.substring(0, eq);
      if (!allowed.contains(k)) throw new ConfigException(where + ": unknown key '" + k + "' (allowed: "
          + String.join(", ", allowed) + ")");
      if (kv.put(k, word.substring(eq + 1)) != null) throw new ConfigException(where + ": " + k + " given twice");
    }
    return kv;
  }

  static boolean yesNo(String v, String where) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "yes", "true", "1" -> true;
      case "no", "false", "0" -> false;
      default -> throw new ConfigException(where + ": expected yes or no, got '" + v + "'");
    };
  }

  /** Checks a node line's `soft_fence=` and `kdump=` where they are written, so the error names that line. */
  static void checkFenceExtras(Map<String, String> attrs, String node) {
    softFence(attrs, node);
    yesNo(attrs.getOrDefault("kdump", "no"), "node " + node + " kdump");
  }

  /** A node's `soft_fence=ssh|no` (absent: no). */
  static boolean softFence(Map<String, String> attrs, String node) {
    String v = attrs.getOrDefault("soft_fence", "no");
    if (!v.equals("ssh") && !v.equals("no")) {
      throw new ConfigException("node " + node + " soft_fence: expected ssh or no, got '" + v + "'");
    }
    return v.equals("ssh");
  }

  static int integer(String v, String where) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigException(where + ": '" + v + "' is not a whole number");
    }
  }
}
