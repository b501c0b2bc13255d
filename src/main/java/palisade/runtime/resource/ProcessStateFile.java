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
 * the processes that still run: one line per start, {@code ID PID START_EPOCH_MS TOKEN}, and {@code - ID} when it
 * stopped; read in order, a later line wins. The start time guards against a reused pid: a process is adopted only
 * when its pid is alive AND started at exactly that instant. The file is the daemon's (0600). A change appends its
 * line (one short write: a killed daemon leaves it whole or not at all); once the file holds twice as many lines
 * as the table plus {@link #SLACK}, the table is rewritten whole and moved into place. Rewriting it on every change
 * made a node's 1,000th start write 1,000 lines (starting 1,000: 4.4 s, BENCHMARKS "Process resources at scale").
 */
final class ProcessStateFile {
  /** One process as recorded: its pid, the kernel's start time of that pid, the token it was started with. */
  record Entry(long pid, long startMs, long token) {}

  /** More entries than this is no table of ours: refused rather than read. */
  static final int ENTRIES_MAX = 100_000;
  /** Lines beyond twice the table's size the file may hold before it is rewritten. */
  static final int SLACK = 64;

  private final Path file;
  /** Lines in the file as this object wrote it (-1: unknown, not written yet). */
  private long lines = -1;

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
    if (lines.size() > 2L * ENTRIES_MAX + SLACK) {
      throw new IOException(file + ": more than " + (2L * ENTRIES_MAX + SLACK) + " lines");
    }
    for (int i = 0; i < lines.size(); i++) {
      String[] w = lines.get(i).trim().split(" ");
      if (w.length == 1 && w[0].isEmpty()) continue;
      if (w.length == 2 && w[0].equals("-")) {
        table.remove(w[1]);
        continue;
      }
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
    this.lines = lines.size();
  }

  /**
   * Appends that id started as e (null: it stopped); true when the file should now be rewritten whole ({@link
   * #save}) because it holds more than twice the table's size plus {@link #SLACK} lines.
   */
  boolean append(String id, Entry e, int tableSize) throws IOException {
    if (lines < 0 || !Files.exists(file)) return true; // never written by us, or removed: write the table whole
    String line = e == null ? "- " + id + "\n" : id + " " + e.pid() + " " + e.startMs() + " " + e.token() + "\n";
    Files.writeString(file, line, java.nio.file.StandardOpenOption.APPEND);
    lines++;
    return lines > 2L * tableSize + SLACK;
  }
}
