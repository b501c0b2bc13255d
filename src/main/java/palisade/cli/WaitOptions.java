package palisade.cli;

import picocli.CommandLine.Option;

/** `--wait [--timeout D]` on the CLI's asynchronous changes: return once the change took effect (see Waiter). */
final class WaitOptions {
  @Option(names = "--wait", description = "return once the change has taken effect (exit 1 with the reason if the "
      + "manager refuses it, the resource ends in error, or --timeout passes)")
  boolean wait;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "2m", converter = DurationConverter.class,
      description = "how long --wait waits, e.g. 30s, 5m (default: ${DEFAULT-VALUE})")
  long timeoutMs;

  /** A wait longer than a week is surely a typo (and would overflow the deadline in nanoseconds). */
  static final long TIMEOUT_MAX_MS = 7L * 24 * 3_600_000;

  /** The timeout, checked: refused naming the option, before anything is written. */
  long timeoutMs() {
    if (timeoutMs > TIMEOUT_MAX_MS) {
      throw new CliError("--timeout: at most 168h (a week); nothing was written");
    }
    return timeoutMs;
  }
}
