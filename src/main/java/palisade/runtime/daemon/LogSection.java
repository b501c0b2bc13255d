package palisade.runtime.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import palisade.core.ConfigException;

/**
 * Where the daemon logs ({@code log:} in the node's YAML, a local fact): standard output by default (systemd's
 * journal collects it), or a file rolled by size; text lines or JSON lines.
 *
 * <pre>
 * log:
 *   file: /var/log/palisade/palisade.log   # default: none, standard output
 *   max_size: 50MB                         # roll the file at this size (1MB..1GB; default 50MB)
 *   max_files: 10                          # keep this many rolled files (1..100; default 10)
 *   format: text                           # text (default) or json: one JSON object a line
 *   level: info                            # info (default), debug or warn: Palisade's own loggers
 * </pre>
 *
 * @param file null: standard output
 */
public record LogSection(Path file, long maxSizeBytes, int maxFiles, Format format, String level) {
  /** How a line is written. */
  public enum Format {
    /** {@code 2026-12-03T18:22:11.123Z INFO  [logger] message}. */
    TEXT,
    /** {@code {"time":"2026-12-03T18:22:11.123Z","level":"INFO","logger":"palisade.event","message":"..."}}. */
    JSON
  }

  static final long DEFAULT_MAX_SIZE_BYTES = 50L << 20;
  static final long MIN_SIZE_BYTES = 1L << 20;
  static final long MAX_SIZE_BYTES = 1L << 30;
  static final int DEFAULT_MAX_FILES = 10;
  static final int MAX_FILES_MAX = 100;
  static final Set<String> LEVELS = Set.of("debug", "info", "warn");

  public static LogSection defaults() {
    return new LogSection(null, DEFAULT_MAX_SIZE_BYTES, DEFAULT_MAX_FILES, Format.TEXT, "info");
  }

  static LogSection parse(JsonNode log, Path base) {
    if (log.isMissingNode() || log.isNull()) return defaults();
    if (!log.isObject()) {
      throw new ConfigException("log: expected a mapping (file, max_size, max_files, format, level)");
    }
    ConfigYaml.onlyKeys(log, "log.", Set.of("file", "max_size", "max_files", "format", "level"));
    Path file = log.has("file") ? base.resolve(ConfigYaml.text(log.get("file"), "log.file")) : null;
    long size = DEFAULT_MAX_SIZE_BYTES;
    if (log.has("max_size")) size = size(ConfigYaml.text(log.get("max_size"), "log.max_size"));
    int files = DEFAULT_MAX_FILES;
    if (log.has("max_files")) {
      JsonNode v = log.get("max_files");
      if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1 || v.asInt() > MAX_FILES_MAX) {
        throw new ConfigException("log.max_files: '" + v.asText() + "' is not a count from 1 to " + MAX_FILES_MAX);
      }
      files = v.asInt();
    }
    Format format = Format.TEXT;
    if (log.has("format")) {
      String f = ConfigYaml.text(log.get("format"), "log.format");
      format = switch (f) {
        case "text" -> Format.TEXT;
        case "json" -> Format.JSON;
        default -> throw new ConfigException("log.format: '" + f + "' is not text or json");
      };
    }
    String level = "info";
    if (log.has("level")) {
      level = ConfigYaml.text(log.get("level"), "log.level").toLowerCase(Locale.ROOT);
      if (!LEVELS.contains(level)) throw new ConfigException("log.level: '" + level + "' is not debug, info or warn");
    }
    if ((log.has("max_size") || log.has("max_files")) && file == null) {
      throw new ConfigException("log.max_size, log.max_files: only with log.file (standard output is not rolled)");
    }
    return new LogSection(file, size, files, format, level);
  }

  /** {@code 50MB}, {@code 512KB}, {@code 1GB} (powers of 1024), between 1MB and 1GB. */
  static long size(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,7})\\s*(KB|MB|GB)")
        .matcher(text.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) throw new ConfigException("log.max_size: '" + text + "' is not a size (example: 50MB)");
    long n = Long.parseLong(m.group(1)) << switch (m.group(2)) {
      case "KB" -> 10;
      case "MB" -> 20;
      default -> 30;
    };
    if (n < MIN_SIZE_BYTES || n > MAX_SIZE_BYTES) {
      throw new ConfigException("log.max_size: '" + text + "' must be from 1MB to 1GB");
    }
    return n;
  }
}
