package palisade.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import palisade.core.Durations;
import palisade.sim.scenario.Fuzz;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The benchmarks behind BENCHMARKS.md; each prints its figures and a summary last line. */
public final class Benchmarks {
  private Benchmarks() {}

  @Command(name = "sim", description = "Simulator throughput: random histories per second of wall time")
  public static final class Sim implements Callable<Integer> {
    @Option(names = "--runs", defaultValue = "1000", description = "simulated histories (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--nodes", defaultValue = "5", description = "nodes per history (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--duration", defaultValue = "10m", converter = MsConverter.class,
        description = "simulated time per history (default 10m)")
    long durationMs;

    @Option(names = "--seed", defaultValue = "1", description = "first seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() {
      Fuzz.runAll(Math.min(20, runs), seed + 1_000_000, nodes, durationMs, true); // JIT warm-up
      long t0 = System.nanoTime();
      List<Fuzz.RunResult> rs = Fuzz.runAll(runs, seed, nodes, durationMs, true);
      double secs = (System.nanoTime() - t0) / 1e9;
      long bad = rs.stream().filter(r -> r.failure() != null).count();
      System.out.printf("bench sim runs=%d nodes=%d duration=%s cores=%d wall=%.1fs violations=%d "
          + "histories/s=%.1f%n", runs, nodes, Durations.format(durationMs),
          Runtime.getRuntime().availableProcessors(), secs, bad, runs / secs);
      return bad == 0 ? 0 : 1;
    }
  }

  @Command(name = "round", description = "Manager round time at scale, and recovery placement of failed nodes")
  public static final class Round implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1000", description = "nodes (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--resources", defaultValue = "50000", description = "resources (default ${DEFAULT-VALUE})")
    int resources;

    @Option(names = "--failed", description = "nodes that fail for the recovery measurement", defaultValue = "100")
    int failed;

    @Option(names = "--rounds", defaultValue = "30", description = "manager rounds measured (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--rules", description = "crs=static with capacities and demands, and placement rules: a "
        + "negative and a positive pair per 50 resources, a node-affinity rule per 500 (10 nodes each)")
    boolean rules;

    @Option(names = "--auto-rebalance", description = "crs_auto_rebalance=yes (bruteforce, the default threshold, "
        + "hold and margin): every round measures the imbalance")
    boolean autoRebalance;

    @Option(names = "--status-budget", defaultValue = "0", description = "the manager's status budget: statuses "
        + "and disk leases one state write changes at most (0: the manager's default, 1000)")
    int statusBudget;

    @Option(names = "--goals", description = "the goal shapes of issue 14 in one run, one line each: one node of "
        + "16x200, 64x2000, 256x10000 and 1000x50000 failing, then 100 of 1000 nodes (50000 resources); --nodes, "
        + "--resources, --failed, --rules and --auto-rebalance are ignored (--rounds and --status-budget apply)")
    boolean goals;

    /** nodes, resources, failed nodes, recovery goal in ms (the steady goal is 1 ms at the largest shape). */
    private static final int[][] GOALS = {{16, 200, 1, 2}, {64, 2000, 1, 10}, {256, 10000, 1, 20},
        {1000, 50000, 1, 50}, {1000, 50000, 100, 100}};

    @Override
    public Integer call() {
      if (statusBudget < 0) {
        System.err.println("palisade: --status-budget must be 0 (the default) or more, got " + statusBudget);
        return 2;
      }
      if (!goals) {
        RoundBench.Result r = RoundBench.run(nodes, resources, failed, rounds, rules, autoRebalance,
            statusBudget);
        System.out.printf("steady round (no change): p50=%.2fms max=%.2fms cpu p50=%.2fms over %d rounds%n",
            r.steadyP50Ms(), r.steadyMaxMs(), r.steadyCpuP50Ms(), rounds);
        System.out.printf("recovery: %d resources of %d failed nodes placed in %d rounds, the longest %.2fms "
            + "(cpu %.2fms), all %.2fms (cpu %.2fms)%n", r.recovered(), failed, r.recoveryRounds(), r.recoveryMs(),
            r.recoveryCpuMs(), r.recoveryTotalMs(), r.recoveryTotalCpuMs());
        line(nodes, resources, (rules ? " rules crs=static" : "") + (autoRebalance ? " crs_auto_rebalance=yes" : ""),
            r, failed, -1);
        return 0;
      }
      RoundBench.run(64, 2000, 1, rounds); // JIT warm-up: the recovery round is measured once per shape
      for (int[] g : GOALS) {
        line(g[0], g[1], "", RoundBench.run(g[0], g[1], g[2], rounds, false, false, statusBudget), g[2], g[3]);
      }
      return 0;
    }

    private static void line(int nodes, int resources, String extra, RoundBench.Result r, int failed, int goal) {
      System.out.printf("bench round nodes=%d resources=%d%s p50=%.2fms recovery=%.2fms failed=%d cpu_p50=%.2fms "
          + "cpu_recovery=%.2fms recovery_rounds=%d cpu_recovery_all=%.2fms%s%n", nodes, resources, extra,
          r.steadyP50Ms(), r.recoveryMs(), failed, r.steadyCpuP50Ms(), r.recoveryCpuMs(), r.recoveryRounds(),
          r.recoveryTotalCpuMs(), goal < 0 ? "" : " goal_recovery=" + goal + "ms");
    }
  }

  @Command(name = "sim-failover", description = "Simulated failover time with default timings")
  public static final class Failover implements Callable<Integer> {
    @Option(names = "--trials", defaultValue = "50", description = "failovers measured (default ${DEFAULT-VALUE})")
    int trials;

    @Option(names = "--mode", description = "power or isolate", defaultValue = "power")
    String mode;

    @Option(names = "--target", defaultValue = "worker", description = "worker (node3, not the manager's node) or "
        + "manager (the node holding the manager lease; default ${DEFAULT-VALUE})")
    String target;

    @Override
    public Integer call() {
      if (!target.equals("worker") && !target.equals("manager")) {
        System.err.println("palisade: --target must be worker or manager, got '" + target + "'");
        return 2;
      }
      FailoverProbe.Mode m;
      try {
        m = FailoverProbe.Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        System.err.println("palisade: --mode must be power or isolate, got '" + mode + "'");
        return 2;
      }
      List<Long> times = new ArrayList<>();
      for (int i = 0; i < trials; i++) {
        FailoverProbe.Timeline t = FailoverProbe.measure(m, 1000 + i, null, target.equals("manager"));
        System.out.printf("trial %d: fencing +%.3fs, confirmed +%.3fs, recovered +%.3fs on %s%n", i + 1,
            t.fencingMs() / 1000.0, t.confirmedMs() / 1000.0, t.recoveredMs() / 1000.0, t.recoveredOn());
        times.add(t.recoveredMs() < 0 ? Long.MAX_VALUE : t.recoveredMs());
      }
      long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
      System.out.printf("sim-failover mode=%s%s p50=%.3fs p99=%.3fs max=%.3fs trials=%d%n", mode,
          target.equals("manager") ? " target=manager" : "",
          pct(sorted, 50) / 1000.0, pct(sorted, 99) / 1000.0, sorted[sorted.length - 1] / 1000.0, trials);
      return Arrays.stream(sorted).anyMatch(x -> x == Long.MAX_VALUE) ? 1 : 0;
    }
  }

  static long pct(long[] sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
