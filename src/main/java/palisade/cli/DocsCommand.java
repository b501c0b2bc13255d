package palisade.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `palisade docs cli` (hidden): prints docs/CLI.md, the command reference, from the command tree itself. */
@Command(name = "docs", hidden = true, description = "Print generated documentation: cli (docs/CLI.md)")
final class DocsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "WHAT", description = "cli: the command-line reference")
  String what;

  @Override
  public Integer call() {
    if (!"cli".equals(what)) throw new CliError("docs: '" + what + "' is not a document (cli)");
    System.out.print(CliReference.markdown());
    System.out.flush();
    return 0;
  }
}
