package palisade;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The house rules, checked on every build (TigerBeetle's tidy.zig is the model): a pure core, one-way package
 * arrows, short files and methods, and every DESIGN invariant both asserted where it is decided and checked by the
 * simulator from outside. The allow-lists may only shrink.
 */
class TidyTest {
  private static final Path MAIN = Path.of("src/main/java/palisade");

  /** Lines a main source file may have; beyond it only the allow-list, and never beyond the hard limit. */
  static final int FILE_LINES_MAX = 450;
  static final int FILE_LINES_HARD_MAX = 600;
  static final int METHOD_LINES_MAX = 80;

  /** Files over FILE_LINES_MAX today, each with the size it may not exceed. Shrink, never grow. */
  static final Map<String, Integer> LONG_FILES = Map.of();

  /** Methods over METHOD_LINES_MAX today ("path#name"). Shrink, never grow. */
  static final Set<String> LONG_METHODS = Set.of(
      "cli/DemoCommand.java#real");

  /**
   * Which packages each top-level package may name. Arrows point one way: nothing below names anything above, and
   * only the command line names the benchmarks and the lab.
   */
  static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("core", Set.of()),
      Map.entry("io", Set.of()),
      Map.entry("storage", Set.of("core")),
      Map.entry("sim", Set.of("core")),
      Map.entry("sim.check", Set.of("core", "sim")),
      Map.entry("sim.scenario", Set.of("core", "io", "sim", "sim.check")),
      Map.entry("fencing", Set.of("core", "io")),
      Map.entry("runtime", Set.of("core", "io", "fencing", "storage")),
      Map.entry("web", Set.of("core", "io", "fencing", "runtime")),
      Map.entry("lab", Set.of("core", "io", "fencing", "runtime", "storage")),
      Map.entry("bench", Set.of("core", "io", "sim", "sim.check", "sim.scenario", "fencing", "runtime", "lab")),
      Map.entry("cli", Set.of("core", "io", "sim", "sim.check", "sim.scenario", "fencing", "runtime", "web", "lab",
          "bench", "storage")),
      Map.entry("", Set.of("cli")));

  private static final Pattern CORE_IMPURE = Pattern.compile(
      "import java\\.(io|net|nio)\\.|java\\.util\\.concurrent|new Thread|Thread\\.|System\\.(currentTimeMillis|nanoTime"
          + "|out|err|getenv|getProperty)|java\\.time\\.(Instant|Clock|LocalDateTime|ZonedDateTime)"
          + "|java\\.util\\.Random|Math\\.random|ThreadLocalRandom|SecureRandom|org\\.apache\\.(zookeeper|curator)"
          + "|synchronized|volatile|\\bHash(Map|Set|table)\\b|ConcurrentHashMap|IdentityHashMap|\\.parallel\\(");
  private static final Pattern PALISADE_NAME = Pattern.compile("\\bpalisade\\.([a-z]+(?:\\.[a-z]+)*)\\.[A-Z]");
  private static final Pattern METHOD = Pattern.compile(
      "^\\s*(?:(?:public|protected|private|static|final|abstract|default|synchronized|native)\\s+)*"
          + "(?:<[^>]+>\\s+)?[\\w.<>\\[\\], ?]+\\s+(\\w+)\\s*\\([^;]*$");
  private static final Pattern TYPE_DECLARATION = Pattern.compile("\\b(class|record|interface|enum)\\s+\\w+");
  private static final Set<String> NOT_METHODS = Set.of("if", "for", "while", "switch", "catch", "synchronized",
      "return", "new", "else", "try", "do", "throw");

  @Test
  void theCoreIsPure() throws IOException {
    List<String> offences = new ArrayList<>();
    for (Path f : sources(MAIN.resolve("core"))) {
      List<String> lines = code(f);
      for (int i = 0; i < lines.size(); i++) {
        if (CORE_IMPURE.matcher(lines.get(i)).find()) offences.add(where(f, i) + lines.get(i).trim());
      }
    }
    assertThat(offences).as("impure code in palisade.core").isEmpty();
  }

  @Test
  void packageArrowsPointOneWay() throws IOException {
    List<String> offences = new ArrayList<>();
    for (Path f : sources(MAIN)) {
      String pkg = packageOf(f);
      Set<String> allowed = ALLOWED.get(pkg);
      if (allowed == null) {
        offences.add(MAIN.relativize(f) + ": package palisade." + pkg + " is not in the architecture (TidyTest.ALLOWED)");
        continue;
      }
      List<String> lines = code(f);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = PALISADE_NAME.matcher(lines.get(i));
        while (m.find()) {
          String target = topPackage(m.group(1));
          if (!target.equals(pkg) && !allowed.contains(target)) {
            offences.add(where(f, i) + "palisade." + pkg + " names palisade." + target);
          }
        }
      }
    }
    assertThat(offences).as("package arrows").isEmpty();
  }

  @Test
  void filesAndMethodsStayShort() throws IOException {
    List<String> offences = new ArrayList<>();
    for (Path f : sources(MAIN)) {
      String rel = MAIN.relativize(f).toString();
      List<String> lines = Files.readAllLines(f);
      int limit = LONG_FILES.getOrDefault(rel, FILE_LINES_MAX);
      if (lines.size() > Math.min(limit, FILE_LINES_HARD_MAX)) {
        offences.add(rel + ": " + lines.size() + " lines (limit " + Math.min(limit, FILE_LINES_HARD_MAX) + ")");
      }
      for (Map.Entry<String, Integer> m : methodLengths(code(f)).entrySet()) {
        if (m.getValue() > METHOD_LINES_MAX && !LONG_METHODS.contains(rel + "#" + m.getKey())) {
          offences.add(rel + "#" + m.getKey() + ": " + m.getValue() + " lines (limit " + METHOD_LINES_MAX + ")");
        }
      }
    }
    assertThat(offences).as("long files and methods").isEmpty();
  }

  @Test
  void everyInvariantHasACheckerAndTheDecidedOnesAnAssertion() throws IOException {
    Set<Integer> checked = new TreeSet<>();
    Pattern checker = Pattern.compile("[Ii]nvariant\\s*([1-7])\\b");
    for (Path f : sources(MAIN.resolve("sim/check"))) {
      Matcher m = checker.matcher(String.join("\n", Files.readAllLines(f)));
      while (m.find()) checked.add(Integer.parseInt(m.group(1)));
    }
    assertThat(checked).as("DESIGN invariants with a checker in palisade.sim.check").containsExactly(1, 2, 3, 4, 5, 6, 7);

    Set<Integer> asserted = new TreeSet<>();
    Pattern assertion = Pattern.compile("Check\\.invariant\\(\\s*([1-7])\\s*,");
    for (Path f : sources(MAIN.resolve("core"))) {
      Matcher m = assertion.matcher(String.join("\n", Files.readAllLines(f)));
      while (m.find()) asserted.add(Integer.parseInt(m.group(1)));
    }
    assertThat(asserted).as("DESIGN invariants asserted with Check.invariant in palisade.core").contains(2, 3, 4, 7);
  }

  @Test
  void methodLengthsAreMeasuredAsTheyLook() {
    List<String> src = List.of(
        "class A {",
        "  void shortOne() {",
        "    if (x) {",
        "      y(\"}\");",
        "    }",
        "  }",
        "  int other(int a,",
        "      int b) {",
        "    return a;",
        "  }",
        "}");
    assertThat(methodLengths(src)).containsEntry("shortOne", 5).containsEntry("other", 4).doesNotContainKey("if");
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  private static List<Path> sources(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  /** palisade.X.Y of a file, as a key of ALLOWED: "sim.check", "runtime" (all runtime subpackages), "" for Main. */
  private static String packageOf(Path f) {
    Path rel = MAIN.relativize(f.getParent());
    return rel.toString().isEmpty() ? "" : topPackage(rel.toString().replace('/', '.'));
  }

  private static String topPackage(String pkg) {
    if (pkg.startsWith("sim.check") || pkg.startsWith("sim.scenario")) return pkg.substring(0, pkg.indexOf('.', 4) < 0
        ? pkg.length() : pkg.indexOf('.', 4));
    int dot = pkg.indexOf('.');
    return dot < 0 ? pkg : pkg.substring(0, dot);
  }

  /** The file's lines with comments and string contents blanked, so rules see only code. */
  static List<String> code(Path f) throws IOException {
    return stripComments(Files.readAllLines(f));
  }

  static List<String> stripComments(List<String> lines) {
    List<String> out = new ArrayList<>();
    boolean block = false;
    for (String line : lines) {
      StringBuilder sb = new StringBuilder();
      boolean str = false;
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        char next = i + 1 < line.length() ? line.charAt(i + 1) : 0;
        if (block) {
          if (c == '*' && next == '/') {
            block = false;
            i++;
          }
        } else if (str) {
          if (c == '\\') i++;
          else if (c == '"') {
            str = false;
            sb.append('"');
          }
        } else if (c == '/' && next == '/') {
          break;
        } else if (c == '/' && next == '*') {
          block = true;
          i++;
        } else if (c == '"') {
          str = true;
          sb.append('"');
        } else if (c == '\'' && i + 2 < line.length() && line.charAt(i + 1) != '\\') {
          sb.append("' '");
          i += 2;
        } else {
          sb.append(c);
        }
      }
      out.add(sb.toString());
    }
    return out;
  }

  /** Each method's length in lines, from its declaration to its closing brace (braces in strings ignored). */
  static Map<String, Integer> methodLengths(List<String> rawLines) {
    List<String> lines = stripComments(rawLines);
    Map<String, Integer> lengths = new TreeMap<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = METHOD.matcher(lines.get(i));
      if (!m.find() || NOT_METHODS.contains(m.group(1)) || lines.get(i).contains("=")
          || TYPE_DECLARATION.matcher(lines.get(i)).find()) continue;
      int depth = 0;
      boolean opened = false;
      for (int j = i; j < lines.size(); j++) {
        String l = lines.get(j);
        if (!opened && l.contains(";") && !l.contains("{")) break; // an abstract or interface method
        for (char c : l.toCharArray()) {
          if (c == '{') {
            depth++;
            opened = true;
          } else if (c == '}') {
            depth--;
          }
        }
        if (opened && depth == 0) {
          lengths.merge(m.group(1), j - i + 1, Math::max);
          break;
        }
      }
    }
    return lengths;
  }

  private static String where(Path f, int line) {
    return MAIN.relativize(f) + ":" + (line + 1) + ": ";
  }
}
