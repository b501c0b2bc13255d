package palisade.runtime.watchdog;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Command line of {@link WatchdogSupervisor}, parsed and checked. */
record SupervisorConfig(Path socket, List<String> command, int restartsMax, Duration restartDelay,
    Duration stopGrace) {
  static final String USAGE = "usage: WatchdogSupervisor --socket PATH [--restarts-max N] "
      + "[--restart-delay-ms MS] [--stop-grace-ms MS] -- COMMAND [ARG...]";
  static final long POLL_MS = 20;

  SupervisorConfig {
    command = List.copyOf(command);
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no child command; " + USAGE);
    }
    if (restartsMax < 0 || restartDelay.isNegative() || stopGrace.isNegative()) {
      throw new IllegalArgumentException("negative limit; " + USAGE);
    }
  }

  static SupervisorConfig parse(String... args) {
    Path socket = null;
    int restartsMax = 3;
    long restartDelayMs = 1_000;
    long stopGraceMs = 10_000;
    List<String> command = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        command.addAll(List.of(args).subList(i + 1, args.length));
        break;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + arg + "; " + USAGE);
      }
      String value = args[++i];
      switch (arg) {
        case "--socket" -> socket = Path.of(value);
        case "--restarts-max" -> restartsMax = Integer.parseInt(value);
        case "--restart-delay-ms" -> restartDelayMs = Long.parseLong(value);
        case "--stop-grace-ms" -> stopGraceMs = Long.parseLong(value);
        default -> throw new IllegalArgumentException("unknown option " + arg + "; " + USAGE);
      }
    }
    if (socket == null) {
      throw new IllegalArgumentException("--socket is required; " + USAGE);
    }
    return new SupervisorConfig(socket, command, restartsMax, Duration.ofMillis(restartDelayMs),
        Duration.ofMillis(stopGraceMs));
  }
}
