package palisade.runtime.resource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Linux /proc readings for load reporting: a process's CPU time ({@code /proc/PID/stat}), its resident memory
 * ({@code /proc/PID/status} VmRSS, in kB, so no page size is needed) and the host's memory ({@code /proc/meminfo}
 * MemTotal). The parsers take the file's text, so they are tested on fixtures; the readers return empty when the
 * process is gone (it may exit between listing and reading: not an error).
 */
public final class ProcStat {
  /**
   * Clock ticks per second of the times in /proc/PID/stat: the kernel reports them in USER_HZ, which the ABI fixes
   * at 100 on the architectures we run on (x86-64, arm64), whatever the kernel's own HZ.
   */
  static final long USER_HZ = 100;
  private static final Path PROC = Path.of("/proc");

  private ProcStat() {}

  /**
   * CPU time in clock ticks from a /proc/PID/stat line: utime + stime + cutime + cstime (fields 14-17). The waited-for
   * children's times count too, so a short-lived child's CPU is not lost when it exits. The command name (field 2)
   * may hold spaces and parentheses: fields are counted after its last ')'.
   */
  public static long cpuTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) throw new IllegalArgumentException("not a /proc/PID/stat line: no ')'");
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    // f[0] is field 3 (state): utime, stime, cutime, cstime are fields 14..17, so f[11..14].
    if (f.length < 15) throw new IllegalArgumentException("not a /proc/PID/stat line: " + f.length + " fields");
    long sum = 0;
    for (int i = 11; i <= 14; i++) {
      long v = Long.parseLong(f[i]);
      sum += Math.max(0, v); // cutime and cstime are signed in the kernel's format; never negative in practice
    }
    return sum;
  }

  /** The parent's pid from a /proc/PID/stat line (field 4). */
  public static long ppid(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) throw new IllegalArgumentException("not a /proc/PID/stat line: no ')'");
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    if (f.length < 2) throw new IllegalArgumentException("not a /proc/PID/stat line: " + f.length + " fields");
    try {
      return Long.parseLong(f[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a /proc/PID/stat line: parent '" + f[1] + "'");
    }
  }

  /** Resident memory in bytes from /proc/PID/status (its VmRSS line, in kB); 0 without one (a kernel thread). */
  public static long rssBytes(String status) {
    return kiloLine(status, "VmRSS:") * 1024;
  }

  /** The host's memory in bytes from /proc/meminfo (MemTotal, in kB). */
  public static long memTotalBytes(String meminfo) {
    long kb = kiloLine(meminfo, "MemTotal:");
    if (kb <= 0) throw new IllegalArgumentException("no MemTotal line in /proc/meminfo");
    return kb * 1024;
  }

  /** The number on the line starting with key ("VmRSS:    2172 kB"), or 0 if there is none. */
  private static long kiloLine(String text, String key) {
    for (String line : text.split("\n")) {
      if (!line.startsWith(key)) continue;
      String[] f = line.substring(key.length()).trim().split("\\s+");
      if (f.length < 1 || f[0].isEmpty()) throw new IllegalArgumentException(key + " line without a number");
      return Long.parseLong(f[0]);
    }
    return 0;
  }

  /** A process's resident memory now, in bytes; 0 if it is gone (or not readable). */
  public static long rssBytes(long pid) {
    try {
      return rssBytes(Files.readString(PROC.resolve(Long.toString(pid)).resolve("status")));
    } catch (IOException | IllegalArgumentException e) {
      return 0; // exited between listing and reading
    }
  }

  /** The host's memory from /proc/meminfo, or 0 where there is none. */
  public static long memTotalBytes() {
    try {
      return memTotalBytes(Files.readString(PROC.resolve("meminfo")));
    } catch (IOException | IllegalArgumentException e) {
      return 0;
    }
  }
}
