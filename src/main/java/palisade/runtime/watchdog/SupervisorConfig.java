package palisade.runtime.watchdog;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Command line of {@link WatchdogSupervisor}, parsed and checked.
 *
 * @param restartsMax at most this many restarts within any {@code restartWindow} (a rate, not a lifetime count: a
 *     node that is reset once a day keeps being restarted; one that crash-loops is given up on)
 * @param cgroup the cgroup v2 name (relative to the v2 root) that holds the child and everything it starts
 * @param processGroupOnly run without a cgroup, accepting that a resource calling setsid escapes the reset
 * @param rebootExitCode a child that exits disarmed with this code asked for a clean reboot: the supervisor empties
 *     its cgroup and starts it again, as a rebooted machine would (-1: none; the lab's nodes use it)
 * @param termChildFirst on SIGTERM, signal the child (the daemon) alone and give it the grace period to finish
 *     (a host shutdown runs its policy, a daemon stop writes its restart hold) before the rest of the group is
 *     stopped; for a supervisor that is a systemd unit's main process, which gets the host's stop
 */
record SupervisorConfig(Path socket, List<String> command, int restartsMax, Duration restartWindow,
    Duration restartDelay, Duration stopGrace, String cgroup, boolean processGroupOnly, int rebootExitCode,
    boolean termChildFirst) {
  static final String USAGE = "usage: WatchdogSupervisor --socket PATH [--restarts-max N] [--restart-window-ms MS] "
      + "[--restart-delay-ms MS] [--stop-grace-ms MS] [--cgroup NAME | --process-group-only] [--reboot-exit-code N] "
      + "[--term-child-first] -- COMMAND [ARG...]";
  static final long POLL_MS = 20;
  static final int DEFAULT_RESTARTS_MAX = 3;
  static final long DEFAULT_WINDOW_MS = 600_000;

  SupervisorConfig {
    command = List.copyOf(command);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no child command; " + USAGE);
    }
    if (restartsMax < 0 || restartDelay.isNegative() || stopGrace.isNegative()) {
      throw new IllegalArgumentException("negative limit; " + USAGE);
    }
    if (restartWindow.isNegative() || restartWindow.isZero()) {
      throw new IllegalArgumentException("--restart-window-ms must be positive; " + USAGE);
    }
    if (!Cgroup.NAME.matcher(cgroup).matches()) {
      throw new IllegalArgumentException("--cgroup '" + cgroup + "': up to 4 segments of letters, digits, '.', "
          + "'_', '-' separated by '/'; " + USAGE);
    }
  }

  /** The default cgroup: one per socket path, so a restarted supervisor finds (and empties) its predecessor's. */
  static String defaultCgroup(Path socket) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(socket.toAbsolutePath().normalize().toString()
          .getBytes(StandardCharsets.UTF_8));
      return "palisade/wd-" + HexFormat.of().formatHex(h, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static SupervisorConfig parse(String... args) {
    Path socket = null;
    int restartsMax = DEFAULT_RESTARTS_MAX;
    long windowMs = DEFAULT_WINDOW_MS;
    long restartDelayMs = 1_000;
    long stopGraceMs = 10_000;
    String cgroup = null;
    boolean processGroupOnly = false;
    boolean termChildFirst = false;
    int rebootExitCode = -1;
    List<String> command = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        command.addAll(List.of(args).subList(i + 1, args.length));
        break;
      }
      if (arg.equals("--process-group-only") || arg.equals("--term-child-first")) {
        if (arg.equals("--process-group-only")) processGroupOnly = true;
        else termChildFirst = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + arg + "; " + USAGE);
      }
      String value = args[++i];
      switch (arg) {
        case "--socket" -> socket = Path.of(value);
        case "--restarts-max" -> restartsMax = number(arg, value);
        case "--restart-window-ms" -> windowMs = number(arg, value);
        case "--restart-delay-ms" -> restartDelayMs = number(arg, value);
        case "--stop-grace-ms" -> stopGraceMs = number(arg, value);
        case "--cgroup" -> cgroup = value;
        case "--reboot-exit-code" -> rebootExitCode = number(arg, value);
        default -> throw new IllegalArgumentException("unknown option " + arg + "; " + USAGE);
      }
    }
    if (socket == null) {
      throw new IllegalArgumentException("--socket is required; " + USAGE);
    }
    if (processGroupOnly && cgroup != null) {
      throw new IllegalArgumentException("--cgroup and --process-group-only exclude each other; " + USAGE);
    }
    return new SupervisorConfig(socket, command, restartsMax, Duration.ofMillis(windowMs),
        Duration.ofMillis(restartDelayMs), Duration.ofMillis(stopGraceMs),
        cgroup != null ? cgroup : defaultCgroup(socket), processGroupOnly, rebootExitCode, termChildFirst);
  }

  private static int number(String option, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(option + ": '" + value + "' is not a whole number >= 0; " + USAGE);
  }
}
