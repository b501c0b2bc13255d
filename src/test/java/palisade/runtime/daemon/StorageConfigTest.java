package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfigException;

/** The storage and spm sections of a node's configuration: what they accept and how they refuse. */
class StorageConfigTest {
  static final String BASE = "cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: 127.0.0.1}\n";

  @TempDir Path dir;

  static DaemonConfig parse(String more) {
    return DaemonConfig.parse(BASE + more, Path.of("/etc/palisade"));
  }

  @Test
  void sectionsAreReadWithPathsAgainstTheFile() {
    DaemonConfig c = parse("storage: {driver: shared-dir, path: /srv/palisade-storage}\n"
        + "spm:\n  start_command: /usr/local/bin/spm-start\n  stop_command: systemctl stop spm-service\n");
    assertThat(c.storage()).isEqualTo(new StorageSection("shared-dir", Path.of("/srv/palisade-storage")));
    assertThat(c.spm()).isEqualTo(new SpmSection("/usr/local/bin/spm-start", "systemctl stop spm-service"));
    assertThat(parse("").storage()).isNull();
    assertThat(parse("").spm().configured()).isFalse();
    assertThat(parse("storage: {driver: shared-dir, path: st}\n").storage().path())
        .isEqualTo(Path.of("/etc/palisade/st"));
  }

  @Test
  void mistakesNameTheKey() {
    assertThatThrownBy(() -> parse("storage: {driver: nfs, path: /x}\n")).isInstanceOf(ConfigException.class)
        .hasMessage("storage.driver: 'nfs' is not a storage driver (shared-dir)");
    assertThatThrownBy(() -> parse("storage: {driver: shared-dir}\n")).hasMessage("storage.path: is required");
    assertThatThrownBy(() -> parse("storage: {driver: shared-dir, path: /x, mode: 1}\n"))
        .hasMessageStartingWith("storage.mode: unknown key");
    assertThatThrownBy(() -> parse("storage: /x\n")).hasMessageStartingWith("storage: expected a mapping");
    assertThatThrownBy(() -> parse("spm: {start: x}\n")).hasMessageStartingWith("spm.start: unknown key");
    assertThatThrownBy(() -> parse("spm: {start_command: ''}\n"))
        .hasMessage("spm.start_command: must be a non-empty string");
    assertThatThrownBy(() -> parse("spm: {stop_command: [a, b]}\n"))
        .hasMessage("spm.stop_command: must be a non-empty string");
  }

  @Test
  void aFileNamesItselfInTheError() throws Exception {
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, BASE + "storage: {driver: shared-dir}\n");
    assertThatThrownBy(() -> DaemonConfig.load(f)).hasMessage(f + ": storage.path: is required");
  }
}
