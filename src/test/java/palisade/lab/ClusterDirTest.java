package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's cluster dir holds configurations, commands root runs and PIDs it signals: a dir that another user owns
 * or may write is refused, naming it, and left as it was.
 */
class ClusterDirTest {
  @TempDir
  Path tmp;

  private Path clusterDir(String mode) throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("cluster"));
    Files.writeString(dir.resolve(LocalCluster.STATE), "nodes=3\npeers=3\nbase_port=24000\n");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
    return dir;
  }

  @Test
  void aDirOthersMayWriteIsRefused() throws Exception {
    Path dir = clusterDir("rwxrwxrwx");
    assertThatThrownBy(() -> LocalCluster.open(dir)).isInstanceOf(IllegalStateException.class)
        .hasMessage("cluster dir " + dir + " is writable by group or others (mode rwxrwxrwx): chmod go-w " + dir
            + ", or choose another --dir");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx-w----"));
    assertThatThrownBy(() -> LocalCluster.open(dir)).hasMessageContaining("is writable by group or others");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    assertThat(LocalCluster.open(dir)).isNotNull();
  }

  @Test
  void aDirAnotherUserOwnsIsRefusedAndLeftAlone() throws Exception {
    assumeTrue(System.getProperty("user.name").equals("root"), "needs root to give a dir to nobody");
    UserPrincipal nobody = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Path dir = clusterDir("rwx------");
    Files.setOwner(dir, nobody);
    assertThatThrownBy(() -> LocalCluster.open(dir)).isInstanceOf(IllegalStateException.class)
        .hasMessage("cluster dir " + dir + " belongs to nobody, not to root (remove it, or choose another --dir)");
    // `lab up` into a dir someone else made first (the default is in /tmp): refused before any chmod
    Path planted = Files.createDirectory(tmp.resolve("planted"));
    Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.setOwner(planted, nobody);
    assertThatThrownBy(() -> LocalCluster.create(planted, 3, Map.of()))
        .hasMessageStartingWith("cluster dir " + planted + " belongs to nobody");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(planted))).isEqualTo("rwxrwxrwx");
    try (var files = Files.list(planted)) {
      assertThat(files.toList()).isEmpty();
    }
    // a symbolic link another user planted, even to a dir of ours
    Path ours = Files.createDirectory(tmp.resolve("ours"));
    Files.writeString(ours.resolve(LocalCluster.STATE), "nodes=3\npeers=3\nbase_port=24000\n");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), ours);
    assertThat(new ProcessBuilder("chown", "-h", "nobody", link.toString()).start().waitFor()).isZero();
    assertThatThrownBy(() -> LocalCluster.open(link)).hasMessageStartingWith("cluster dir " + link
        + " belongs to nobody");
    assertThat(LocalCluster.open(ours)).isNotNull();
  }

  @Test
  void aStateFileThatIsNotTextIsRefused() throws Exception {
    Path dir = clusterDir("rwx------");
    Files.write(dir.resolve(LocalCluster.STATE), new byte[2 << 20]);
    assertThatThrownBy(() -> LocalCluster.open(dir)).hasMessage(dir.resolve(LocalCluster.STATE)
        + ": 2097152 bytes is larger than the limit of 1048576 bytes (1 MiB)");
  }
}
