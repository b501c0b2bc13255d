package palisade.runtime.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Whether the host itself is going down when the daemon is told to stop (SIGTERM), asked as Proxmox's LRM asks:
 * a stop with a queued power-off or reboot job is a host shutdown (the node's shutdown policy applies); any other
 * stop is a restart of the daemon alone (a package upgrade), which moves nothing.
 */
public interface HostShutdown {
  /** What the host is doing. */
  enum Kind {
    /** No shutdown job: the daemon alone is stopped. */
    NONE,
    POWEROFF,
    REBOOT;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The host's queued job right now; never throws (an answer it cannot get is NONE). */
  Kind queued();

  /** How long systemctl may take to answer before the stop counts as a daemon restart. */
  long SYSTEMCTL_DEADLINE_MS = 5_000;

  /**
   * systemd's job queue ({@code systemctl list-jobs --plain --no-legend}): a queued start of {@code reboot.target}
   * or {@code kexec.target} is a reboot, of {@code poweroff.target} or {@code halt.target} a power-off. No systemd,
   * or no such job: NONE.
   */
  static HostShutdown systemd() {
    return () -> {
      try {
        Process p = new ProcessBuilder("systemctl", "list-jobs", "--plain", "--no-legend")
            .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        // Wait first, read after: a systemctl that hangs must not hold the daemon's stop (its job list fits in the
        // pipe's buffer; one that did not would count as no answer).
        if (!p.waitFor(SYSTEMCTL_DEADLINE_MS, TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          return Kind.NONE;
        }
        byte[] out = p.getInputStream().readNBytes(1 << 20);
        return p.exitValue() == 0 ? parseJobs(new String(out, StandardCharsets.UTF_8)) : Kind.NONE;
      } catch (IOException e) {
        return Kind.NONE; // no systemctl: nothing tells us the host is going down
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Kind.NONE;
      }
    };
  }

  /** The kind of shutdown systemctl's job list shows (lines: JOB UNIT TYPE STATE); a reboot wins over power-off. */
  static Kind parseJobs(String listJobs) {
    Kind kind = Kind.NONE;
    for (String line : listJobs.lines().toList()) {
      List<String> f = List.of(line.trim().split("\\s+"));
      if (f.size() < 3 || !f.get(2).equals("start")) continue;
      switch (f.get(1)) {
        case "reboot.target", "kexec.target" -> kind = Kind.REBOOT;
        case "poweroff.target", "halt.target" -> kind = kind == Kind.REBOOT ? kind : Kind.POWEROFF;
        default -> { }
      }
    }
    return kind;
  }

  /**
   * The answer from a file instead of systemd ({@code host_shutdown_file}; the lab and tests): {@code poweroff} or
   * {@code reboot} as its first word; absent or anything else: NONE. The file is removed once read, as a booted
   * host has no queued job left.
   */
  static HostShutdown file(Path file) {
    return () -> {
      try {
        String text = Files.readString(file, StandardCharsets.UTF_8).trim();
        Files.deleteIfExists(file);
        if (text.startsWith("reboot")) return Kind.REBOOT;
        if (text.startsWith("poweroff")) return Kind.POWEROFF;
        return Kind.NONE;
      } catch (IOException e) {
        return Kind.NONE;
      }
    };
  }
}
