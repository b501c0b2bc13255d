package palisade.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.NodeRecord;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.runtime.store.Admin;
import palisade.runtime.watchdog.WatchdogSupervisor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `palisade config timing`: the cluster's timings, changed live (DESIGN "Changing timings live"). Without options it
 * shows the target, what the manager waits by and what each node runs under; with options it writes a validated
 * target to /config, which the daemons then adopt step by step in the order that keeps the inequality true.
 */
@Command(name = "timing", description = {"Show or change the cluster's timings live: renew interval R, ack timeout X, "
    + "watchdog timeout W, lease timeout L, drift. Without options: the target, what the manager waits by and what "
    + "each node runs under. With options: a new target (the rest unchanged), validated against the safety "
    + "inequality L >= (X + W)(1 + drift)^2 + R and what every node's watchdog can count; a refused target exits 2 "
    + "and writes nothing. The daemons adopt it in steps (the manager raises L before any watchdog's W grows; "
    + "every watchdog lowers W before the manager lowers L)."})
final class TimingCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store = new StoreOptions();

  @Mixin
  OutputOption output = new OutputOption();

  @Mixin
  WaitOptions waitOptions = new WaitOptions();

  @Option(names = "--renew", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "R: renewal interval of the node lease, e.g. 1s")
  Long renewMs;

  @Option(names = "--ack", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "X: a renewal counts only if acknowledged within this, e.g. 1s")
  Long ackMs;

  @Option(names = "--watchdog", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "W: watchdog timeout, e.g. 5s (whole seconds where a node drives a Linux watchdog)")
  Long watchdogMs;

  @Option(names = "--lease", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "L: how long the manager waits for a silent node before fencing it, e.g. 8s")
  Long leaseMs;

  @Option(names = "--drift", paramLabel = "PERCENT", description = "bound on clock rate drift, e.g. 1%%")
  String drift;

  @Override
  public Integer call() throws Exception {
    long waitMs = waitOptions.checkedTimeoutMs();
    boolean change = renewMs != null || ackMs != null || watchdogMs != null || leaseMs != null || drift != null;
    if (!change && waitMs >= 0) throw new CliError("config timing: --wait goes with a change; nothing was written");
    try (Admin admin = store.admin()) {
      ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
      if (cfg == null || cfg.timing() == null) {
        throw new CliError("no configuration with timings in the store yet (is a node up?); nothing was written");
      }
      if (!change) return show(admin, cfg, System.out);
      Timing target = target(cfg.timing());
      TreeMap<String, NodeRecord> records = records(admin, cfg);
      String cannot = honoured(records, target);
      if (cannot != null) throw new CliError("config timing: " + cannot + "; nothing was written");
      if (admin.read(StorePaths.TIMING) == null) {
        // The first live change: publish the timing in force, so that every manager waits by it until it moves.
        admin.update(StorePaths.TIMING, Timing.class, cur -> cur == null ? cfg.timing() : cur);
      }
      admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withTiming(target));
      admin.audit("timing target " + target.terms() + " (was " + cfg.timing().terms() + ")"); // who, in the events
      System.out.println("timing target: " + target.terms() + " (was " + cfg.timing().terms() + ")");
      if (waitMs < 0) return 0;
      return await(admin, target, waitMs);
    }
  }

  /** The current timing with the options given; a ConfigException (exit 2) names what breaks. */
  Timing target(Timing current) {
    try {
      long driftPpm = drift == null ? current.driftPpm() : driftPpm(drift);
      long r = renewMs == null ? current.renewMs() : renewMs;
      return new Timing(r, ackMs == null ? current.ackMs() : ackMs, watchdogMs == null ? current.watchdogMs()
          : watchdogMs, leaseMs == null ? current.leaseMs() : leaseMs, driftPpm, Math.min(current.tickMs(), r),
          current.restartHoldMs());
    } catch (ConfigException e) {
      throw new CliError("config timing: " + e.getMessage() + "; nothing was written");
    }
  }

  private static long driftPpm(String value) {
    String v = value.trim();
    if (!v.matches("\\d{1,2}(\\.\\d{1,4})?%")) {
      throw new ConfigException("--drift: expected a percentage such as 1% or 0.5%, got '" + value + "'");
    }
    return Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 10_000);
  }

  /** Why a member node could not count the target's W (its record names the watchdog it drives), or null. */
  static String honoured(Map<String, NodeRecord> records, Timing target) {
    for (var e : records.entrySet()) {
      String kind = e.getValue().watchdog();
      if ("linux".equals(kind) && target.watchdogMs() % 1_000 != 0) {
        return e.getKey() + " drives a Linux watchdog, which counts whole seconds: watchdog "
            + Durations.format(target.watchdogMs()) + " cannot be honoured there";
      }
      if ("process".equals(kind) && target.watchdogMs() > WatchdogSupervisor.ARM_TIMEOUT_MAX_MS) {
        return e.getKey() + " drives the process watchdog, which arms at most " + Durations.format(
            WatchdogSupervisor.ARM_TIMEOUT_MAX_MS) + ": watchdog " + Durations.format(target.watchdogMs())
            + " cannot be honoured there";
      }
    }
    return null;
  }

  private static TreeMap<String, NodeRecord> records(Admin admin, ClusterConfig cfg) throws Exception {
    TreeMap<String, NodeRecord> records = new TreeMap<>();
    for (String n : cfg.nodes().keySet()) {
      NodeRecord r = admin.value(StorePaths.node(n), NodeRecord.class);
      if (r != null) records.put(n, r);
    }
    return records;
  }

  /** Target vs. effective: what the manager waits by, and each node's claim (what its watchdog counts). */
  private int show(Admin admin, ClusterConfig cfg, PrintStream out) throws Exception {
    Timing published = admin.value(StorePaths.TIMING, Timing.class);
    Timing manager = published == null ? cfg.timing() : published;
    TreeMap<String, NodeRecord> records = records(admin, cfg);
    if (output.json()) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("target", terms(cfg.timing()));
      body.put("manager", terms(manager));
      List<Map<String, Object>> nodes = new ArrayList<>();
      for (String n : cfg.nodes().keySet()) {
        NodeRecord r = records.get(n);
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("node", n);
        item.put("state", state(r, cfg.timing()));
        item.put("timing", r == null || r.timing() == null ? null : terms(r.timing()));
        nodes.add(item);
      }
      body.put("nodes", nodes);
      OutputOption.print(body, out);
      return 0;
    }
    out.println("target:  " + cfg.timing().terms());
    out.println("manager: " + manager.terms() + (NodeRecord.sameTerms(manager, cfg.timing()) ? ""
        : " (waits lease " + Durations.format(manager.leaseMs()) + " until the change completes)"));
    Table t = new Table("NODE", "STATE", "RENEW", "ACK", "WATCHDOG", "LEASE", "DRIFT");
    for (String n : cfg.nodes().keySet()) {
      NodeRecord r = records.get(n);
      Timing c = r == null ? null : r.timing();
      t.row(n, state(r, cfg.timing()), c == null ? null : Durations.format(c.renewMs()), c == null ? null
          : Durations.format(c.ackMs()), c == null ? null : Durations.format(c.watchdogMs()), c == null ? null
          : Durations.format(c.leaseMs()), c == null ? null : c.driftPpm() / 10_000.0 + "%");
    }
    t.print(out);
    return 0;
  }

  private static String state(NodeRecord r, Timing target) {
    if (r == null || r.timing() == null) return "no record";
    if (r.fenced()) return "fenced (starts under the target)";
    if (r.mode().down()) return "down (starts under the target)";
    return NodeRecord.sameTerms(r.timing(), target) ? "target" : "changing";
  }

  private static Map<String, Object> terms(Timing t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("renewMs", t.renewMs());
    m.put("ackMs", t.ackMs());
    m.put("watchdogMs", t.watchdogMs());
    m.put("leaseMs", t.leaseMs());
    m.put("driftPpm", t.driftPpm());
    return m;
  }

  /** --wait: until the manager waits by the target and every live member node claims it; exit 1 on timeout. */
  private static int await(Admin admin, Timing target, long waitMs) throws Exception {
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    String behind = "";
    while (true) {
      ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
      if (cfg == null || cfg.timing() == null || !NodeRecord.sameTerms(cfg.timing(), target)) {
        System.err.println("palisade: the timing target was changed again meanwhile");
        return 1;
      }
      Timing published = admin.value(StorePaths.TIMING, Timing.class);
      behind = published == null || !NodeRecord.sameTerms(published, target) ? "the manager" : "";
      for (var e : records(admin, cfg).entrySet()) {
        NodeRecord r = e.getValue();
        if (r.fenced() || r.mode().down() || (r.timing() != null && NodeRecord.sameTerms(r.timing(), target))) continue;
        behind += (behind.isEmpty() ? "" : ", ") + e.getKey();
      }
      if (behind.isEmpty()) {
        System.out.println("timing in effect everywhere: " + target.terms());
        return 0;
      }
      long leftMs = (deadline - System.nanoTime()) / 1_000_000;
      if (leftMs <= 0) break;
      Thread.sleep(Math.min(Waiter.POLL_MS, leftMs)); // the CLI's edge: a modest poll of the store
    }
    System.err.println("palisade: timing not in effect after " + Durations.format(waitMs) + ": waiting for " + behind
        + " (a silent node keeps the old lease in force until it is fenced)");
    return 1;
  }
}
