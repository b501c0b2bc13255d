package palisade.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code -o, --output table|json} on the read commands. JSON is the HTTP API's bodies, built by the same code
 * ({@link palisade.web.Api}), printed pretty (two-space indent, one document); `events --follow` prints one compact
 * object a line instead, so that a reader can act on each line as it comes.
 */
final class OutputOption {
  /** How a read command prints. */
  enum Format {
    /** The aligned text tables (the default). */
    TABLE,
    /** The API's JSON shapes. */
    JSON
  }

  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper COMPACT = new ObjectMapper();

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", converter = FormatConverter.class,
      description = "table (default) or json: the HTTP API's JSON shapes")
  Format format = Format.TABLE;

  boolean json() {
    return format == Format.JSON;
  }

  /** How a command prints its table (it may read files as it goes). */
  interface TablePrinter {
    void print(PrintStream out) throws IOException;
  }

  /** On standard output: body as one JSON document with {@code -o json}, else the table. */
  void print(Object body, TablePrinter table) throws IOException {
    if (json()) {
      print(body, System.out);
    } else {
      table.print(System.out);
    }
  }

  /** One JSON document, pretty. */
  static void print(Object body, PrintStream out) {
    out.println(write(PRETTY, body));
  }

  /** One JSON value on one line (JSON Lines). */
  static void printLine(Object body, PrintStream out) {
    out.println(write(COMPACT, body));
    out.flush();
  }

  private static String write(ObjectMapper mapper, Object body) {
    try {
      return mapper.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      // only maps, lists, strings and numbers reach here: a failure is a bug, not bad input
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** {@code table} or {@code json}, in any case; anything else is refused naming the option (exit 2). */
  static final class FormatConverter implements ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "table" -> Format.TABLE;
        case "json" -> Format.JSON;
        default -> throw new TypeConversionException("'" + shorten(value) + "' is not an output format (table or "
            + "json)");
      };
    }

    private static String shorten(String s) {
      return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
  }
}
