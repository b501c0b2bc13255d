package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * Help, usage errors and suggestions, the completion script and the generated reference, all in this JVM and without
 * a cluster: what a newcomer who knows `pcs` and `ha-manager` tries first.
 */
class CliHelpTest {
  /** What a command line returned and printed. */
  record Run(int exit, String out, String err) {}

  static Run palisade(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = PalisadeCommand.execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  /** Every visible command, depth first, as `palisade` runs it. */
  private static List<CommandLine> visible() {
    List<CommandLine> out = new ArrayList<>();
    collect(PalisadeCommand.commandLine(), out);
    return out;
  }

  private static void collect(CommandLine c, List<CommandLine> out) {
    if (c.getCommandSpec().usageMessage().hidden()) return;
    out.add(c);
    for (CommandLine sub : new java.util.LinkedHashSet<>(c.getSubcommands().values())) collect(sub, out);
  }

  private static String[] words(CommandLine c, String... then) {
    List<String> w = new ArrayList<>(List.of(c.getCommandSpec().qualifiedName().split(" ")));
    w.remove(0); // "palisade"
    w.addAll(List.of(then));
    return w.toArray(String[]::new);
  }

  @Test
  void everyCommandHasHelpAndHelpCommandSaysTheSame() {
    List<CommandLine> all = visible();
    assertThat(all).hasSizeGreaterThan(40);
    for (CommandLine c : all) {
      String name = c.getCommandSpec().qualifiedName();
      Run help = palisade(words(c, "--help"));
      assertThat(help.exit()).as(name + " --help: " + help.err()).isZero();
      assertThat(help.out()).as(name).startsWith("Usage: " + name);
      assertThat(help.err()).isEmpty();
      List<String> viaHelp = new ArrayList<>(List.of("help"));
      viaHelp.addAll(List.of(words(c)));
      Run same = palisade(viaHelp.toArray(String[]::new));
      assertThat(same.exit()).as(String.join(" ", viaHelp) + ": " + same.err()).isZero();
      assertThat(same.out()).as(String.join(" ", viaHelp)).isEqualTo(help.out());
    }
    assertThat(palisade("resource", "--help").out()).contains("add", "relocate");
    assertThat(palisade("resource", "add", "-h").out()).contains("--node=NODE", "--max-restart");
  }

  /** A reference is only as good as its descriptions: every visible command, option and argument has one. */
  @Test
  void everyCommandOptionAndArgumentIsDescribed() {
    List<String> missing = new ArrayList<>();
    for (CommandLine c : visible()) {
      String name = c.getCommandSpec().qualifiedName();
      if (c.getCommandSpec().usageMessage().description().length == 0) missing.add(name);
      List<ArgSpec> args = new ArrayList<>(c.getCommandSpec().options());
      args.addAll(c.getCommandSpec().positionalParameters());
      for (ArgSpec a : args) {
        if (a.hidden()) continue;
        if (a.description().length == 0 || a.description()[0].isBlank()) missing.add(name + " " + a.paramLabel()
            + (a.isOption() ? " " + ((CommandLine.Model.OptionSpec) a).longestName() : ""));
      }
    }
    assertThat(missing).as("commands, options and arguments without a description").isEmpty();
  }

  @Test
  void aHelpOfAnUnknownCommandIsRefused() {
    Run r = palisade("help", "resource", "nope");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("palisade: 'nope' is not a command of 'palisade resource' (see 'palisade help "
        + "resource')\n");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aMistypedCommandGetsTheCloseNamesAndTheUsage() {
    Run r = palisade("stauts");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    List<String> lines = r.err().lines().toList();
    assertThat(lines.get(0)).isEqualTo("palisade: 'stauts' is not a command of 'palisade'");
    assertThat(lines.get(1)).startsWith("Did you mean 'palisade status'");
    assertThat(lines.get(2)).startsWith("Usage: palisade ");
    assertThat(r.err()).contains("resource", "Commands:").doesNotContain("Exception", "\tat ");

    Run sub = palisade("resource", "ad", "vm:1");
    assertThat(sub.exit()).isEqualTo(2);
    assertThat(sub.err()).startsWith("palisade: 'ad' is not a command of 'palisade resource'\n"
        + "Did you mean 'palisade resource add'?\nUsage: palisade resource ");
    assertThat(sub.err()).contains("relocate");

    Run bare = palisade("resource");
    assertThat(bare.exit()).isEqualTo(2);
    assertThat(bare.err()).startsWith("palisade: 'palisade resource' needs a command\nUsage: palisade resource ");
  }

  @Test
  void aMistypedOptionGetsTheCloseNameAndTheUsage() {
    Run r = palisade("status", "--stroe", "127.0.0.1:1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    List<String> lines = r.err().lines().toList();
    assertThat(lines.get(0)).startsWith("palisade: Unknown option").contains("'--stroe'");
    assertThat(lines.get(1)).isEqualTo("Did you mean '--store'?");
    assertThat(lines.get(2)).startsWith("Usage: palisade status ");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("Try 'palisade status --help' for more information.");

    Run missing = palisade("resource", "add", "--node", "node1");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).startsWith("palisade: Missing required parameter: 'ID'\nUsage: palisade resource add ")
        .endsWith("Try 'palisade resource add --help' for more information.\n").doesNotContain("\tat ");

    Run noValue = palisade("fence", "history", "--node");
    assertThat(noValue.exit()).isEqualTo(2);
    assertThat(noValue.err()).startsWith("palisade: Missing required parameter for option '--node'")
        .contains("Usage: palisade fence history");

    // a value that does not convert names the option and the value, in one line: the usage would not say more
    Run badValue = palisade("events", "-n", "many");
    assertThat(badValue.exit()).isEqualTo(2);
    assertThat(badValue.err()).isEqualTo("palisade: Invalid value for option '--last': 'many' is not an int\n");
  }

  @Test
  void completionIsABashScriptForTheVisibleCommands() {
    Run r = palisade("completion");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F _complete_palisade",
        "resource", "relocate", "--store", "maintenance");
    // the old names and the lab's internal processes are not offered (`store peer` is a real command)
    assertThat(r.out()).doesNotContain("'agent'", " agent ", "docs cli", "_lab_peer", "lab peer");
  }

  /** docs/CLI.md is the generator's output; when a command changed, this fails and says how to regenerate it. */
  @Test
  void theCliReferenceIsUpToDate() throws Exception {
    Path doc = Path.of("docs", "CLI.md");
    String expected = CliReference.markdown();
    String actual = Files.exists(doc) ? Files.readString(doc) : "";
    if (!actual.equals(expected)) {
      List<String> a = actual.lines().toList();
      List<String> e = expected.lines().toList();
      int line = 0;
      while (line < Math.min(a.size(), e.size()) && a.get(line).equals(e.get(line))) line++;
      org.junit.jupiter.api.Assertions.fail("docs/CLI.md is out of date (first difference at line " + (line + 1)
          + ": " + (line < e.size() ? "'" + e.get(line) + "' expected" : "the file is longer") + "): regenerate it "
          + "with `" + CliReference.REGENERATE + "`");
    }
    for (CommandLine c : visible()) {
      assertThat(expected).contains("\n## " + c.getCommandSpec().qualifiedName() + "\n");
    }
    assertThat(expected).doesNotContain("## palisade agent", "## palisade docs",
        "## palisade lab peer");
    Run r = palisade("docs", "cli");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo(expected);
  }
}
