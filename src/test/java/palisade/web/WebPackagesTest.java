package palisade.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The HTTP server observes the daemon; the core, the simulator and the runtime never name it. */
class WebPackagesTest {
  @Test
  void nothingBelowTheCliNamesTheWebPackage() throws IOException {
    List<String> bad = new ArrayList<>();
    for (String pkg : List.of("core", "sim", "runtime", "fencing")) {
      try (Stream<Path> s = Files.walk(Path.of("src/main/java/palisade", pkg))) {
        for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          if (Files.readString(f).contains("palisade.web")) bad.add(f.toString());
        }
      }
    }
    assertThat(bad).isEmpty();
  }
}
