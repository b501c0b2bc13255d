package palisade.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import palisade.core.Durations;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.runtime.store.Admin;
import palisade.lab.LocalCluster;
import palisade.lab.Traces;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `palisade demo`: a real 3-node cluster on loopback (processes, watchdog supervisors, embedded ZooKeeper), one
 * resource per node; node3 loses power; the fence, its confirmation and the recovery are printed as they happen,
 * with measured times; then everything is stopped. `--sim` tells the same story in the simulator.
 */
@Command(name = "demo", description = "Run a real 3-node cluster on loopback through a power loss and tell the story")
final class DemoCommand implements Callable<Integer> {
  static final long STORY_MAX_MS = 90_000;

  @Option(names = "--sim", description = "the simulated cluster instead of real processes")
  boolean sim;

  @Option(names = "--dir", description = "where the cluster's files go (default: a new temp dir, kept for reading)")
  Path dir;

  @Override
  public Integer call() throws Exception {
    if (sim) return SimDemo.run(System.out);
    return real(System.out, dir != null ? dir : Files.createTempDirectory("palisade-demo"));
  }

  static int real(PrintStream out, Path dir) throws Exception {
    Timing t = Timing.defaults();
    out.println("Palisade demo: a real 3-node cluster on loopback (node1..node3 = 127.0.1.1..3), each node daemon");
    out.println("under its process watchdog, with an embedded ZooKeeper peer; one resource per node (vm:101..103).");
    out.println("Every node has a mock BMC (Redfish over HTTPS on 127.0.0.1) that powers its process group off and on;");
    out.println("node3 runs WITHOUT a watchdog (watchdog: none), so only a power fence through its BMC proves it dead.");
    out.println("Timings: renew R=" + Durations.format(t.renewMs()) + ", ack X=" + Durations.format(t.ackMs())
        + ", watchdog W=" + Durations.format(t.watchdogMs()) + ", lease L=" + Durations.format(t.leaseMs()) + ".");
    out.println("Files and logs: " + dir);
    LocalCluster c = LocalCluster.create(dir.resolve("cluster"), 3, new LocalCluster.Options(Map.of(), 0, true,
        java.util.Set.of("node3"), Map.of()));
    palisade.lab.DownOnExit downOnExit = new palisade.lab.DownOnExit(c);
    try {
      c.attachNetwork();
      c.startBmcs();
      long t0 = System.nanoTime();
      for (String n : c.nodeNames()) c.powerOn(n);
      try (Admin admin = c.admin()) {
        waitFor(() -> admin.read(StorePaths.CONFIG) != null, 60_000);
        c.addDemoResources(admin, 3);
        waitFor(() -> List.of("vm:101", "vm:102", "vm:103").stream().allMatch(id -> alive(c, id).size() == 1),
            60_000);
        out.printf("Cluster formed and all three resources running after %.1fs.%n", (System.nanoTime() - t0) / 1e9);
        out.println("Dashboard: " + c.httpUrl("node1") + "/ (any node's address works; paste the admin API token from "
            + c.apiTokenFile("admin") + "; the certificate is signed by the lab's own authority, " + c.membersCa()
            + ": trust it in the browser or accept its warning)");
        Traces.Instance before = alive(c, "vm:103").get(0);
        String lastEvent = admin.events(null, 1).stream().reduce((a, b) -> b).map(Admin.Event::id).orElse(null);
        out.println();
        out.println("node3 loses power now (SIGKILL of its whole process group). The cluster's event log follows.");
        long offWall = System.currentTimeMillis();
        c.powerOff("node3");
        long fencing = -1;
        long confirmed = -1;
        long recovered = -1;
        String recoveredOn = null;
        while (System.currentTimeMillis() - offWall < STORY_MAX_MS && (recovered < 0 || confirmed < 0)) {
          for (Admin.Event e : admin.events(lastEvent, 500)) {
            lastEvent = e.id();
            if (e.message().contains("lease renewed")) continue;
            out.printf("  +%6.3fs %s: %s%n", (e.t() - offWall) / 1000.0, e.source(), e.message());
            if (fencing < 0 && e.message().startsWith("node3: ") && e.message().contains("-> fencing")) {
              fencing = e.t() - offWall;
            }
            if (confirmed < 0 && e.message().startsWith("node3: ") && e.message().contains("-> fenced")) {
              confirmed = e.t() - offWall;
            }
          }
          Optional<Traces.Instance> now = alive(c, "vm:103").stream()
              .filter(i -> !i.node().equals("node3") && i.token() > before.token()).findFirst();
          if (recovered < 0 && now.isPresent()) {
            recovered = now.get().startMs() - offWall;
            recoveredOn = now.get().node() + " with token " + now.get().token() + " (was " + before.token() + ")";
          }
          Thread.sleep(100);
        }
        out.println();
        if (recovered < 0) {
          out.println("vm:103 was NOT recovered within " + STORY_MAX_MS / 1000 + "s: something is wrong; see "
              + c.dir());
          return 1;
        }
        out.println("node3 lost power at +0.000s");
        if (fencing >= 0) out.printf("  +%6.3fs manager: node3 silent for L -> fencing%n", fencing / 1000.0);
        if (confirmed >= 0) {
          out.printf("  +%6.3fs fence confirmed (power: node3's BMC reported it off; node3 has no watchdog)%n",
              confirmed / 1000.0);
        }
        out.printf("  +%6.3fs vm:103 running again on %s%n", recovered / 1000.0, recoveredOn);
        List<String> overlaps = Traces.overlaps(Traces.read(c.traceDir()));
        out.println(overlaps.isEmpty() ? "Checked from the resources' own traces: never two instances at once."
            : "VIOLATION: " + overlaps);
        out.printf("Failover took %.1fs.%n", recovered / 1000.0);
        // the fence proxy powers node3 on again through its BMC; show the fence history once that is recorded
        long until = System.currentTimeMillis() + 30_000;
        List<FenceEntry> history = List.of();
        while (System.currentTimeMillis() < until) {
          FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
          history = h == null ? List.of() : h.entries();
          if (history.stream().anyMatch(e -> e.result().equals(FenceEntry.ON_CONFIRMED)
              || e.result().equals(FenceEntry.ON_FAILED))) break;
          Thread.sleep(200);
        }
        out.println();
        out.println("Fence history (palisade fence history):");
        FenceCommand.print(history, null, out);
        keepUpForTheDashboard(c, out);
        return overlaps.isEmpty() ? 0 : 1;
      }
    } finally {
      c.down();
      downOnExit.close();
      out.println("Cluster stopped (every process by PID); logs kept in " + dir);
    }
  }

  /** In a terminal, the cluster stays up for the dashboard until Enter; in CI (no console) the demo ends by itself. */
  static void keepUpForTheDashboard(LocalCluster c, PrintStream out) {
    java.io.Console console = System.console();
    if (console == null) return;
    out.println();
    out.println("The cluster stays up: open " + c.httpUrl("node1") + "/ to see the failover on the fence timeline.");
    out.println("Press Enter to stop the cluster.");
    console.readLine();
  }

  static List<Traces.Instance> alive(LocalCluster c, String id) {
    try {
      return Traces.alive(Traces.read(c.traceDir()), id, System.currentTimeMillis());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  static void waitFor(Condition c, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (!c.holds()) {
      if (System.nanoTime() > deadline) throw new CliError("timed out after " + timeoutMs / 1000 + "s", 1);
      Thread.sleep(200);
    }
  }
}
