package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static palisade.cli.CliHelpTest.palisade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.cli.CliHelpTest.Run;

/** `palisade storage`: exit 0 accepted, 3 rejected as stale, 2 bad input; show and log say who wrote what. */
class StorageCliTest {
  @TempDir Path dir;

  private Run write(String... more) {
    String[] args = new String[more.length + 4];
    args[0] = "storage";
    args[1] = "write";
    args[2] = "--dir";
    args[3] = dir.toString();
    System.arraycopy(more, 0, args, 4, more.length);
    return palisade(args);
  }

  @Test
  void aStaleTokenExitsThreeAndWritesNothing() throws Exception {
    assertThat(write("--disk", "vm1", "--token", "5", "--node", "node1", "--data", "five").exit()).isZero();
    assertThat(write("--disk", "vm1", "--token", "7", "--node", "node2", "--data", "seven").exit()).isZero();
    Run stale = write("--disk", "vm1", "--token", "6", "--node", "node1", "--data", "late");
    assertThat(stale.exit()).isEqualTo(3);
    assertThat(stale.err()).startsWith("rejected: token 6 is older than 7 already seen for disk vm1");
    assertThat(stale.out()).isEmpty();
    assertThat(write("--metadata", "--token", "2", "--node", "node3", "--data", "pool").exit()).isZero();
    assertThat(write("--metadata", "--token", "1", "--node", "node1", "--data", "old").err())
        .startsWith("rejected: token 1 is older than 2 already seen for the metadata");

    Run log = palisade("storage", "log", "--dir", dir.toString(), "--disk", "vm1", "-o", "json");
    assertThat(log.exit()).as(log.err()).isZero();
    JsonNode records = new ObjectMapper().readTree(log.out());
    assertThat(records).hasSize(2);
    assertThat(records.get(0).get("token").asLong()).isEqualTo(5);
    assertThat(records.get(1).get("node").asText()).isEqualTo("node2");
    assertThat(records.get(1).get("bytes").asLong()).isEqualTo(5);

    Run show = palisade("storage", "show", "--dir", dir.toString());
    assertThat(show.exit()).as(show.err()).isZero();
    assertThat(show.out()).containsPattern("disk vm1 +7 +node2 +\\S+ +2 +1")
        .containsPattern("metadata +2 +node3 +\\S+ +1 +1");
    Run one = palisade("storage", "show", "--dir", dir.toString(), "vm1", "-o", "json");
    JsonNode body = new ObjectMapper().readTree(one.out());
    assertThat(body.get("newest_token").asLong()).isEqualTo(7);
    assertThat(body.get("rejected_records").get(0).get("node").asText()).isEqualTo("node1");
    assertThat(new String(Files.readAllBytes(dir.resolve("disks/vm1/data")))).isEqualTo("seven");
  }

  @Test
  void badInputExitsTwoWithOneLine() {
    for (Run r : new Run[] {
        write("--disk", "../etc", "--token", "1", "--node", "n", "--data", "x"),
        write("--disk", "vm1", "--token", "0", "--node", "n", "--data", "x"),
        write("--disk", "vm1", "--token", "1", "--node", "bad node", "--data", "x"),
        write("--disk", "vm1", "--metadata", "--token", "1", "--node", "n", "--data", "x"),
        write("--disk", "vm1", "--token", "x1", "--node", "n", "--data", "x"),
        palisade("storage", "write", "--dir", dir.resolve("missing").toString(), "--disk", "vm1", "--token", "1",
            "--node", "n", "--data", "x")}) {
      assertThat(r.exit()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).doesNotContain("Exception", "\tat ");
    }
    assertThat(write("--disk", "../etc", "--token", "1", "--node", "n", "--data", "x").err())
        .contains("disk name '../etc': has a '..' path step");
    assertThat(dir.resolve("disks")).doesNotExist();
  }

  @Test
  void theConfiguredStorageIsUsedWithoutDir() throws Exception {
    Path store = Files.createDirectory(dir.resolve("shared"));
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, "cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: 127.0.0.1}\n"
        + "storage: {driver: shared-dir, path: shared}\n");
    Run r = palisade("storage", "write", "--config", config.toString(), "--disk", "vm1", "--token", "3", "--node",
        "node1", "--data", "x");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(store.resolve("disks/vm1/data")).hasContent("x");
  }
}
