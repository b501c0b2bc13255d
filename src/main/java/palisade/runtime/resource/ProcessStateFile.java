package palisade.runtime.resource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the process driver runs, kept on disk so that the next daemon (after a restart for an upgrade) can adopt
 * the processes that still run: one line per resource, {@code ID PID START_EPOCH_MS TOKEN}. The start time guards
 * against a reused pid: a process is adopted only when its pid is alive AND started at exactly that instant. The
 * file is the daemon's (0600), rewritten whole and moved into place on every change, so a crash leaves either the
 * old or the new table, never half of one.
 */
final class ProcessStateFile {
  /** One process as recorded: its pid, the kernel's start time of that pid, the token it was started with. */
  record Entry(long pid, long startMs, long token) {}

  /** More lines than this is no table of ours: refused rather than read. */
  static final int ENTRIES_MAX = 100_000;

  private final Path file;

  ProcessStateFile(Path file) {
    this.file = file;
  }

  Path path() {
    return file;
  }

  /** The start time the kernel reports for a process, in epoch milliseconds; empty when it cannot say. */
  static Optional<Long> startMs(ProcessHandle h) {
    return h.info().startInstant().map(Instant::toEpochMilli);
  }

  /** The table as last written; empty when there is none. A malformed line is skipped (and named in the log). */
  SortedMap<String, Entry> load(java.util.function.Consumer<String> warn) throws IOException {
    TreeMap<String, Entry> table = new TreeMap<>();
    if (!Files.exists(file)) return table;
    List<String> lines = Files.readAllLines(file);
    if (lines.size() > ENTRIES_MAX) throw new IOException(file + ": more than " + ENTRIES_MAX + " lines");
    for (int i = 0; i < lines.size(); i++) {
      String[] w = lines.get(i).trim().split(" ");
      if (w.length == 1 && w[0].isEmpty()) continue;
      try {
        if (w.length != 4) throw new NumberFormatException("expected ID PID START TOKEN");
        table.put(w[0], new Entry(Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3])));
      } catch (NumberFormatException e) {
        warn.accept(file + ":" + (i + 1) + ": ignored, " + e.getMessage());
      }
    }
    return table;
  }

  /** Replaces the table (0600, written beside it and moved into place). */
  void save(Map<String, Entry> table) throws IOException {
    List<String> lines = new ArrayList<>();
    new TreeMap<>(table).forEach((id, e) -> lines.add(id + " " + e.pid() + " " + e.startMs() + " " + e.token()));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, lines);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
