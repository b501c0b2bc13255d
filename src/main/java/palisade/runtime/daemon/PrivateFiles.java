package palisade.runtime.daemon;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The daemon's files are its own: a process-wide umask and a data directory nobody else may enter. */
final class PrivateFiles {
  private PrivateFiles() {}

  /** Files ZooKeeper and the daemon create from now on are 0600, directories 0700. */
  static void umask077() {
    CLib.INSTANCE.umask(0077);
  }

  /** Makes dir and everything already under it private (0700 directories, no group or other access to files). */
  static Path privateTree(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (var all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        if (Files.isSymbolicLink(p)) continue;
        var perms = Files.getPosixFilePermissions(p);
        perms.removeIf(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"));
        if (Files.isDirectory(p)) perms.addAll(PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(p, perms);
      }
    }
    return dir;
  }

  /** process-wide umask: files ZooKeeper and the daemon create are 0600, directories 0700. */
  private interface CLib extends Library {
    CLib INSTANCE = Native.load("c", CLib.class);

    int umask(int mask);
  }
}
