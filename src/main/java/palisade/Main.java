package palisade;

import palisade.cli.PalisadeCommand;

/** Entry point of `bin/palisade`. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(PalisadeCommand.execute(args));
  }
}
