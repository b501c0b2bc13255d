package palisade.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import palisade.core.ResourceConfig;
import palisade.runtime.store.Operations;

/**
 * The file `resource import` reads and `resource export` writes: a YAML or JSON list of resources, each with the
 * fields `resource add` takes in the HTTP API's spelling. Reading keeps each entry's and each field's line, so that a
 * problem is reported as FILE:LINE naming the field; every problem is collected (the caller refuses the whole file).
 */
final class ResourceFile {
  /** The fields of an entry, in the order export writes them. */
  static final List<String> FIELDS = List.of("id", "type", "node", "group", "state", "priority", "max_restart",
      "max_relocate", "disks", "options");

  /** One entry: its line, each field's line, and the resource as `resource add` would be given it. */
  record Entry(int line, Map<String, Integer> fieldLines, Operations.NewResource resource) {
    /** The line of field (the entry's own line when the field is absent or unknown). */
    int lineOf(String field) {
      return field == null ? line : fieldLines.getOrDefault(field, line);
    }
  }

  /** A problem at a line of the file. */
  record Problem(int line, String message) {}

  /** The entries read whole, and the problems found on the way (entries with a problem are left out). */
  record Parsed(List<Entry> entries, List<Problem> problems) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS).stringQuotingChecker(new PlainWhenSafe())
      .loaderOptions(importLoaderOptions()).build());

  /** SnakeYAML stops at 3 M code points by default; a 50,000-resource file is larger (the file size is bounded). */
  private static LoaderOptions importLoaderOptions() {
    LoaderOptions o = new LoaderOptions();
    o.setCodePointLimit((int) IMPORT_BYTES_MAX);
    return o;
  }

  /**
   * Leaves a value unquoted only when it plainly reads back as the same string: a letter, '/' or '_' first, then
   * letters, digits, spaces and . _ : / @ + = , - (no ": " or " #"), and not a word YAML reads as true, false or
   * null. Everything else is quoted (".inf", "007", "yes" would not come back as the strings they are).
   */
  private static final class PlainWhenSafe extends StringQuotingChecker.Default {
    private static final long serialVersionUID = 1L;
    private static final java.util.regex.Pattern SAFE =
        java.util.regex.Pattern.compile("[A-Za-z/_](?:[A-Za-z0-9 ._:/@+=,-]*[A-Za-z0-9._/@+=-])?");
    private static final java.util.Set<String> WORDS = java.util.Set.of("y", "n", "yes", "no", "on", "off", "true",
        "false", "null");

    @Override
    public boolean needToQuoteValue(String value) {
      return super.needToQuoteValue(value) || !SAFE.matcher(value).matches() || value.contains(": ")
          || value.contains(" #") || WORDS.contains(value.toLowerCase(Locale.ROOT));
    }
  }

  private ResourceFile() {}

  /** JSON by the extension .json, YAML by .yaml or .yml, else JSON when the text starts with '[' or '{'. */
  static boolean isJson(Path file, String text) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".json")) return true;
    if (name.endsWith(".yaml") || name.endsWith(".yml")) return false;
    String t = text.stripLeading();
    return t.startsWith("[") || t.startsWith("{");
  }

  /** Reads file; a syntax error ends the reading with its line (the entries before it are still checked). */
  static Parsed read(Path file, String text) {
    List<Entry> entries = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    JsonFactory f = isJson(file, text) ? JSON.getFactory() : YAML.getFactory();
    try (JsonParser p = f.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) return new Parsed(entries, problems); // an empty file: nothing to import
      if (t != JsonToken.START_ARRAY) {
        problems.add(new Problem(line(p), "expected a list of resources (as resource export writes)"));
        return new Parsed(entries, problems);
      }
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        int line = line(p);
        if (t != JsonToken.START_OBJECT) {
          problems.add(new Problem(line, "entry " + (entries.size() + 1) + ": expected a resource (id, node, ...)"));
          p.skipChildren();
          continue;
        }
        entry(p, line, problems, entries);
      }
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      problems.add(new Problem(line, "not valid " + (isJson(file, text) ? "JSON" : "YAML") + ": "
          + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("")));
    } catch (IOException e) {
      problems.add(new Problem(0, e.getMessage()));
    }
    return new Parsed(entries, problems);
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
  }

  /** One entry, its fields read by name with their lines; added to entries when it has no problem. */
  private static void entry(JsonParser p, int line, List<Problem> problems, List<Entry> entries) throws IOException {
    Map<String, Integer> lines = new LinkedHashMap<>();
    Map<String, JsonNode> values = new LinkedHashMap<>();
    int before = problems.size();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      int at = line(p);
      p.nextToken();
      JsonNode v = JSON.readTree(p);
      if (!FIELDS.contains(field)) {
        problems.add(new Problem(at, "unknown field '" + Operations.shorten(field) + "' (fields: "
            + String.join(", ", FIELDS) + ")"));
      } else if (lines.containsKey(field)) {
        problems.add(new Problem(at, field + ": given twice (also at line " + lines.get(field) + ")"));
      } else {
        lines.put(field, at);
        if (v != null && !v.isNull()) values.put(field, v);
      }
    }
    Fields fs = new Fields(values, lines, line, problems);
    String id = fs.text("id");
    fs.id = id;
    String node = fs.text("node");
    if (id == null && !values.containsKey("id")) problems.add(new Problem(line, "id: missing"));
    if (node == null && !values.containsKey("node")) {
      problems.add(new Problem(line, (id == null ? "" : id + ": ") + "node: missing"));
    }
    Operations.NewResource r = new Operations.NewResource(id, node, orElse(fs.text("type"), "process"),
        fs.options(), orElse(fs.text("state"), "started"), fs.text("group"), fs.whole("priority", 0),
        fs.whole("max_restart", ResourceConfig.DEFAULT_MAX_RESTART),
        fs.whole("max_relocate", ResourceConfig.DEFAULT_MAX_RELOCATE), fs.disks());
    if (problems.size() == before) entries.add(new Entry(line, Map.copyOf(lines), r));
  }

  private static String orElse(String v, String dflt) {
    return v == null ? dflt : v;
  }

  /** An entry's values, converted; a value of the wrong kind is a problem at its line. */
  private static final class Fields {
    private final Map<String, JsonNode> values;
    private final Map<String, Integer> lines;
    private final int line;
    private final List<Problem> problems;
    /** The entry's id once read, to name it in the problems. */
    private String id;

    Fields(Map<String, JsonNode> values, Map<String, Integer> lines, int line, List<Problem> problems) {
      this.values = values;
      this.lines = lines;
      this.line = line;
      this.problems = problems;
    }

    private void wrong(String field, String what) {
      problems.add(new Problem(lines.getOrDefault(field, line), (id == null ? "" : id + ": ") + field + ": " + what));
    }

    String text(String field) {
      JsonNode v = values.get(field);
      if (v == null) return null;
      if (!v.isTextual()) {
        wrong(field, "must be a string" + (v.isValueNode() ? " (quote it: \"" + v.asText() + "\")" : ""));
        return null;
      }
      return v.asText();
    }

    int whole(String field, int dflt) {
      JsonNode v = values.get(field);
      if (v == null) return dflt;
      if (!v.isIntegralNumber() || !v.canConvertToInt()) {
        wrong(field, "must be a whole number");
        return dflt;
      }
      return v.intValue();
    }

    List<String> disks() {
      JsonNode v = values.get("disks");
      List<String> out = new ArrayList<>();
      if (v == null) return out;
      if (!v.isArray()) {
        wrong("disks", "must be a list of disk names or paths");
        return out;
      }
      for (JsonNode d : v) {
        if (!d.isTextual()) wrong("disks", "each disk must be a string");
        else out.add(d.asText());
      }
      return out;
    }

    Map<String, String> options() {
      JsonNode v = values.get("options");
      TreeMap<String, String> out = new TreeMap<>();
      if (v == null) return out;
      if (!v.isObject()) {
        wrong("options", "must be a map of KEY: VALUE");
        return out;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          wrong("options", "'" + Operations.shorten(e.getKey()) + "' must be a string" + (e.getValue().isValueNode()
              ? " (quote it: \"" + e.getValue().asText() + "\")" : ""));
        } else {
          out.put(e.getKey(), e.getValue().asText());
        }
      }
      return out;
    }
  }

  /** A resource as export writes it (and import reads it back to an equal configuration). */
  static Map<String, Object> entry(ResourceConfig r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("type", r.type());
    m.put("node", r.node());
    if (r.group() != null) m.put("group", r.group());
    m.put("state", r.state().name().toLowerCase(Locale.ROOT));
    m.put("priority", r.priority());
    m.put("max_restart", r.maxRestart());
    m.put("max_relocate", r.maxRelocate());
    m.put("disks", r.disks());
    m.put("options", r.options());
    return m;
  }

  /** Every resource, in id order, as YAML or pretty JSON. */
  static String write(Iterable<ResourceConfig> resources, boolean json) throws JsonProcessingException {
    List<Map<String, Object>> list = new ArrayList<>();
    for (ResourceConfig r : resources) list.add(entry(r));
    return json ? JSON.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(list) + "\n"
        : YAML.writeValueAsString(list);
  }

  /** The file's text (at most IMPORT_BYTES_MAX), or a CliError naming it. */
  static String text(Path file) {
    try {
      if (Files.size(file) > IMPORT_BYTES_MAX) {
        throw new CliError(file + ": larger than " + IMPORT_BYTES_MAX / (1 << 20) + " MiB");
      }
      return Files.readString(file);
    } catch (IOException e) {
      throw new CliError(file + ": cannot read it (" + e.getMessage() + ")");
    }
  }

  /** 50,000 resources take about 10 MiB of YAML; this leaves room and keeps a wrong file from filling the heap. */
  static final long IMPORT_BYTES_MAX = 64L << 20;
}
