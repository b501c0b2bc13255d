package palisade.sim.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import palisade.core.Durations;

/**
 * Random failure histories. Each run draws everything from its own seed and is written as an ordinary scenario:
 * a faulty phase (power, isolation, partitions, pauses shorter and longer than the lease, lost and late
 * acknowledgements, clean reboots, operator commands, HA disarm and arm, nodes silently without their watchdog,
 * resources sharing a disk, `spm move`, whole nodes frozen with their watchdog, faults of the manager's own node,
 * nodes that may never be manager, members added and removed),
 * then everything heals and every resource that should run must run, once, within a bound (DESIGN invariant 5).
 * Safety invariants are checked on every event throughout.
 */
public final class Fuzz {
  /** Time allowed after healing for the cluster to converge: boot, manager takeover, fence, recovery. */
  static final long SETTLE_MS = 240_000;
  /** A clean shutdown still running at heal time may power the node off after it: power on again later. */
  static final long SECOND_POWER_ON_MS = 125_000;
  /** Longer than any boot a history draws (option boot_time, 10 to 39 s): what is powered on has booted by then. */
  static final long LONGEST_BOOT_MS = 45_000;

  /**
   * One run's verdict. history is the run as a scenario file that replays it (`sim run` takes its seed), kept only
   * when the run failed; else empty.
   */
  public record RunResult(long seed, int nodes, long durationMs, String failure, List<String> history) {
    public RunResult {
      history = List.copyOf(history);
    }

    public String replay() {
      return "bin/palisade sim fuzz --runs 1 --seed " + seed + " --nodes " + nodes + " --duration "
          + Durations.format(durationMs) + " --verbose";
    }
  }

  private Fuzz() {}

  /** Runs runs histories with seeds seed, seed+1, ...; in parallel, results in seed order. */
  public static List<RunResult> runAll(int runs, long seed, Integer nodes, long durationMs, boolean parallel) {
    IntStream idx = IntStream.range(0, runs);
    if (parallel) idx = idx.parallel();
    return idx.mapToObj(i -> runGuarded(seed + i, nodes, durationMs)).toList();
  }

  /** The history's node count: always drawn first, so a replay with --nodes sees the same random sequence. */
  private static int nodeCount(Random r, Integer fixedNodes) {
    int drawn = 3 + r.nextInt(5);
    return fixedNodes != null ? fixedNodes : drawn;
  }

  /** A run that crashes (an exception outside the invariant checks) is a failure with a replay like any other. */
  private static RunResult runGuarded(long seed, Integer nodes, long durationMs) {
    try {
      return runOne(seed, nodes, durationMs, null);
    } catch (RuntimeException e) {
      List<String> history;
      try {
        history = scenario(seed, nodes, durationMs).text(intent(seed, "crashed: " + e));
      } catch (Scenario.ScenarioException | RuntimeException again) {
        history = List.of();
      }
      return new RunResult(seed, nodeCount(new Random(seed), nodes), durationMs, "crashed: " + e, history);
    }
  }

  /** The random history of seed as a scenario: the same records a scenario file would give. */
  public static Scenario scenario(long seed, Integer fixedNodes, long durationMs) throws Scenario.ScenarioException {
    Random r = new Random(seed);
    int k = nodeCount(r, fixedNodes);
    return history(r, k, durationMs, seed);
  }

  private static List<String> intent(long seed, String failure) {
    return List.of("Intent: a random history (fuzz seed " + seed + ") that failed: " + failure,
        "Replay: bin/palisade sim run FILE (the seed line gives the world's random draws).");
  }

  public static RunResult runOne(long seed, Integer fixedNodes, long durationMs, Consumer<String> out) {
    return runOne(seed, fixedNodes, durationMs, out, false);
  }

  /** stepAll: managers skip no calm node and no quiet resource ({@link palisade.sim.SimOptions#stepAll}). */
  public static RunResult runOne(long seed, Integer fixedNodes, long durationMs, Consumer<String> out,
      boolean stepAll) {
    Random r = new Random(seed);
    int k = nodeCount(r, fixedNodes);
    Scenario s;
    try {
      s = history(r, k, durationMs, seed);
    } catch (Scenario.ScenarioException e) {
      return new RunResult(seed, k, durationMs, "generator produced bad input: " + e.getMessage(), List.of());
    }
    if (out != null) {
      out.accept("# generated history (seed " + seed + "):");
      for (String line : s.text(List.of())) out.accept("#   " + line);
    }
    s.options.stepAll(stepAll);
    ScenarioRunner.Result res = new ScenarioRunner(s, seed, out).run();
    if (res.ok()) return new RunResult(seed, k, durationMs, null, List.of());
    return new RunResult(seed, k, durationMs, res.failure(), s.text(intent(seed, res.failure())));
  }

  /**
   * One random history: declarations as a file has them (cluster, options, devices, groups, resources), then the
   * faults as action records, then healing and the liveness expectation (invariant 5).
   */
  static Scenario history(Random r, int k, long durationMs, long seed) throws Scenario.ScenarioException {
    List<String> nodes = new ArrayList<>();
    for (int i = 1; i <= k; i++) nodes.add("node" + i);
    List<String> devices = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    // Power feeds, device delays and slowness, sites, grace and device checks draw from their own source: the
    // histories drawn before they existed stay the same but for them.
    Random power = source(seed, POWER_SALT);
    List<String> lines = declarations(r, power, nodes, devices, ids);
    // A small status budget now and then, from its own source: recoveries then span several writes.
    Random budget = source(seed, BUDGET_SALT);
    if (budget.nextInt(4) == 0) lines.add("option status_budget=" + (1 + budget.nextInt(3)));
    List<Scenario.At> steps = new ArrayList<>();
    long t = 5_000;
    while (true) {
      t += 2_000 + r.nextInt(40_000);
      if (t >= durationMs) break;
      if (!devices.isEmpty() && r.nextInt(6) == 0) {
        String d = devices.get(r.nextInt(devices.size()));
        steps.add(at(t, new Action.FenceDevice(d, false)));
        steps.add(at(Math.min(durationMs, t + 5_000 + r.nextInt(120_000)), new Action.FenceDevice(d, true)));
      } else {
        fault(r, steps, nodes, ids, t, durationMs);
      }
    }
    daemonRestarts(source(seed, RESTART_SALT), steps, nodes, durationMs);
    FuzzHostFaults.add(source(seed, FuzzHostFaults.SALT), lines, steps, nodes, durationMs);
    FuzzHostFaults.operatorFences(source(seed, FuzzHostFaults.FENCE_SALT), steps, nodes, durationMs);
    FuzzTimings.add(source(seed, FuzzTimings.SALT), steps, durationMs);
    FuzzDisarm.add(source(seed, FuzzDisarm.SALT), steps, durationMs);
    FuzzLeases.spmMoves(source(seed, FuzzLeases.SALT), steps, nodes, durationMs);
    FuzzFreezes.add(source(seed, FuzzFreezes.SALT), lines, steps, nodes, durationMs);
    FuzzManagerFaults.add(source(seed, FuzzManagerFaults.SALT), steps, nodes, durationMs);
    FuzzManagerFaults.candidates(source(seed, FuzzManagerFaults.CANDIDATES_SALT), lines, steps, nodes, durationMs);
    String added = FuzzMembers.add(source(seed, FuzzMembers.SALT), lines, steps, nodes, durationMs);
    slowDevices(power, steps, devices, durationMs);
    for (String d : devices) steps.add(at(durationMs, new Action.FenceDevice(d, true)));
    steps.add(at(durationMs, new Action.Heal()));
    List<String> healed = new ArrayList<>(nodes);
    if (added != null) healed.add(added); // a member added during the run heals like the others
    for (String n : healed) {
      steps.add(at(durationMs, new Action.Power(n, true)));
      steps.add(at(durationMs, new Action.Network(n, true)));
      steps.add(at(durationMs, new Action.DropAcks(n, false)));
      steps.add(at(durationMs, new Action.SlowAcks(n, 0)));
      steps.add(at(durationMs + 1, new Action.Maintenance(n, false)));
      steps.add(at(durationMs + SECOND_POWER_ON_MS, new Action.Power(n, true)));
      steps.add(at(durationMs + SECOND_POWER_ON_MS + 1, new Action.Maintenance(n, false)));
      steps.add(at(durationMs + SECOND_POWER_ON_MS + LONGEST_BOOT_MS + 1, new Action.Maintenance(n, false)));
    }
    long end = durationMs + SETTLE_MS;
    Scenario.Expect converged = new Scenario.Expect(end, end, false, 0, "expect at " + Durations.format(end)
        + " converged", new Expectation.Converged());
    return Scenario.assemble("fuzz-" + seed, lines, steps, List.of(converged), end, seed);
  }

  /** A device's answer delay now and then (` delay=D`), else the simulator's usual 100-500 ms. */
  private static String delay(Random power) {
    return power.nextInt(4) == 0 ? " delay=" + (50 + power.nextInt(4_000)) + "ms" : "";
  }

  /**
   * A part's own random source, its seed mixed first (SplitMix64's finalizer). java.util.Random seeded with
   * consecutive seeds gives nearly the same first power-of-two draw (nextInt(4), nextBoolean) for thousands of them:
   * seeded with seed ^ salt, the disarm part's quarter was drawn by none of the 2,000 seeds from 20261204 on. Every
   * part drawn per seed takes its source here.
   */
  static Random source(long seed, long salt) {
    long z = seed ^ salt;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new Random(z ^ (z >>> 31));
  }

  /** Seeds the power model's own random source (feeds, delays, slowness, sites, grace). */
  private static final long POWER_SALT = 0x5EED_F00D_0000_0016L;
  static final long BUDGET_SALT = 0x5EED_B06E_0000_0014L;

  /** Now and then a device answers only after a few seconds for a while (`fence-device DEV slow D`). */
  private static void slowDevices(Random power, List<Scenario.At> steps, List<String> devices, long durationMs) {
    for (String d : devices) {
      if (power.nextInt(5) != 0) continue;
      long from = 5_000 + (long) power.nextInt((int) Math.max(1, durationMs - 5_000));
      steps.add(at(from, new Action.FenceDevice(d, true, 1_000 + power.nextInt(8_000))));
      steps.add(at(Math.min(durationMs, from + 10_000 + power.nextInt(90_000)), new Action.FenceDevice(d, true)));
    }
  }

  /** Seeds the daemon restarts' own random source: distinct from the history's, for any seed. */
  private static final long RESTART_SALT = 0x5EED_DAE3_0000_0010L;

  /**
   * Up to two daemon restarts (an upgrade) among the faults: back within the hold most of the time, a quarter of
   * them up to 90 s, longer than the default hold (a reset). They draw from a random source of their own, so every
   * seed keeps the faults it had before restarts existed (its failures stay reproducible), with restarts added.
   */
  private static void daemonRestarts(Random r, List<Scenario.At> steps, List<String> nodes, long durationMs) {
    int count = r.nextInt(3);
    for (int i = 0; i < count; i++) {
      long t = 5_000 + (long) r.nextInt((int) Math.max(1, durationMs - 5_000));
      String n = r.nextInt(4) == 0 ? "@manager" : nodes.get(r.nextInt(nodes.size()));
      steps.add(at(t, new Action.RestartDaemon(n, 500 + r.nextInt(r.nextInt(4) == 0 ? 90_000 : 10_000))));
    }
  }

  /** The cluster's declaration lines; fills devices and ids with the fence devices and resources declared. */
  private static List<String> declarations(Random r, Random power, List<String> nodes, List<String> devices,
      List<String> ids) {
    int k = nodes.size();
    List<String> lines = new ArrayList<>();
    lines.add("nodes " + String.join(" ", nodes));
    String[] policies = {"conditional", "freeze", "failover", "migrate"};
    lines.add("option shutdown_policy=" + policies[r.nextInt(policies.length)]);
    lines.add("option boot_time=" + (10 + r.nextInt(30)) + "s");
    lines.add("option ack_loss=" + r.nextInt(3) + "%");
    if (r.nextInt(4) == 0) lines.add("option store_latency=" + (20 + r.nextInt(200)) + "ms");
    if (r.nextBoolean()) {
      // Power fencing: some nodes get a BMC (and sometimes a PDU as a second level); some of those no watchdog.
      for (String n : nodes) {
        if (r.nextInt(3) == 0) continue;
        String bmc = "bmc-" + n;
        devices.add(bmc);
        lines.add("fence-device " + bmc + " type=sim" + delay(power));
        String levels = bmc;
        if (r.nextInt(3) == 0) {
          // A PDU level: one outlet, or two feeding a host with two power supplies (off only when both are off).
          List<String> pdus = power.nextBoolean() ? List.of("pdu-" + n) : List.of("pdu-" + n + "-a", "pdu-" + n + "-b");
          for (String pdu : pdus) {
            devices.add(pdu);
            lines.add("fence-device " + pdu + " type=sim" + delay(power));
          }
          levels = pdus.size() > 1 && power.nextInt(3) == 0 ? String.join("+", pdus) + "," + bmc
              : levels + "," + String.join("+", pdus);
        }
        String site = power.nextInt(3) == 0 ? " site=dc" + (1 + power.nextInt(2)) : "";
        lines.add("node " + n + " fence=" + levels + (r.nextBoolean() ? " watchdog=no" : "") + site);
      }
      // Repair after a watchdog fence: power cycles of fenced nodes that did not come back, next to everything.
      if (r.nextInt(3) == 0) lines.add("option repair_after=" + (5 + r.nextInt(120)) + "s");
      if (power.nextInt(3) == 0) lines.add("option fence_grace=" + power.nextInt(15) + "s");
      if (power.nextInt(4) == 0) lines.add("option fence_grace_per_resource=" + power.nextInt(2_000) + "ms");
      if (power.nextInt(3) == 0) lines.add("option fence_device_check=" + (20 + power.nextInt(300)) + "s");
    }
    if (r.nextInt(8) == 0) {
      // A node that silently runs without its watchdog whatever its configuration says: the manager must not
      // confirm its fence by watchdog (invariant 4), so it waits for power or an operator.
      lines.add("node " + nodes.get(r.nextInt(k)) + " watchdog_device=none");
    }
    if (r.nextInt(3) != 0) {
      // The SPM role: most histories have candidates, with ties and nodes that may never hold it.
      for (String n : nodes) lines.add("node " + n + " spm_priority=" + (r.nextInt(12) - 1));
    }
    boolean grouped = r.nextBoolean();
    if (grouped) {
      StringBuilder g = new StringBuilder("group g nodes=");
      List<String> members = pick(r, nodes, 2 + r.nextInt(k - 1));
      for (int i = 0; i < members.size(); i++) g.append(i == 0 ? "" : ",").append(members.get(i)).append(':')
          .append(r.nextInt(3));
      g.append(" restricted=").append(r.nextBoolean() ? "yes" : "no");
      g.append(" failback=").append(r.nextBoolean() ? "yes" : "no");
      lines.add(g.toString());
    }
    int resources = k + r.nextInt(k + 1);
    for (int i = 1; i <= resources; i++) {
      String id = "vm:" + (100 + i);
      ids.add(id);
      String state = r.nextInt(10) == 0 ? "stopped" : "started";
      String line = "resource " + id + " node=" + nodes.get(r.nextInt(k)) + " state=" + state
          + " priority=" + r.nextInt(3) + " disks=disk-" + i;
      if (grouped && r.nextBoolean()) line += " group=g";
      // Now and then a resource that cannot start on one or two nodes: start failures, relocation, error, cleanup.
      if (r.nextInt(8) == 0) line += " fail_start=" + String.join(",", pick(r, nodes, 1 + r.nextInt(2)));
      lines.add(line);
    }
    FuzzRules.add(new Random(lines.hashCode()), nodes, lines); // draws of its own: a seed's history stays
    FuzzLeases.disks(new Random(lines.hashCode() ^ FuzzLeases.SALT), lines);
    return lines;
  }

  static Scenario.At at(long timeMs, Action action) {
    return new Scenario.At(timeMs, 0, action);
  }

  private static void fault(Random r, List<Scenario.At> steps, List<String> nodes, List<String> ids, long t,
      long end) {
    String n = r.nextInt(8) == 0 ? "@manager" : nodes.get(r.nextInt(nodes.size()));
    long back = Math.min(end, t + 2_000 + r.nextInt(90_000));
    switch (r.nextInt(14)) {
      case 0, 1 -> {
        String target = nodes.get(r.nextInt(nodes.size()));
        steps.add(at(t, new Action.Power(target, false)));
        steps.add(at(back, new Action.Power(target, true)));
        if (back - t > 20_000 && r.nextBoolean()) {
          // The operator confirms the node is off, looking first (faults overlap).
          steps.add(at(t + 10_000 + r.nextInt((int) (back - t - 10_000)), new Action.FenceConfirm(target, true)));
        }
      }
      case 2, 3 -> {
        String target = nodes.get(r.nextInt(nodes.size()));
        steps.add(at(t, new Action.Network(target, false)));
        steps.add(at(back, new Action.Network(target, true)));
      }
      case 4 -> {
        List<String> a = pick(r, nodes, 1 + r.nextInt(nodes.size() - 1));
        List<String> b = new ArrayList<>(nodes);
        b.removeAll(a);
        steps.add(at(t, new Action.Partition(List.of(a, b))));
        steps.add(at(back, new Action.Heal()));
      }
      case 5 -> steps.add(at(t, new Action.Pause(n, 200 + r.nextInt(3_000))));
      case 6 -> steps.add(at(t, new Action.Pause(n, (6 + r.nextInt(20)) * 1_000L)));
      case 7 -> {
        String target = nodes.get(r.nextInt(nodes.size()));
        boolean drop = r.nextBoolean();
        r.nextBoolean(); // once a spelling choice, still drawn so that every seed keeps its history
        steps.add(at(t, drop ? new Action.DropAcks(target, true) : new Action.SlowAcks(target, 300 + r.nextInt(2_000))));
        steps.add(at(back, new Action.DropAcks(target, false)));
        steps.add(at(back, new Action.SlowAcks(target, 0)));
      }
      case 8 -> steps.add(at(t, new Action.Reboot(n)));
      case 9 -> {
        String target = nodes.get(r.nextInt(nodes.size()));
        steps.add(at(t, new Action.Shutdown(target)));
        steps.add(at(back, new Action.Power(target, true)));
      }
      case 10 -> {
        String id = ids.get(r.nextInt(ids.size()));
        // migrate, relocate, stop, start, disable, enable, cleanup
        Action.ServiceCommand[] cmds = Action.ServiceCommand.values();
        Action.ServiceCommand c = cmds[r.nextInt(cmds.length)];
        steps.add(at(t, new Action.Service(id, c, c.takesNode() ? nodes.get(r.nextInt(nodes.size())) : null)));
        if (c == Action.ServiceCommand.STOP || c == Action.ServiceCommand.DISABLE) {
          steps.add(at(back, new Action.Service(id, Action.ServiceCommand.START, null)));
        }
      }
      case 11 -> maintenance(r, steps, nodes.get(r.nextInt(nodes.size())), t, back, end);
      case 12 -> {
        // The machine comes back from a power cycle silently without its watchdog, and gets it back at a later
        // boot: records of the old and new incarnations claim different things.
        String target = nodes.get(r.nextInt(nodes.size()));
        steps.add(at(t, new Action.WatchdogDevice(target, false)));
        steps.add(at(t, new Action.Power(target, false)));
        steps.add(at(Math.min(end, t + 1_000 + r.nextInt(10_000)), new Action.Power(target, true)));
        steps.add(at(back, new Action.WatchdogDevice(target, true)));
      }
      default -> {
        // Two nodes failing together.
        List<String> two = pick(r, nodes, 2);
        for (String x : two) {
          steps.add(at(t, new Action.Power(x, false)));
          steps.add(at(back, new Action.Power(x, true)));
        }
      }
    }
  }

  /**
   * The operator's maintenance of target from t to back, and what operators do in it (it must last through all
   * of it): power the node off and on, reboot it, shut it down and later power it on, at times that may also fall
   * after the maintenance ended.
   */
  private static void maintenance(Random r, List<Scenario.At> steps, String target, long t, long back, long end) {
    steps.add(at(t, new Action.Maintenance(target, true)));
    steps.add(at(back, new Action.Maintenance(target, false)));
    long mid = Math.min(end, t + 1_000 + r.nextInt(30_000));
    long on = Math.min(end, mid + 2_000 + r.nextInt(60_000));
    switch (r.nextInt(4)) {
      case 0 -> { }
      case 1 -> {
        steps.add(at(mid, new Action.Power(target, false)));
        steps.add(at(on, new Action.Power(target, true)));
      }
      case 2 -> steps.add(at(mid, new Action.Reboot(target)));
      default -> {
        steps.add(at(mid, new Action.Shutdown(target)));
        steps.add(at(on, new Action.Power(target, true)));
      }
    }
  }

  private static List<String> pick(Random r, List<String> from, int count) {
    List<String> pool = new ArrayList<>(from);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count && !pool.isEmpty(); i++) out.add(pool.remove(r.nextInt(pool.size())));
    out.sort(null);
    return out;
  }
}
