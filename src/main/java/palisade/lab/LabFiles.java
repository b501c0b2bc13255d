package palisade.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import palisade.io.TextFile;
import palisade.runtime.resource.ProcessResourceDriver;

/** The local cluster's files: who owns its dir, its state properties, its secrets, and a free port. */
final class LabFiles {
  private LabFiles() {}

  /**
   * Every directory above the cluster dir must let others traverse it, or the demo resources (user nobody) cannot
   * reach their trace dir. A private temporary directory of ours (a test's) is opened for traversal only (o+x, no
   * listing); anything else is refused with the command that fixes it.
   */
  static void openPathForResources(Path dir) throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    String me = System.getProperty("user.name");
    for (Path p = dir.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (perms.contains(PosixFilePermission.OTHERS_EXECUTE)) continue;
      if (p.startsWith(tmp) && !p.equals(tmp) && Files.getOwner(p).getName().equals(me)) {
        perms.add(PosixFilePermission.OTHERS_EXECUTE);
        Files.setPosixFilePermissions(p, perms);
        continue;
      }
      throw new IllegalStateException("demo resources run as user " + ProcessResourceDriver.DEFAULT_USER
          + " and must reach " + dir + ", but " + p + " is not searchable by others (chmod o+x " + p
          + ", or choose another --dir)");
    }
  }

  /**
   * The cluster dir holds the nodes' configurations, the commands root runs for them and the PIDs it signals: it must
   * belong to the user running Palisade and be writable by nobody else, or another local user could swap them (the
   * default dir is in /tmp, where anyone may create it first). A symbolic link must be ours too.
   */
  static void requireOwnDir(Path dir) throws IOException {
    requireOwner(dir);
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
    if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IllegalStateException("cluster dir " + dir + " is writable by group or others (mode "
          + PosixFilePermissions.toString(perms) + "): chmod go-w " + dir + ", or choose another --dir");
    }
  }

  static void requireOwner(Path dir) throws IOException {
    String me = System.getProperty("user.name");
    if (!Files.isDirectory(dir)) throw new IllegalStateException("cluster dir " + dir + " is not a directory");
    for (String owner : List.of(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName(),
        Files.getOwner(dir).getName())) {
      if (!owner.equals(me)) {
        throw new IllegalStateException("cluster dir " + dir + " belongs to " + owner + ", not to " + me
            + " (remove it, or choose another --dir)");
      }
    }
  }

  /** The state file, read like any user-supplied file (bounded, a regular UTF-8 file). */
  static Properties readState(Path f) throws IOException {
    Properties p = new Properties();
    try {
      p.load(new StringReader(TextFile.read(f)));
    } catch (TextFile.Unreadable e) {
      throw new IllegalStateException(e.getMessage());
    }
    return p;
  }

  /** Another process (a mock BMC, the CLI) may have powered a node off or on: read the recorded PIDs again. */
  static void reloadState(Path dir, Properties state) throws IOException {
    Path f = dir.resolve(LocalCluster.STATE);
    if (!Files.exists(f)) return;
    Properties p = readState(f);
    // no moment without an entry that is in both (another thread may be reading)
    state.keySet().removeIf(k -> !p.containsKey(k));
    state.putAll(p);
  }

  private static final Object STATE_LOCK = new Object();

  /** Read-modify-write of the state file under a file lock (mock BMC processes power nodes on and off too). */
  static void updateState(Path dir, Properties state, java.util.function.Consumer<Properties> change)
      throws IOException {
    synchronized (STATE_LOCK) {
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("cluster.lock"),
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
          java.nio.channels.FileLock l = ch.lock()) {
        reloadState(dir, state);
        change.accept(state);
        saveState(dir, state);
      }
    }
  }

  /** Replaces the state file at once (write aside, then an atomic rename). */
  static void saveState(Path dir, Properties state) throws IOException {
    Path tmp = dir.resolve(LocalCluster.STATE + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      state.store(out, "palisade local cluster: layout and the PIDs it started");
    }
    Files.move(tmp, dir.resolve(LocalCluster.STATE), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** "lab-" and 10 hex digits of the cluster dir's hash: names its cgroups and tags its firewall rules. */
  static String clusterId(Path dir) {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(dir.toAbsolutePath().normalize()
          .toString().getBytes(StandardCharsets.UTF_8));
      return "lab-" + java.util.HexFormat.of().formatHex(h, 0, 5);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A YAML single-quoted scalar. */
  static String quote(String v) {
    return "'" + v.replace("'", "''") + "'";
  }

  static int freeTcpPort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String randomPassword() {
    byte[] b = new byte[18];
    new java.security.SecureRandom().nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Writes a file readable by its owner only (created 0600, never world-readable in between). */
  static void writeSecret(Path file, String secret) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, secret + "\n");
  }
}
