package palisade.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One token-checked area of the storage directory: a disk, or the storage metadata. Files (0600, or 0660 when the
 * storage is group-shared):
 * `lock` (taken with a POSIX lock around every check-and-write), `newest` (the record of the newest token seen),
 * `data` (the image: the bytes of the last accepted write), `log` (append-only, one line per accepted write) and
 * `rejected` (one line per refused write). The token check and the write happen under the one lock, so a writer
 * whose check passed cannot be overtaken by a newer holder before its bytes land.
 */
public final class StorageArea {
  private final Path dir;
  private final String name;
  private final SharedDirStorage storage;
  private final AreaLock lock;

  StorageArea(Path dir, String name, SharedDirStorage storage) {
    this.dir = dir;
    this.name = name;
    this.storage = storage;
    this.lock = new AreaLock(dir.resolve("lock"), storage.lockWaitMs, storage::fileMode);
  }

  /** "disk vm1" or "metadata": how errors and the command line name the area. */
  public String name() {
    return name;
  }

  /**
   * Stores bytes as the area's content unless a newer token was seen: token, node and bytes are recorded in the log.
   * A token equal to the newest is the same holder writing again and is accepted.
   */
  public WriteResult write(long token, String node, byte[] bytes) throws IOException {
    if (token <= 0) throw new IllegalArgumentException("token must be a positive number, not " + token);
    StorageNames.checkNode(node);
    if (bytes.length > SharedDirStorage.WRITE_BYTES_MAX) {
      throw new IllegalArgumentException("a write carries at most " + SharedDirStorage.WRITE_BYTES_MAX + " bytes");
    }
    storage.areaDir(dir);
    try (AreaLock.Held held = lock.take()) {
      StorageRecord record = new StorageRecord(token, node, storage.nowMs(), bytes.length, sha256(bytes));
      Optional<StorageRecord> newest = newestRecord();
      if (newest.isPresent() && newest.get().token() > token) {
        append("rejected", record);
        return new WriteResult.Rejected(token, newest.get().token(), newest.get().node());
      }
      // The promise first: a crash after it leaves older writers refused, never a newer image under an older token.
      replace("newest", (record.line() + "\n").getBytes(StandardCharsets.UTF_8));
      replace("data", bytes);
      append("log", record);
      return new WriteResult.Accepted(record);
    }
  }

  /** The newest token seen, 0 if none. */
  public long newestToken() throws IOException {
    return newestRecord().map(StorageRecord::token).orElse(0L);
  }

  /** The record of the newest accepted write (token, writer, time), if any. */
  public Optional<StorageRecord> newestRecord() throws IOException {
    Path f = dir.resolve("newest");
    List<String> lines;
    try {
      lines = Files.readAllLines(f, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (lines.size() != 1) throw new IOException(f + ": expected one record line, found " + lines.size());
    return Optional.of(StorageRecord.parse(lines.get(0), f + ":1"));
  }

  /** The content of the last accepted write, empty if nothing was written. */
  public Optional<byte[]> read() throws IOException {
    try {
      return Optional.of(Files.readAllBytes(dir.resolve("data")));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Every accepted write, oldest first: tokens never go down along it. */
  public List<StorageRecord> log() throws IOException {
    return records("log");
  }

  /** Every refused write, oldest first. */
  public List<StorageRecord> rejected() throws IOException {
    return records("rejected");
  }

  private List<StorageRecord> records(String file) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    Path f = dir.resolve(file);
    List<String> lines;
    // Under the lock: a reader never sees half a line that a writer on another host is appending.
    try (AreaLock.Held held = lock.take()) {
      lines = Files.readAllLines(f, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    List<StorageRecord> out = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) out.add(StorageRecord.parse(lines.get(i), f + ":" + (i + 1)));
    return out;
  }

  /** Replaces a file whole: written beside it, flushed, then renamed over it (readers see old or new, never half). */
  private void replace(String file, byte[] bytes) throws IOException {
    Path tmp = dir.resolve(file + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, SharedDirStorage.CREATE_TRUNCATE)) {
      storage.fileMode(tmp);
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) ch.write(buf);
      ch.force(true);
    }
    Files.move(tmp, dir.resolve(file), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void append(String file, StorageRecord record) throws IOException {
    var options = java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    Path f = dir.resolve(file);
    boolean created = !Files.exists(f);
    try (FileChannel ch = FileChannel.open(f, options)) {
      if (created) storage.fileMode(f);
      ByteBuffer buf = ByteBuffer.wrap((record.line() + "\n").getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) ch.write(buf);
      ch.force(true);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }
}
