package palisade.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import palisade.runtime.resource.ProcessResourceDriver;
import palisade.runtime.resource.ResourceSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `palisade bench processes`: the process driver with many resources on one node, as a node's daemon drives it
 * when 1,000 resources fail over to it: the starts one after the other, the load reporter's readings of every
 * resource's CPU and memory with all of them running, and the stops.
 */
@Command(name = "processes", description = "The process driver with many resources on this machine: start, "
    + "usage reading, stop and kill-all times")
public final class ProcessBench implements Callable<Integer> {
  @Option(names = "--count", defaultValue = "1000", description = "process resources (default ${DEFAULT-VALUE})")
  int count;

  @Option(names = "--readings", defaultValue = "3", description = "usage readings timed (default ${DEFAULT-VALUE})")
  int readings;

  @Override
  public Integer call() throws Exception {
    if (count < 1 || count > 20_000 || readings < 1) {
      throw new IllegalArgumentException("--count must be 1..20000 and --readings >= 1");
    }
    Path dir = Files.createTempDirectory("palisade-bench-processes");
    ProcessResourceDriver d = new ProcessResourceDriver(dir.resolve("log"));
    // As a production daemon runs them: as nobody when it is root, else as the daemon's own user.
    String user = ProcessHandle.current().info().user().orElse("").equals("root") ? "nobody" : "root";
    int started = 0;
    try {
      long t0 = System.nanoTime();
      double[] quarters = new double[3];
      for (int i = 0; i < count; i++) {
        d.start(new ResourceSpec(id(i), "process", Map.of("command", "exec sleep 3600", "user", user), List.of()), 1,
            "bench");
        started++;
        for (int q = 1; q <= 3; q++) {
          if (i + 1 == Math.max(1, count * q / 4)) quarters[q - 1] = (System.nanoTime() - t0) / 1e9;
        }
      }
      double startS = (System.nanoTime() - t0) / 1e9;
      System.out.printf("%d started in %.2fs (a quarter, a half, three quarters: %.2fs, %.2fs, %.2fs)%n", count,
          startS, quarters[0], quarters[1], quarters[2]);
      Samples reads = new Samples();
      for (int r = 0; r < readings; r++) {
        long s = System.nanoTime();
        int seen = d.samples().size();
        reads.add(System.nanoTime() - s);
        if (seen != count) System.out.printf("reading %d saw %d of %d running%n", r + 1, seen, count);
      }
      // What the agent asks every tick (100 ms), several times: which resources run here, and under which token.
      Samples asks = new Samples();
      for (int r = 0; r < 50; r++) {
        long s = System.nanoTime();
        int seen = d.running().size();
        for (int i = 0; i < count; i++) d.token(id(i));
        asks.add(System.nanoTime() - s);
        if (seen != count) System.out.printf("running() saw %d of %d%n", seen, count);
      }
      // The upper half stopped one by one (a node emptied by the manager), the rest killed at once (a fenced agent).
      int half = count / 2;
      long s0 = System.nanoTime();
      for (int i = count - 1; i >= half; i--, started--) d.stop(id(i), Duration.ofSeconds(10));
      double stopS = (System.nanoTime() - s0) / 1e9;
      s0 = System.nanoTime();
      d.killAll();
      started = 0;
      double killS = (System.nanoTime() - s0) / 1e9;
      System.out.printf("bench processes count=%d start=%.2fs reading_p50=%.0fms reading_max=%.0fms "
          + "running_and_tokens_p50=%.2fms stop_%d=%.2fs kill_all_%d=%.2fs%n", count, startS, reads.pctMs(50),
          reads.maxMs(), asks.pctMs(50), count - half, stopS, half, killS);
      return 0;
    } finally {
      for (int i = started - 1; i >= 0; i--) d.stop(id(i), Duration.ofSeconds(10)); // what a failure left running
      StoreBench.deleteTree(dir);
    }
  }

  private static String id(int i) {
    return "bench-" + i;
  }
}
