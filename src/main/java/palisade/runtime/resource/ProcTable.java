package palisade.runtime.resource;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass over /proc: every process's parent and CPU time. The load reporter sums each resource's process tree
 * from one table: asking each resource's {@link ProcessHandle} for its descendants scans all of /proc once per
 * resource, and with 1,000 resources among 2,000 processes one reading took 27 s of CPU, every 5 s (BENCHMARKS
 * "Process resources at scale").
 */
final class ProcTable {
  private record Proc(long ppid, long cpuTicks) {}

  private static final Path PROC = Path.of("/proc");

  private final Map<Long, Proc> procs = new HashMap<>();
  private final Map<Long, List<Long>> children = new HashMap<>();

  /** From each process's /proc/PID/stat line, by pid; a line that does not parse is left out (gone, or not ours). */
  static ProcTable of(Map<Long, String> stats) {
    ProcTable t = new ProcTable();
    stats.forEach((pid, stat) -> {
      try {
        t.procs.put(pid, new Proc(ProcStat.ppid(stat), ProcStat.cpuTicks(stat)));
      } catch (IllegalArgumentException e) {
        // not a stat line: as if it had exited
      }
    });
    t.procs.forEach((pid, p) -> t.children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(pid));
    return t;
  }

  /** Reads /proc now; processes that exit while it is read are simply not in it. */
  static ProcTable read() {
    Map<Long, String> stats = new HashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
        try {
          stats.put(Long.parseLong(name), Files.readString(dir.resolve("stat")));
        } catch (IOException | NumberFormatException e) {
          // exited between listing and reading
        }
      }
    } catch (IOException e) {
      return of(Map.of()); // no /proc: nothing measured, as for a process gone
    }
    return of(stats);
  }

  /** pid and every descendant of it, parents before children; empty when pid is not in the table. */
  List<Long> tree(long pid) {
    List<Long> out = new ArrayList<>();
    if (!procs.containsKey(pid)) return out;
    out.add(pid);
    for (int i = 0; i < out.size(); i++) {
      for (long child : children.getOrDefault(out.get(i), List.of())) {
        if (child != out.get(i)) out.add(child); // pid 0's parent is itself in some tables
      }
    }
    return out;
  }

  /** The CPU time of pid in clock ticks ({@link ProcStat#cpuTicks}), 0 when it is not in the table. */
  long cpuTicks(long pid) {
    Proc p = procs.get(pid);
    return p == null ? 0 : p.cpuTicks();
  }
}
