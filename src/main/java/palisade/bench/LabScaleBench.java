package palisade.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import palisade.core.ManagerLease;
import palisade.core.NodeRecord;
import palisade.core.RequestOutcome;
import palisade.core.ResourceResult;
import palisade.core.StorePaths;
import palisade.lab.LocalCluster;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `palisade bench lab-scale`: the 3-node local cluster holding many resources, added by `palisade resource import`
 * (the command itself, run as a process): most are stopped process resources, a number are started on one node
 * that does not hold the manager lease (all imported stopped, then those started by a second import, --replace,
 * once the manager has placed every resource). Measures the import, `palisade status` (a process each time, as an operator
 * runs it), then powers that node off and measures the time until every one of its started resources runs on
 * another node, as that node's own record reports it.
 */
@Command(name = "lab-scale", description = "The local cluster with many imported resources: import time, status "
    + "latency, and failover of one node's started resources")
public final class LabScaleBench implements Callable<Integer> {
  static final long FORM_MS = 120_000;

  @Option(names = "--resources", defaultValue = "50000", description = "resources imported (default "
      + "${DEFAULT-VALUE})")
  int resources;

  @Option(names = "--started", defaultValue = "1000", description = "of them started, all on one node (default "
      + "${DEFAULT-VALUE})")
  int started;

  @Option(names = "--status-runs", defaultValue = "5", description = "palisade status runs timed (default "
      + "${DEFAULT-VALUE})")
  int statusRuns;

  @Option(names = "--failover-max", defaultValue = "300", description = "seconds to wait for the failover "
      + "(default ${DEFAULT-VALUE})")
  int failoverMaxS;

  @Option(names = "--keep-logs", paramLabel = "DIR", description = "copy the nodes' logs to DIR before the lab "
      + "directory (credentials included) is removed")
  Path keepLogs;

  @Option(names = "--launcher", paramLabel = "PATH", description = "run import and status through this launcher "
      + "(packaging/bin/palisade or /usr/bin/palisade: its class-data archive; one untimed status first makes it)")
  Path launcher;

  @Option(names = "--daemon-heap", defaultValue = "1g", description = "each daemon's Java heap: every daemon mirrors "
      + "the whole store and hosts a store peer (default ${DEFAULT-VALUE})")
  String daemonHeap;

  @Override
  public Integer call() throws Exception {
    if (resources < 1 || started < 0 || started > resources) {
      throw new IllegalArgumentException("--resources must be >= 1 and --started 0..resources");
    }
    if (!daemonHeap.matches("[1-9][0-9]*[mg]")) throw new IllegalArgumentException("--daemon-heap: '" + daemonHeap
        + "' is not like 512m or 1g");
    if (statusRuns < 1 || failoverMaxS < 1) throw new IllegalArgumentException("--status-runs, --failover-max: >= 1");
    Path dir = Files.createTempDirectory("palisade-lab-scale");
    LocalCluster c = LocalCluster.create(dir.resolve("cluster"), 3, Map.of());
    palisade.lab.DownOnExit downOnExit = new palisade.lab.DownOnExit(c);
    try {
      c.productionDaemons(daemonHeap); // measured as production runs a daemon
      c.attachNetwork();
      for (String n : c.nodeNames()) c.powerOn(n);
      try (Admin admin = c.admin()) {
        FailoverBench.waitFor(() -> admin.read(StorePaths.CONFIG) != null
            && admin.value(StorePaths.MANAGER_LEASE, ManagerLease.class) != null, FORM_MS);
        String manager = admin.value(StorePaths.MANAGER_LEASE, ManagerLease.class).holder();
        String victim = c.nodeNames().stream().filter(n -> !n.equals(manager)).reduce((a, b) -> b).orElseThrow();
        Path file = dir.resolve("resources.yaml");
        // All stopped first; the ones to start are started once the manager has placed every resource, as an admin
        // would: an import and 1,000 starts at once on this lab's two cores reset nodes (runs 18 - 21).
        Files.writeString(file, yaml(c.nodeNames(), victim, 0, resources, false));
        long t0 = System.nanoTime();
        run(c, "resource", "import", file.toString(), "--batch", "1000");
        double importS = (System.nanoTime() - t0) / 1e9;
        System.out.printf("imported %d resources in %.1fs%n", resources, importS);
        t0 = System.nanoTime();
        FailoverBench.waitFor(() -> placed(admin) == resources, FORM_MS + resources * 10L);
        System.out.printf("all placed after %.1fs more%n", (System.nanoTime() - t0) / 1e9);
        Path starts = dir.resolve("started.yaml");
        Files.writeString(starts, yaml(c.nodeNames(), victim, 0, started, true));
        run(c, "resource", "import", starts.toString(), "--replace", "--batch", "1000");
        t0 = System.nanoTime();
        boolean allStarted = true;
        try {
          FailoverBench.waitFor(() -> runningOn(admin, victim) == started, FORM_MS + started * 100L);
          System.out.printf("all %d started on %s after %.1fs%n", started, victim, (System.nanoTime() - t0) / 1e9);
        } catch (java.util.concurrent.TimeoutException e) {
          // status is still timed on the cluster as it is; a failover of resources that never ran is not
          allStarted = false;
          System.out.printf("only %d of %d started on %s after %.1fs: no failover measured%n", runningOn(admin,
              victim), started, victim, (System.nanoTime() - t0) / 1e9);
        }
        // A status that fails is counted, not fatal: the failover is still measured.
        List<Long> status = new ArrayList<>();
        if (launcher != null) run(c, "status"); // untimed: the launcher archives its classes at the first
        for (int k = 0; k < statusRuns; k++) {
          long s0 = System.nanoTime();
          try {
            run(c, "status");
            status.add((System.nanoTime() - s0) / 1_000_000);
          } catch (IllegalStateException e) {
            System.out.println("status run " + (k + 1) + " failed: " + e.getMessage());
          }
        }
        long[] ok = status.stream().sorted().mapToLong(Long::longValue).toArray();
        double failover = allStarted ? failover(c, admin, victim) : -1;
        System.out.printf("bench lab-scale resources=%d started=%d import=%.1fs status_p50=%s status_max=%s "
            + "status_failed=%d failover=%s%n", resources, started, importS,
            ok.length == 0 ? "-" : String.format("%.2fs", Benchmarks.pct(ok, 50) / 1000.0),
            ok.length == 0 ? "-" : String.format("%.2fs", ok[ok.length - 1] / 1000.0), statusRuns - ok.length,
            !allStarted ? "NOT-STARTED" : failover < 0 ? "NOT-RECOVERED" : String.format("%.1fs", failover));
        return failover < 0 || ok.length < statusRuns ? 1 : 0;
      }
    } finally {
      c.down();
      downOnExit.close();
      if (keepLogs != null) keepLogs(c);
      try (var files = Files.walk(dir)) { // the lab's credentials and secrets go with it
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** The nodes' logs (no secrets are ever logged) copied to --keep-logs before the lab directory goes. */
  private void keepLogs(LocalCluster c) throws IOException {
    Files.createDirectories(keepLogs);
    for (String n : c.nodeNames()) {
      Path log = c.nodeLog(n);
      if (Files.exists(log)) Files.copy(log, keepLogs.resolve(n + ".log"), StandardCopyOption.REPLACE_EXISTING);
    }
    System.out.println("node logs kept in " + keepLogs);
  }

  /**
   * Powers victim off; seconds until every resource running there runs elsewhere, or -1. Both are read in the nodes'
   * own records (a result "started" under a newer token on another node), a few reads a poll: reading the manager's
   * 50,000 statuses every poll loaded the store the bench measures.
   */
  private double failover(LocalCluster c, Admin admin, String victim) throws Exception {
    Map<String, Long> tokens = new java.util.TreeMap<>();
    started(admin, victim).forEach((id, r) -> tokens.put(id, r.token()));
    long t0 = System.nanoTime();
    c.powerOff(victim);
    while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(failoverMaxS)) {
      Map<String, Long> elsewhere = new java.util.HashMap<>();
      try {
        for (String n : c.nodeNames()) {
          if (!n.equals(victim)) started(admin, n).forEach((id, r) -> elsewhere.merge(id, r.token(), Math::max));
        }
      } catch (org.apache.zookeeper.KeeperException.ConnectionLossException
          | org.apache.zookeeper.KeeperException.SessionExpiredException
          | org.apache.zookeeper.KeeperException.OperationTimeoutException e) {
        // the bench's connection may have been to the victim's own peer: its client moves to another, poll again
        Thread.sleep(100);
        continue;
      }
      if (tokens.entrySet().stream().allMatch(e -> elsewhere.getOrDefault(e.getKey(), 0L) > e.getValue())) {
        return (System.nanoTime() - t0) / 1e9;
      }
      Thread.sleep(100);
    }
    return -1;
  }

  private static long runningOn(Admin admin, String node) throws Exception {
    return started(admin, node).size();
  }

  /** The resources node's own record reports started, with their results. */
  private static Map<String, ResourceResult> started(Admin admin, String node) throws Exception {
    NodeRecord rec = admin.value(StorePaths.node(node), NodeRecord.class);
    Map<String, ResourceResult> out = new java.util.TreeMap<>();
    if (rec != null) {
      rec.results().forEach((id, r) -> {
        if (r.outcome() == RequestOutcome.STARTED) out.put(id, r);
      });
    }
    return out;
  }

  /** The import file: started ones on victim first, then stopped ones round the nodes. */
  /** Resources from..to-1, the first `started` of them on the victim; those started when startThem. */
  private String yaml(List<String> nodes, String victim, int from, int to, boolean startThem) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < to; i++) {
      boolean run = i < started && startThem;
      sb.append("- id: \"bench:").append(i).append("\"\n  node: ")
          .append(i < started ? victim : nodes.get(i % nodes.size())).append("\n  state: ")
          .append(run ? "started" : "stopped").append("\n  options: {command: \"sleep 1000000\"}\n");
    }
    return sb.toString();
  }

  /** How many resources the manager's state holds a status for (the head's count), 0 before it has one. */
  private static long placed(Admin admin) {
    palisade.runtime.store.Layout2.Head h;
    try {
      h = admin.head(StorePaths.MANAGER_STATE);
    } catch (Exception e) { // a lost connection on this loaded lab: the next poll asks again
      return -1;
    }
    palisade.runtime.store.Layout2.Sum sum = h == null ? null : h.sums().get("services");
    return sum == null ? 0 : sum.count();
  }

  /**
   * `palisade ARGS --dir` (the lab's admin) as a process: through --launcher when given (its class-data archive in
   * a home of the bench's own), else as this Java with the launcher's JIT flags; a failure ends the benchmark.
   */
  private void run(LocalCluster c, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (launcher != null) {
      cmd.add(launcher.toAbsolutePath().toString());
    } else { // the JVM options the launcher gives short commands: import and status are both
      cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-XX:TieredStopAtLevel=1",
          "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "palisade.Main"));
    }
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--dir", c.dir().toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (launcher != null) {
      // The jar this bench runs (its class path's first entry) and lib/ beside it, as PALISADE_HOME.
      Path jar = Path.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)[0]);
      pb.environment().put("PALISADE_HOME", jar.toAbsolutePath().getParent().toString());
      pb.environment().put("HOME", c.dir().resolve("bench-home").toString());
      pb.environment().remove("XDG_CACHE_HOME");
    }
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly(); // this process only, by its handle
      throw new IllegalStateException(String.join(" ", args) + ": no answer in 10 minutes");
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", args) + " exited " + p.exitValue() + ": "
          + new String(out, java.nio.charset.StandardCharsets.UTF_8).lines().limit(20).toList());
    }
  }
}
