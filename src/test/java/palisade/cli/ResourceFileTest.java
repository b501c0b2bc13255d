package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ResourceFileTest {
  /** A 50,000-resource export is about 10 MiB of YAML: more than SnakeYAML's default 3 M code points. */
  @Test
  void aYamlFileOverThreeMillionCodePointsIsRead() {
    StringBuilder yaml = new StringBuilder();
    int n = 40_000;
    for (int i = 0; i < n; i++) {
      yaml.append("- id: vm:").append(100_000 + i).append("\n  type: process\n  node: node1\n  state: stopped\n")
          .append("  options:\n    command: /usr/bin/sleep 1000000 # a comment to make the line long\n");
    }
    assertThat(yaml.length()).isGreaterThan(3 * 1024 * 1024);

    ResourceFile.Parsed parsed = ResourceFile.read(Path.of("big.yaml"), yaml.toString());

    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.entries()).hasSize(n);
    assertThat(parsed.entries().get(n - 1).line()).isEqualTo(6 * (n - 1) + 1);
  }
}
