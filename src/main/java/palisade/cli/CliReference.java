package palisade.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * docs/CLI.md, made from the command tree: every visible command with its description and its usage (the same text
 * as its `--help`). Hidden commands (the lab's internal processes, the old names, this generator) stay out. A test
 * compares the file with this output, so the reference cannot fall behind the code.
 */
final class CliReference {
  /** The usage text's width, fixed so that the output does not depend on the terminal. */
  static final int WIDTH_COLUMNS = 100;
  static final String REGENERATE = "bin/palisade docs cli > docs/CLI.md";

  private CliReference() {}

  static String markdown() {
    CommandLine root = PalisadeCommand.commandLine();
    root.setUsageHelpWidth(WIDTH_COLUMNS);
    root.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    List<CommandLine> all = new ArrayList<>();
    collect(root, all);
    StringBuilder md = new StringBuilder();
    md.append("# Palisade command-line reference\n\n")
        .append("<!-- Generated from the command tree by `").append(REGENERATE).append("`; do not edit by hand: ")
        .append("a test fails when this file is out of date. -->\n\n")
        .append("Every command and subcommand takes `-h, --help`; `palisade help COMMAND [SUBCOMMAND]` prints the ")
        .append("same text. A usage error (an unknown command or option, a missing argument) prints what is ")
        .append("wrong, the closest names, and the usage, and exits with code 2 having changed nothing; a refused or ")
        .append("failed command prints one line and exits with 2 (wrong input) or 1. Times in tables are UTC, ")
        .append("ISO-8601. ")
        .append("`-o json` on the reads prints JSON: the HTTP API's shapes (docs/RUNTIME.md, \"HTTP, health and ")
        .append("metrics\") and those of the inventory reads (docs/RUNTIME.md, \"The CLI's cluster\").\n\n")
        .append("Shell completion for bash: `source <(palisade completion)`, or install it with ")
        .append("`palisade completion > /etc/bash_completion.d/palisade`.\n\n")
        .append("The commands that talk to a cluster find it by themselves (docs/RUNTIME.md, \"The CLI's cluster\"): ")
        .append("`--store`, `--cluster` and `--credential` override what `/etc/palisade/palisade.yaml` says.\n\n");
    md.append("## Commands\n\n");
    for (CommandLine c : all) {
      md.append("- [`").append(name(c)).append("`](#").append(anchor(c)).append(") — ").append(summary(c))
          .append('\n');
    }
    for (CommandLine c : all) {
      md.append("\n## ").append(name(c)).append("\n\n```text\n").append(c.getUsageMessage().stripTrailing())
          .append("\n```\n");
    }
    return md.toString();
  }

  private static void collect(CommandLine c, List<CommandLine> out) {
    if (c.getCommandSpec().usageMessage().hidden()) return;
    out.add(c);
    for (CommandLine sub : new java.util.LinkedHashSet<>(c.getSubcommands().values())) collect(sub, out);
  }

  private static String name(CommandLine c) {
    return c.getCommandSpec().qualifiedName();
  }

  /** GitHub's anchor of the heading: lower case, spaces to hyphens. */
  private static String anchor(CommandLine c) {
    return name(c).toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
  }

  private static String summary(CommandLine c) {
    String[] d = c.getCommandSpec().usageMessage().description();
    return d.length == 0 ? "" : d[0].replaceAll("%n", " ").strip();
  }
}
