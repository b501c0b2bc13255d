package palisade.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import palisade.core.Durations;

/**
 * Random failure histories. Each run draws everything from its own seed and is written as an ordinary scenario:
 * a faulty phase (power, isolation, partitions, pauses shorter and longer than the lease, lost and late
 * acknowledgements, clean reboots, operator commands), then everything heals and every resource that should run
 * must run, once, within a bound (DESIGN invariant 5). Safety invariants are checked on every event throughout.
 */
public final class Fuzz {
  /** Time allowed after healing for the cluster to converge: boot, manager takeover, fence, recovery. */
  static final long SETTLE_MS = 240_000;
  /** A clean shutdown still running at heal time may power the node off after it: power on again later. */
  private static final long SECOND_POWER_ON_MS = 125_000;

  /** One run's verdict. */
  public record RunResult(long seed, int nodes, long durationMs, String failure) {
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
      return new RunResult(seed, nodeCount(new Random(seed), nodes), durationMs, "crashed: " + e);
    }
  }

  public static RunResult runOne(long seed, Integer fixedNodes, long durationMs, Consumer<String> out) {
    Random r = new Random(seed);
    int k = nodeCount(r, fixedNodes);
    List<String> text = history(r, k, durationMs);
    if (out != null) {
      out.accept("# generated history (seed " + seed + "):");
      for (String line : text) out.accept("#   " + line);
    }
    Scenario s;
    try {
      s = Scenario.parse("fuzz-" + seed, text);
    } catch (Scenario.ScenarioException e) {
      return new RunResult(seed, k, durationMs, "generator produced bad input: " + e.getMessage());
    }
    ScenarioRunner runner = new ScenarioRunner(s, seed, out, true);
    ScenarioRunner.Result res = runner.run();
    if (!res.ok()) return new RunResult(seed, k, durationMs, res.failure());
    String stuck = runner.world().invariants().liveness();
    if (stuck != null) {
      return new RunResult(seed, k, durationMs, "invariant 5 (liveness) violated: " + Durations.format(SETTLE_MS)
          + " after healing, " + stuck);
    }
    return new RunResult(seed, k, durationMs, null);
  }

  /** The scenario text of one random history. */
  static List<String> history(Random r, int k, long durationMs) {
    List<String> lines = new ArrayList<>();
    List<String> nodes = new ArrayList<>();
    for (int i = 1; i <= k; i++) nodes.add("node" + i);
    lines.add("nodes " + String.join(" ", nodes));
    String[] policies = {"conditional", "freeze", "failover", "migrate"};
    lines.add("option shutdown_policy=" + policies[r.nextInt(policies.length)]);
    lines.add("option boot_time=" + (10 + r.nextInt(30)) + "s");
    lines.add("option ack_loss=" + r.nextInt(3) + "%");
    if (r.nextInt(4) == 0) lines.add("option store_latency=" + (20 + r.nextInt(200)) + "ms");
    List<String> devices = new ArrayList<>();
    if (r.nextBoolean()) {
      // Power fencing: some nodes get a BMC (and sometimes a PDU as a second level); some of those no watchdog.
      for (String n : nodes) {
        if (r.nextInt(3) == 0) continue;
        String bmc = "bmc-" + n;
        devices.add(bmc);
        lines.add("fence-device " + bmc + " type=sim");
        String levels = bmc;
        if (r.nextInt(3) == 0) {
          String pdu = "pdu-" + n;
          devices.add(pdu);
          lines.add("fence-device " + pdu + " type=sim");
          levels += "," + pdu;
        }
        lines.add("node " + n + " fence=" + levels + (r.nextBoolean() ? " watchdog=no" : ""));
      }
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
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= resources; i++) {
      String id = "vm:" + (100 + i);
      ids.add(id);
      String state = r.nextInt(10) == 0 ? "stopped" : "started";
      String line = "resource " + id + " node=" + nodes.get(r.nextInt(k)) + " state=" + state
          + " priority=" + r.nextInt(3) + " disks=disk-" + i;
      if (grouped && r.nextBoolean()) line += " group=g";
      lines.add(line);
    }
    long t = 5_000;
    while (true) {
      t += 2_000 + r.nextInt(40_000);
      if (t >= durationMs) break;
      if (!devices.isEmpty() && r.nextInt(6) == 0) {
        String d = devices.get(r.nextInt(devices.size()));
        lines.add("at " + Durations.format(t) + " fence-device " + d + " fail");
        lines.add("at " + Durations.format(Math.min(durationMs, t + 5_000 + r.nextInt(120_000))) + " fence-device "
            + d + " ok");
      } else {
        fault(r, lines, nodes, ids, t, durationMs);
      }
    }
    for (String d : devices) lines.add("at " + Durations.format(durationMs) + " fence-device " + d + " ok");
    lines.add("at " + Durations.format(durationMs) + " heal");
    for (String n : nodes) {
      lines.add("at " + Durations.format(durationMs) + " power " + n + " on");
      lines.add("at " + Durations.format(durationMs) + " network " + n + " on");
      lines.add("at " + Durations.format(durationMs) + " drop-acks " + n + " off");
      lines.add("at " + Durations.format(durationMs) + " slow-acks " + n + " 0ms");
      lines.add("at " + Durations.format(durationMs + 1) + " maintenance " + n + " off");
      lines.add("at " + Durations.format(durationMs + SECOND_POWER_ON_MS) + " power " + n + " on");
      lines.add("at " + Durations.format(durationMs + SECOND_POWER_ON_MS + 1) + " maintenance " + n + " off");
    }
    lines.add("run " + Durations.format(durationMs + SETTLE_MS));
    return lines;
  }

  private static void fault(Random r, List<String> lines, List<String> nodes, List<String> ids, long t, long end) {
    String n = r.nextInt(8) == 0 ? "@manager" : nodes.get(r.nextInt(nodes.size()));
    String at = "at " + Durations.format(t) + " ";
    long back = Math.min(end, t + 2_000 + r.nextInt(90_000));
    String atBack = "at " + Durations.format(back) + " ";
    switch (r.nextInt(13)) {
      case 0, 1 -> {
        String target = nodes.get(r.nextInt(nodes.size()));
        lines.add(at + "power " + target + " off");
        lines.add(atBack + "power " + target + " on");
        if (back - t > 20_000 && r.nextBoolean()) {
          // The operator confirms the node is off; the runner has them look first (faults overlap).
          lines.add("at " + Durations.format(t + 10_000 + r.nextInt((int) (back - t - 10_000))) + " fence confirm "
              + target);
        }
      }
      case 2, 3 -> {
        String target = nodes.get(r.nextInt(nodes.size()));
        lines.add(at + "network " + target + " off");
        lines.add(atBack + "network " + target + " on");
      }
      case 4 -> {
        List<String> a = pick(r, nodes, 1 + r.nextInt(nodes.size() - 1));
        List<String> b = new ArrayList<>(nodes);
        b.removeAll(a);
        lines.add(at + "partition " + String.join(",", a) + " | " + String.join(",", b));
        lines.add(atBack + "heal");
      }
      case 5 -> lines.add(at + "pause " + n + " " + (200 + r.nextInt(3_000)) + "ms");
      case 6 -> lines.add(at + "pause " + n + " " + (6 + r.nextInt(20)) + "s");
      case 7 -> {
        String target = nodes.get(r.nextInt(nodes.size()));
        lines.add(at + (r.nextBoolean() ? "drop-acks " : "slow-acks ") + target + (r.nextBoolean() ? " on" : ""));
        fixAckLine(lines, r);
        lines.add(atBack + "drop-acks " + target + " off");
        lines.add(atBack + "slow-acks " + target + " 0ms");
      }
      case 8 -> lines.add(at + "reboot " + n);
      case 9 -> {
        String target = nodes.get(r.nextInt(nodes.size()));
        lines.add(at + "shutdown " + target);
        lines.add(atBack + "power " + target + " on");
      }
      case 10 -> {
        String id = ids.get(r.nextInt(ids.size()));
        String[] cmds = {"migrate", "relocate", "stop", "start", "disable", "enable"};
        String c = cmds[r.nextInt(cmds.length)];
        String line = at + "service " + id + " " + c;
        if (c.equals("migrate") || c.equals("relocate")) line += " " + nodes.get(r.nextInt(nodes.size()));
        lines.add(line);
        if (c.equals("stop") || c.equals("disable")) lines.add(atBack + "service " + id + " start");
      }
      case 11 -> {
        String target = nodes.get(r.nextInt(nodes.size()));
        lines.add(at + "maintenance " + target + " on");
        lines.add(atBack + "maintenance " + target + " off");
      }
      default -> {
        // Two nodes failing together.
        List<String> two = pick(r, nodes, 2);
        for (String x : two) {
          lines.add(at + "power " + x + " off");
          lines.add(atBack + "power " + x + " on");
        }
      }
    }
  }

  /** Turns the drop/slow line just added into valid syntax: drop-acks takes on, slow-acks a duration. */
  private static void fixAckLine(List<String> lines, Random r) {
    String last = lines.remove(lines.size() - 1);
    if (last.contains("drop-acks")) {
      lines.add(last.endsWith(" on") ? last : last + " on");
    } else {
      String base = last.endsWith(" on") ? last.substring(0, last.length() - 3) : last;
      lines.add(base + " " + (300 + r.nextInt(2_000)) + "ms");
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
