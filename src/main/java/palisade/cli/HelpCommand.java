package palisade.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * `palisade help [COMMAND [SUBCOMMAND...]]`: the help of any command in the tree, as its `--help` prints it.
 * picocli's own HelpCommand takes a single name, so `help resource add` would not reach the subcommand.
 */
@Command(name = "help", description = "Show the help of a command, e.g. palisade help resource add")
final class HelpCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "a command and its subcommands")
  List<String> commands = new ArrayList<>();

  @Override
  public Integer call() {
    CommandLine at = spec.commandLine().getParent();
    for (String name : commands) {
      CommandLine sub = at.getSubcommands().get(name);
      if (sub == null) {
        throw new CliError("'" + name + "' is not a command of '" + at.getCommandSpec().qualifiedName() + "' (see '"
            + at.getCommandSpec().qualifiedName().replaceFirst("^palisade", "palisade help") + "')");
      }
      at = sub;
    }
    at.usage(System.out);
    return 0;
  }
}
