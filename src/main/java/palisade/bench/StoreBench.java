package palisade.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import palisade.core.Timing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `palisade bench store`: many lightweight agents (the real Agent core and the real store client, in this JVM)
 * against real store peers on loopback (child JVMs, mutual TLS). Measures renewal acknowledgement latency, the
 * manager's state write latency, heap per agent, and the time from one node's power loss to its resources being
 * assigned elsewhere in /manager/state.
 */
@Command(name = "store", description = "Many agents (real Agent core and store client, one JVM) against real store "
    + "peers on loopback: renewal and manager write latency, heap per agent, failover after a power loss")
public final class StoreBench implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "500", description = "agents, one node each (default ${DEFAULT-VALUE})")
  int nodes;

  @Option(names = "--resources", defaultValue = "50000", description = "resources in /config, store layout 2, "
      + "added in operator writes of 1000 (default ${DEFAULT-VALUE})")
  int resources;

  @Option(names = "--duration", defaultValue = "60s", converter = MsConverter.class,
      description = "steady window in which renewals are timed, after every resource started (default 60s)")
  long durationMs;

  @Option(names = "--peers", defaultValue = "3", description = "store peers: 1, 3 or 5 (default ${DEFAULT-VALUE})")
  int peers;

  @Option(names = "--candidates", defaultValue = "3", description = "the first N agents may be manager: each runs a "
      + "manager core and mirrors every node's record and the whole state; the rest are agent_only and mirror their "
      + "own record and their node's part of the state and configuration (default ${DEFAULT-VALUE}; N = --nodes: "
      + "every node a candidate)")
  int candidates;

  @Override
  public Integer call() throws Exception {
    if (nodes < 2 || nodes > 5000) throw new IllegalArgumentException("--nodes must be 2..5000, got " + nodes);
    if (resources < 1 || resources > 1_000_000) {
      throw new IllegalArgumentException("--resources must be 1..1000000, got " + resources);
    }
    if (peers != 1 && peers != 3 && peers != 5) throw new IllegalArgumentException("--peers must be 1, 3 or 5");
    if (durationMs < 1_000) throw new IllegalArgumentException("--duration must be at least 1s");
    if (candidates < 1 || candidates >= nodes) {
      throw new IllegalArgumentException("--candidates must be 1.." + (nodes - 1) + " (one node must be left to lose "
          + "power without being a candidate), got " + candidates);
    }
    Path dir = Files.createTempDirectory("palisade-bench-store",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    StoreRun.Result r;
    try {
      System.out.printf("load average before: %s%n", loadAverage());
      r = new StoreRun(dir, nodes, resources, durationMs, peers, Timing.defaults(), candidates).run();
      System.out.printf("load average after: %s%n", loadAverage());
    } finally {
      deleteTree(dir);
    }
    print(r);
    return r.failoverMs() < 0 || r.stuck() > 0 ? 1 : 0;
  }

  private void print(StoreRun.Result r) {
    System.out.printf("converged: %s in %.1fs%n", r.stuck() == 0 ? "every one of " + resources + " resources started"
        : "NO, " + r.stuck() + " agents never started their core (their view never assembled /config)",
        r.convergeMs() / 1000.0);
    System.out.printf("renewal ack (agent record writes, submit to completion on the agent's loop): p50=%.1fms "
        + "p99=%.1fms max=%.1fms over %d writes in %s (not committed: %s); goal p99 <= 100ms: %s%n",
        r.renewals().pctMs(50), r.renewals().pctMs(99), r.renewals().maxMs(), r.renewals().count(),
        palisade.core.Durations.format(durationMs), r.renewals().failures(), r.renewals().pctMs(99) <= 100 ? "met"
            : "MISSED");
    System.out.printf("manager state writes: p50=%.1fms p99=%.1fms max=%.1fms over %d writes in the whole run (not "
        + "committed: %s); core events counted, not written: %d%n",
        r.managerWrites().pctMs(50), r.managerWrites().pctMs(99), r.managerWrites().maxMs(),
        r.managerWrites().count(), r.managerWrites().failures(), r.events());
    System.out.printf("heap per agent: %.0f KiB (heap used after GC %.0f MiB without agents, %.0f MiB with); "
        + "threads %d%n", r.heapPerAgentBytes() / 1024.0, r.heapBeforeBytes() / 1048576.0,
        r.heapAfterBytes() / 1048576.0, r.threads());
    System.out.printf("store client tasks on each agent's loop in the window (a mirror update per changed znode, "
        + "each completion): %.1f per agent per second%n", r.storeTasksPerAgentPerSec());
    r.storeFigures().forEach(System.out::println);
    System.out.println(r.connections());
    double goal = (Timing.defaults().leaseMs() + 1_000) / 1000.0;
    System.out.printf("failover: %s lost power with %d resources, %d ms after its last committed renewal was sent; "
        + "assigned elsewhere in /manager/state after %s, started elsewhere after %s; goal L + 1s = %.1fs: %s%n",
        r.victim(), r.victimResources(), r.lastRenewalBeforeLossMs(), secs(r.failoverMs()), secs(r.startedMs()), goal,
        r.failoverMs() >= 0 && r.failoverMs() <= goal * 1000 ? "met" : "MISSED");
    System.out.printf("bench store nodes=%d resources=%d renew_p99=%.1fms failover=%s%s%n", nodes, resources,
        r.renewals().pctMs(99), r.failoverMs() < 0 ? "none" : String.format("%.3fs", r.failoverMs() / 1000.0),
        r.stuck() > 0 ? " stuck_agents=" + r.stuck() : "");
  }

  private static String secs(long ms) {
    return ms < 0 ? "never" : String.format("%.3fs", ms / 1000.0);
  }

  static String loadAverage() {
    double la = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2] + " (1, 5, 15 min; " + Runtime.getRuntime().availableProcessors()
          + " cores)";
    } catch (java.io.IOException e) {
      return String.format("%.2f", la);
    }
  }

  static void deleteTree(Path dir) throws java.io.IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
