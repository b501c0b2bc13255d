package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The decision core does no I/O, starts no thread, reads no clock and knows nothing of its hosts. */
class CorePurityTest {
  private static final Pattern FORBIDDEN = Pattern.compile(
      "import java\\.(io|net|nio)\\.|java\\.util\\.concurrent|new Thread|Thread\\.|System\\.(currentTimeMillis|nanoTime)"
          + "|java\\.time\\.(Instant|Clock|LocalDateTime)|java\\.util\\.Random|Math\\.random|ThreadLocalRandom"
          + "|import palisade\\.(sim|runtime|cli|web|fencing|lab|bench)|org\\.apache\\.(zookeeper|curator)|synchronized|volatile"
          + "|new HashMap|new HashSet");

  @Test
  void coreSourcesImportNothingImpure() throws IOException {
    List<String> offences = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java/palisade/core"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          if (FORBIDDEN.matcher(lines.get(i)).find()) offences.add(f.getFileName() + ":" + (i + 1) + ": " + lines.get(i));
        }
      }
    }
    assertThat(offences).isEmpty();
  }
}
