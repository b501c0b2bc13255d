package palisade.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** `palisade demo`: the main job (a simulated 3-node cluster through a power loss until the real cluster exists). */
@Command(name = "demo", description = "Run a 3-node cluster through a power loss and tell the story")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return SimDemo.run(System.out);
  }
}
