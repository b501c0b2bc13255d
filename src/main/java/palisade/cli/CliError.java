package palisade.cli;

/** A refused command: one line on stderr and an exit code (2 for wrong input); nothing was changed. */
final class CliError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int code;

  CliError(String message) {
    this(message, 2);
  }

  CliError(String message, int code) {
    super(message);
    this.code = code;
  }
}
