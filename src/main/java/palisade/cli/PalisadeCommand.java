package palisade.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.zookeeper.KeeperException.Code;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** The `palisade` command line: one subcommand per job. */
@Command(name = "palisade", mixinStandardHelpOptions = true, version = "palisade 0.1.0",
    description = "High-availability manager for virtual-machine clusters",
    subcommands = {HelpCommand.class, SimCommand.class, DemoCommand.class, BenchCommand.class, DaemonCommand.class,
        LabCommand.class, StatusCommand.class, ResourceCommand.class, GroupCommand.class, RuleCommand.class,
        NodeCommand.class,
        FenceCommand.class, EventsCommand.class, CredentialsCommand.class, ConfigCommand.class,
        NotifyCommand.class, ClusterCommand.class, CompletionCommand.class, DocsCommand.class,
        RenamedCommands.Agent.class, WitnessCommand.class, StoreCommand.class, StorageCommand.class,
        DiskCommand.class, SpmCommand.class})
public final class PalisadeCommand {
  private PalisadeCommand() {}

  /** `--help` (and `--version`) on every command, not only the top one. */
  private static void withHelp(CommandLine cl) {
    cl.getCommandSpec().mixinStandardHelpOptions(true);
    cl.getSubcommands().values().forEach(PalisadeCommand::withHelp);
  }

  /** The whole command tree, as `palisade` runs it (also what the completion script and docs/CLI.md are made of). */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new PalisadeCommand());
    withHelp(cl);
    return cl;
  }

  /** Runs the command line; bad arguments give the error, a suggestion if one is close, the usage, and exit 2. */
  public static int execute(String... args) {
    CommandLine cl = commandLine();
    cl.setParameterExceptionHandler((ex, a) -> usageError(ex, System.err));
    // A refused command (wrong input, bad configuration: CliError, ConfigException and other
    // IllegalArgumentExceptions) gives one line and exit 2; anything else one line and exit 1.
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      if (ex instanceof org.apache.zookeeper.KeeperException.NoAuthException e) {
        System.err.println("palisade: the store refused: your credential's role may not do this (" + e.getPath()
            + "; a viewer reads only)");
        return 2;
      }
      if (ex instanceof org.apache.zookeeper.KeeperException k && (k.code() == Code.CONNECTIONLOSS
          || k.code() == Code.SESSIONEXPIRED || k.code() == Code.OPERATIONTIMEOUT)) {
        // The store may or may not have applied a write in flight: say so rather than ZooKeeper's code.
        System.err.println("palisade: the store stopped answering" + (k.getPath() == null ? "" : " (at "
            + k.getPath() + ")") + "; a change in flight may or may not have been applied: check, then retry");
        return 1;
      }
      System.err.println("palisade: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      if (ex instanceof CliError e) return e.code;
      return ex instanceof IllegalArgumentException || ex instanceof IllegalStateException ? 2 : 1;
    });
    return cl.execute(args);
  }

  /**
   * A usage error (exit 2, nothing done): the problem in one line; for a mistyped command or option the close
   * names; then how the command is used. A value that did not convert (its line names the option and the value)
   * gets the one line only: the usage would not say more.
   */
  static int usageError(ParameterException ex, PrintStream err) {
    CommandLine c = ex.getCommandLine();
    String name = c.getCommandSpec().qualifiedName();
    err.println("palisade: " + message(ex, c));
    if (ex.getCause() != null) return 2;
    if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      err.println("Did you mean " + u.getSuggestions().stream().distinct().limit(3)
          .map(s -> "'" + (s.startsWith("-") ? s : name + " " + s) + "'").collect(Collectors.joining(" or "))
          + "?");
    }
    if (c.getSubcommands().isEmpty()) {
      String heading = "Usage: ";
      err.print(heading + c.getHelp().synopsis(heading.length()));
      err.println("Try '" + name + " --help' for more information.");
    } else {
      c.usage(err); // the subcommands are what the user needs to see
    }
    err.flush();
    return 2;
  }

  /** picocli's text, except for a command without its subcommand or with a word that is none of them. */
  private static String message(ParameterException ex, CommandLine c) {
    String name = c.getCommandSpec().qualifiedName();
    if (c.getSubcommands().isEmpty()) return ex.getMessage();
    if (ex instanceof UnmatchedArgumentException u) {
      List<String> rest = u.getUnmatched();
      if (!rest.isEmpty() && !rest.get(0).startsWith("-")) {
        return "'" + rest.get(0) + "' is not a command of '" + name + "'";
      }
    } else if ("Missing required subcommand".equals(ex.getMessage())) {
      return "'" + name + "' needs a command";
    }
    return ex.getMessage();
  }
}
