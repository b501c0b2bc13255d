package palisade.runtime.watchdog;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A cgroup v2 directory that holds a node daemon and everything it starts. Unlike a process group, a cgroup cannot
 * be left by calling {@code setsid} or by double-forking: only a process allowed to write {@code cgroup.procs}
 * elsewhere (root) moves out, and a resource runs as an unprivileged user by default. {@link #kill()} writes 1 to
 * {@code cgroup.kill} (Linux 5.14+), which SIGKILLs every process in it and in its descendants, then waits until
 * {@code cgroup.procs} is empty.
 */
public final class Cgroup {
  /** A relative name under the v2 root: path segments of letters, digits, '.', '_', '-'. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}){0,3}");
  static final long KILL_WAIT_MS = 10_000;
  static final long EXIT_WAIT_MS = 1_000;
  private final Path dir;

  private Cgroup(Path dir) {
    this.dir = dir;
  }

  /** Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host). */
  public static Optional<Path> v2Root() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
        String[] f = line.split(" ");
        if (f.length >= 3 && f[2].equals("cgroup2")) {
          return Optional.of(Path.of(f[1].replace("\\040", " ")));
        }
      }
    } catch (IOException e) {
      // no /proc: no cgroup either
    }
    return Optional.empty();
  }

  /** The named cgroup under the v2 root, not created. */
  public static Cgroup named(Path root, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("cgroup name '" + name + "' must be up to 4 segments of letters, "
          + "digits, '.', '_', '-' separated by '/'");
    }
    return new Cgroup(root.resolve(name));
  }

  /** The cgroup v2 path of a process ("/palisade/x"), from /proc/PID/cgroup; empty if unknown. */
  public static Optional<String> of(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
        if (line.startsWith("0::")) {
          return Optional.of(line.substring(3));
        }
      }
    } catch (IOException e) {
      // gone or no cgroup v2
    }
    return Optional.empty();
  }

  public Path dir() {
    return dir;
  }

  /** The path as /proc/PID/cgroup shows it, relative to the root, with a leading '/'. */
  public String path(Path root) {
    return "/" + root.relativize(dir);
  }

  boolean exists() {
    return Files.isDirectory(dir);
  }

  /** Creates the directory (and its parents); fails with a clear message when cgroup v2 cannot be written. */
  void create() throws IOException {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IOException("cannot create cgroup " + dir + ": " + e);
    }
    if (!Files.isWritable(dir.resolve("cgroup.procs"))) {
      throw new IOException("cgroup " + dir + " has no writable cgroup.procs");
    }
  }

  /** Pids in the cgroup and its descendants. */
  public List<Long> procs() {
    List<Long> out = new ArrayList<>();
    if (!exists()) {
      return out;
    }
    try (var dirs = Files.walk(dir)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        for (String line : Files.readAllLines(d.resolve("cgroup.procs"))) {
          if (!line.isBlank()) {
            out.add(Long.parseLong(line.trim()));
          }
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // removed meanwhile
    }
    return out;
  }

  /**
   * SIGKILLs every process in the cgroup (cgroup.kill; by pid where the kernel lacks it) and waits until none is
   * left. Returns how many processes were in it; throws if some survive the wait.
   */
  public int kill() throws IOException {
    List<Long> before = procs();
    if (before.isEmpty() && !populated()) {
      return 0;
    }
    Path killFile = dir.resolve("cgroup.kill");
    boolean viaKill = Files.exists(killFile);
    if (viaKill) {
      Files.writeString(killFile, "1");
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MS);
    while (true) {
      List<Long> left = procs();
      if (left.isEmpty()) {
        // Dying processes hold the cgroup a little longer; wait for them briefly (rmdir retries anyway).
        long exitDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MS);
        while (populated() && System.nanoTime() < exitDeadline) {
          ProcessGroup.sleepQuietly(5);
        }
        return before.size();
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("cgroup " + dir + ": " + left.size() + " processes survived SIGKILL: " + left);
      }
      if (!viaKill) {
        left.forEach(pid -> signalQuietly(pid, LibC.SIGKILL));
      }
      ProcessGroup.sleepQuietly(5);
    }
  }

  /**
   * SIGKILL to every process of this cgroup except {@code self}, until only self is left (bounded wait): how a
   * daemon that lost its watchdog kills what left its process tree. Returns how many processes it signalled.
   */
  public int killAllBut(long self) {
    java.util.Set<Long> killed = new java.util.TreeSet<>();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MS);
    while (System.nanoTime() < deadline) {
      List<Long> others = procs().stream().filter(p -> p != self).filter(ProcessGroup::runnable).toList();
      if (others.isEmpty()) {
        break;
      }
      for (long pid : others) {
        signalQuietly(pid, LibC.SIGKILL);
        killed.add(pid);
      }
      ProcessGroup.sleepQuietly(5);
    }
    return killed.size();
  }

  /**
   * Whether some process is still in it or a descendant ("populated 1" in cgroup.events): a killed process leaves
   * cgroup.procs as it starts to exit, but holds the cgroup (rmdir fails with EBUSY) until it has exited.
   */
  boolean populated() {
    try {
      return Files.readAllLines(dir.resolve("cgroup.events")).contains("populated 1");
    } catch (IOException e) {
      return false;
    }
  }

  /** Removes the (empty) directory, waiting briefly for exiting processes to let go; false if it remains. */
  public boolean remove() {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MS);
    while (true) {
      try {
        Files.deleteIfExists(dir);
        return true;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        ProcessGroup.sleepQuietly(10);
      }
    }
  }

  private static void signalQuietly(long pid, int signal) {
    try {
      LibC.INSTANCE.kill(Math.toIntExact(pid), signal);
    } catch (LastErrorException e) {
      // already gone
    }
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}
