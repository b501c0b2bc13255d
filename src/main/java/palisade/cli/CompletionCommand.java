package palisade.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** `palisade completion`: the bash completion script of the whole command tree (made by picocli). */
@Command(name = "completion", description = {"Print the bash (and zsh) completion script.",
    "Try it: source <(palisade completion); install it: palisade completion > /etc/bash_completion.d/palisade"})
final class CompletionCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    System.out.print(AutoComplete.bash("palisade", spec.root().commandLine()));
    System.out.flush();
    return 0;
  }
}
