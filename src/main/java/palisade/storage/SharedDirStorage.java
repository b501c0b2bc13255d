package palisade.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The `shared-dir` storage driver: a directory standing in for a shared storage domain (an NFS mount in
 * production) that keeps disk images and storage metadata and rejects every write carrying a token older than the
 * newest it has seen for that disk (for the metadata: the newest SPM token). Several processes on several hosts
 * may write at once: each disk is checked and written under its own POSIX lock. Layout: `disks/NAME/` per disk
 * ('/' in a name kept as %2F) and `metadata/`, each a {@link StorageArea}.
 *
 * <p>Modes: directories 0700 and files 0600, so every writer runs as the storage directory's owner; unless the
 * storage directory itself grants its group rwx (say `chgrp vmstore DIR; chmod 2770 DIR`), then directories are
 * 2770 and files 0660. The group mode exists because the writers are several users: the daemon and the SPM hook
 * (root), and resource processes, which run as an unprivileged user (`nobody` by default) whose primary group must
 * then be the storage's group. Modes are set explicitly, whatever the writer's umask.
 *
 * <p>What it does not do: it trusts the token a writer presents (a token-checking lock manager such as sanlock
 * checks the holder's lease too), and a writer frozen while it holds a disk's lock keeps the others waiting (for at
 * most the lock wait, then they are told the storage is busy) until it resumes.
 */
public final class SharedDirStorage {
  /** The driver's name in the cluster configuration (`storage: {driver: shared-dir, path: DIR}`). */
  public static final String DRIVER = "shared-dir";

  /** Largest single write: 64 MiB. */
  public static final int WRITE_BYTES_MAX = 64 << 20;

  /** How long a writer waits for a disk's lock before the storage is reported busy. */
  public static final long LOCK_WAIT_MS_DEFAULT = 10_000;

  static final Set<OpenOption> CREATE_WRITE = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
  static final Set<OpenOption> CREATE_TRUNCATE =
      Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);

  private final Path dir;
  private final LongSupplier clockMs;
  final long lockWaitMs;
  /** The storage directory grants its group rwx: directories and files are group-shared too. */
  private final boolean groupShared;

  private SharedDirStorage(Path dir, LongSupplier clockMs, long lockWaitMs, boolean groupShared) {
    this.dir = dir;
    this.clockMs = clockMs;
    this.lockWaitMs = lockWaitMs;
    this.groupShared = groupShared;
  }

  /** Opens the storage kept in dir, which must exist (an unmounted NFS share must not silently become local). */
  public static SharedDirStorage open(Path dir) throws IOException {
    return open(dir, System::currentTimeMillis, LOCK_WAIT_MS_DEFAULT);
  }

  /** As {@link #open(Path)} with the clock records are stamped with and the lock wait given. */
  public static SharedDirStorage open(Path dir, LongSupplier clockMs, long lockWaitMs) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": no such storage directory (create it, or mount the shared storage there)");
    }
    if (lockWaitMs <= 0) throw new IllegalArgumentException("lock wait must be positive, not " + lockWaitMs);
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
    boolean group = perms.containsAll(Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_EXECUTE));
    return new SharedDirStorage(dir, clockMs, lockWaitMs, group);
  }

  /** True when directories and files are group-shared (see the class comment). */
  public boolean groupShared() {
    return groupShared;
  }

  long nowMs() {
    return clockMs.getAsLong();
  }

  public Path dir() {
    return dir;
  }

  /** A disk's area (the name is checked: see {@link StorageNames#checkDisk}). */
  public StorageArea disk(String disk) {
    return new StorageArea(dir.resolve("disks").resolve(StorageNames.fileName(disk)), "disk " + disk, this);
  }

  /** The storage metadata: only the SPM writes it, under its SPM token. */
  public StorageArea metadata() {
    return new StorageArea(dir.resolve("metadata"), "metadata", this);
  }

  public WriteResult write(String disk, long token, String node, byte[] bytes) throws IOException {
    return disk(disk).write(token, node, bytes);
  }

  public WriteResult writeMetadata(long token, String node, byte[] bytes) throws IOException {
    return metadata().write(token, node, bytes);
  }

  public Optional<byte[]> read(String disk) throws IOException {
    return disk(disk).read();
  }

  public long newestToken(String disk) throws IOException {
    return disk(disk).newestToken();
  }

  public List<StorageRecord> log(String disk) throws IOException {
    return disk(disk).log();
  }

  /** Every disk ever written (or refused a write), sorted. */
  public SortedSet<String> disks() throws IOException {
    SortedSet<String> out = new TreeSet<>();
    Path disks = dir.resolve("disks");
    if (!Files.isDirectory(disks)) return out;
    try (DirectoryStream<Path> all = Files.newDirectoryStream(disks)) {
      for (Path p : all) {
        String disk = StorageNames.diskOf(p.getFileName().toString());
        if (disk != null && Files.isDirectory(p)) out.add(disk);
      }
    }
    return out;
  }

  /** Creates area (a directory below the storage directory) and its parents, with this storage's mode. */
  void areaDir(Path area) throws IOException {
    if (Files.isDirectory(area)) return;
    Path parent = area.getParent();
    if (parent != null && !parent.equals(dir)) areaDir(parent);
    try {
      Files.createDirectory(area);
      Files.setAttribute(area, "unix:mode", groupShared ? 02770 : 0700);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(area)) throw new IOException(area + ": exists and is not a directory", e);
    }
  }

  /** Gives a file this writer has just created this storage's mode (0600 or 0660). */
  void fileMode(Path file) throws IOException {
    Files.setAttribute(file, "unix:mode", groupShared ? 0660 : 0600);
  }
}
