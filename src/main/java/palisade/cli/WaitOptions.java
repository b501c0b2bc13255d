package palisade.cli;

import picocli.CommandLine.Option;

/** `--wait [--timeout D]` on the CLI's asynchronous changes: return once the change took effect (see Waiter). */
final class WaitOptions {
  static final long TIMEOUT_DEFAULT_MS = 120_000;
  /** A wait longer than a week is surely a typo (and would overflow the deadline in nanoseconds). */
  static final long TIMEOUT_MAX_MS = 7L * 24 * 3_600_000;

  @Option(names = "--wait", description = "return once the change has taken effect (exit 1 with the reason if the "
      + "manager refuses it, the resource ends in error, or --timeout passes)")
  boolean wait;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "how long --wait waits, e.g. 30s, 5m (default: 2m)")
  Long timeoutMs;

  /** -1 without --wait; else the timeout, checked: refused naming the option, before anything is written. */
  long checkedTimeoutMs() {
    if (!wait) {
      if (timeoutMs != null) throw new CliError("--timeout goes with --wait; nothing was written");
      return -1;
    }
    long ms = timeoutMs == null ? TIMEOUT_DEFAULT_MS : timeoutMs;
    if (ms > TIMEOUT_MAX_MS) throw new CliError("--timeout: at most 168h (a week); nothing was written");
    return ms;
  }
}
