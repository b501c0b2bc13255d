package palisade.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import palisade.core.ManagerLease;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.lab.Layout;
import palisade.lab.LocalCluster;
import palisade.lab.Traces;
import palisade.runtime.store.EmbeddedPeer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `palisade bench failover`: real failover time on a fresh local 3-node cluster per trial (default timings), from
 * the fault (power loss or isolation) to the moment the node's resource writes its first trace line on another node.
 * The victim is a node that does not hold the manager lease (and, for isolation, whose ZooKeeper peer follows), or
 * with {@code --target manager} the manager's own node: a new manager waits for the manager lease to lapse and
 * keeps the node timers it watched as standby (DESIGN "The manager rule"), so it fences the victim at once.
 */
@Command(name = "failover", description = "Real failover time on the local cluster (processes on loopback)")
public final class FailoverBench implements Callable<Integer> {
  static final long TRIAL_MAX_MS = 90_000;

  @Option(names = "--trials", defaultValue = "5", description = "failovers measured (default ${DEFAULT-VALUE})")
  int trials;

  @Option(names = "--mode", defaultValue = "power", description = "power or isolate")
  String mode;

  @Option(names = "--target", defaultValue = "worker", description = "worker (a node without the manager lease) or "
      + "manager (the manager's node; power mode only)")
  String target;

  @Override
  public Integer call() throws Exception {
    if (!mode.equals("power") && !mode.equals("isolate")) {
      throw new IllegalArgumentException("--mode must be power or isolate, got '" + mode + "'");
    }
    if (trials < 1 || trials > 1000) throw new IllegalArgumentException("--trials must be 1..1000");
    if (!target.equals("worker") && !target.equals("manager")) {
      throw new IllegalArgumentException("--target must be worker or manager, got '" + target + "'");
    }
    if (target.equals("manager") && mode.equals("isolate")) {
      // Its ZooKeeper peer may lead the ensemble, and the proxy cannot isolate a leader faithfully (docs/RUNTIME.md).
      throw new IllegalArgumentException("--target manager works with --mode power only");
    }
    List<Long> times = new ArrayList<>();
    for (int k = 1; k <= trials; k++) {
      Path dir = Files.createTempDirectory("palisade-bench");
      long ms = trial(dir);
      System.out.printf("trial %d: %s -> resource running elsewhere after %s%n", k, mode,
          ms < 0 ? "NOT RECOVERED" : String.format("%.3fs", ms / 1000.0));
      times.add(ms < 0 ? Long.MAX_VALUE : ms);
    }
    long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("failover mode=%s%s p50=%.3fs p99=%.3fs trials=%d%n", mode,
        target.equals("manager") ? " target=manager" : "", Benchmarks.pct(sorted, 50) / 1000.0,
        Benchmarks.pct(sorted, 99) / 1000.0, trials);
    return times.contains(Long.MAX_VALUE) ? 1 : 0;
  }

  private long trial(Path dir) throws Exception {
    LocalCluster c = LocalCluster.create(dir.resolve("cluster"), 3, Map.of());
    palisade.lab.DownOnExit downOnExit = new palisade.lab.DownOnExit(c);
    try {
      c.attachNetwork();
      for (String n : c.nodeNames()) c.powerOn(n);
      String manager;
      try (Admin admin = c.admin()) {
        waitFor(() -> admin.read(StorePaths.CONFIG) != null, 60_000);
        c.addDemoResources(admin, 3);
        waitFor(() -> List.of("vm:101", "vm:102", "vm:103").stream()
            .allMatch(id -> alive(c, id).size() == 1), 60_000);
        manager = admin.value(StorePaths.MANAGER_LEASE, ManagerLease.class).holder();
      }
      if (mode.equals("isolate")) {
        waitFor(() -> c.nodeNames().stream().anyMatch(n -> "leader".equals(mode(c, n))), 30_000);
      }
      String victim = target.equals("manager") ? manager : c.nodeNames().stream()
          .filter(n -> !n.equals(manager) && (mode.equals("power") || "follower".equals(mode(c, n))))
          .reduce((a, b) -> b).orElseThrow();
      String id = "vm:10" + Layout.index(victim);
      String v = victim;
      long t0 = System.currentTimeMillis();
      if (mode.equals("power")) c.powerOff(victim);
      else c.isolate(victim);
      while (System.currentTimeMillis() - t0 < TRIAL_MAX_MS) {
        Optional<Traces.Instance> moved = alive(c, id).stream().filter(i -> !i.node().equals(v))
            .findFirst();
        if (moved.isPresent()) return moved.get().startMs() - t0;
        Thread.sleep(50);
      }
      return -1;
    } finally {
      c.down();
      downOnExit.close();
    }
  }

  private static List<Traces.Instance> alive(LocalCluster c, String id) {
    try {
      return Traces.alive(Traces.read(c.traceDir()), id, System.currentTimeMillis());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  /** Polls until c holds; a timeout ends the benchmark with exit 1. */
  static void waitFor(Condition c, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (!c.holds()) {
      if (System.nanoTime() > deadline) throw new TimeoutException("timed out after " + timeoutMs / 1000 + "s");
      Thread.sleep(200);
    }
  }

  private static String mode(LocalCluster c, String node) {
    return EmbeddedPeer.mode(c.layout().address(Layout.index(node)), c.layout().clientPort(),
        c.adminCredential());
  }
}
