package palisade.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock around one area's check-and-write: a POSIX lock on the area's lock file (`FileChannel.lock`, honoured by
 * NFSv4 across hosts), and, since the JVM refuses a second such lock from the same process, a lock per file for the
 * threads of this JVM. Waits at most lockWaitMs: a writer frozen while holding it (SIGSTOP, a paused VM) keeps it
 * until it resumes or dies, and the others are told the storage is busy instead of hanging.
 */
final class AreaLock {
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();
  private static final long RETRY_MS = 5;

  private final Path file;
  private final long waitMs;
  private final FileMode mode;

  /** Gives a file just created its mode. */
  interface FileMode {
    void set(Path file) throws IOException;
  }

  AreaLock(Path file, long waitMs, FileMode mode) {
    this.file = file.toAbsolutePath().normalize();
    this.waitMs = waitMs;
    this.mode = mode;
  }

  /** Held until closed. */
  final class Held implements AutoCloseable {
    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock posix;

    private Held(ReentrantLock local, FileChannel channel, FileLock posix) {
      this.local = local;
      this.channel = channel;
      this.posix = posix;
    }

    @Override
    public void close() throws IOException {
      try {
        posix.release();
        channel.close();
      } finally {
        local.unlock();
      }
    }
  }

  Held take() throws IOException {
    long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    ReentrantLock local = IN_JVM.computeIfAbsent(file, f -> new ReentrantLock());
    try {
      if (!local.tryLock(waitMs, TimeUnit.MILLISECONDS)) throw busy();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(file + ": interrupted while waiting for the storage lock", e);
    }
    FileChannel ch = null;
    try {
      boolean created = !java.nio.file.Files.exists(file);
      ch = FileChannel.open(file, SharedDirStorage.CREATE_WRITE);
      if (created) mode.set(file);
      while (true) {
        FileLock l = tryLock(ch);
        if (l != null) return new Held(local, ch, l);
        if (System.nanoTime() > deadlineNs) throw busy();
        Thread.sleep(RETRY_MS);
      }
    } catch (InterruptedException e) {
      release(local, ch);
      Thread.currentThread().interrupt();
      throw new IOException(file + ": interrupted while waiting for the storage lock", e);
    } catch (IOException | RuntimeException e) {
      release(local, ch);
      throw e;
    }
  }

  private static void release(ReentrantLock local, FileChannel ch) throws IOException {
    try {
      if (ch != null) ch.close();
    } finally {
      local.unlock();
    }
  }

  private static FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // another thread of this JVM through a different path spelling; wait like for another process
    }
  }

  private IOException busy() {
    return new IOException(file.getParent() + ": storage busy: another writer held its lock for more than "
        + waitMs + " ms");
  }
}
