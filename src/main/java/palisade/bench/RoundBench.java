package palisade.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.AgentMode;
import palisade.core.AutoRebalanceConfig;
import palisade.core.Callback;
import palisade.core.ClusterConfig;
import palisade.core.EventLog;
import palisade.core.Manager;
import palisade.core.ManagerEnv;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeRecord;
import palisade.core.RequestOutcome;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ResourceResult;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.StoreClient;
import palisade.core.StorePaths;
import palisade.core.StoreView;
import palisade.core.Timing;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;
import palisade.sim.SimStore;

/**
 * Manager round time at scale: the real Manager against an in-memory store whose replies are delivered one at a
 * time, so each decision round can be timed on its own. Agents are stood in for by rewriting their records.
 */
public final class RoundBench {
  /**
   * Wall time, and the CPU time the measuring thread spent (what the round costs, whatever else shares the machine).
   */
  public record Result(double steadyP50Ms, double steadyMaxMs, int recovered, double recoveryMs,
      double steadyCpuP50Ms, double recoveryCpuMs, int recoveryRounds, double recoveryTotalMs,
      double recoveryTotalCpuMs) {}

  /**
   * From the first write after the failure to the write that placed the last resource: the work items (a tick, or
   * a store reply and the round it chains) that placed resources, the longest such, and the time of all of them.
   */
  private static final class Recovery {
    int placed;
    int rounds;
    double roundMs = -1;
    double roundCpuMs = -1;
    double totalMs;
    double totalCpuMs;

    void add(int newlyPlaced, double ms, double cpuMs, long all) {
      if (placed >= all) return;
      totalMs += ms;
      totalCpuMs += cpuMs;
      if (newlyPlaced <= 0) return;
      placed += newlyPlaced;
      rounds++;
      roundMs = Math.max(roundMs, ms);
      roundCpuMs = Math.max(roundCpuMs, cpuMs);
    }
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private static long cpuNs() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  private final SimStore store = new SimStore();
  private final ArrayDeque<Runnable> replies = new ArrayDeque<>();
  private long now;

  private RoundBench() {}

  public static Result run(int nodeCount, int resourceCount, int failedCount, int rounds) {
    return run(nodeCount, resourceCount, failedCount, rounds, false);
  }

  /** rules: crs=static with capacities and demands, and placement rules ({@link BenchRules}). */
  public static Result run(int nodeCount, int resourceCount, int failedCount, int rounds, boolean rules) {
    return run(nodeCount, resourceCount, failedCount, rounds, rules, false);
  }

  /** autoRebalance: crs_auto_rebalance=yes with its defaults, on top of the rest. */
  public static Result run(int nodeCount, int resourceCount, int failedCount, int rounds, boolean rules,
      boolean autoRebalance) {
    return run(nodeCount, resourceCount, failedCount, rounds, rules, autoRebalance, 0);
  }

  /** statusBudget: the manager's status budget (0: its default). */
  public static Result run(int nodeCount, int resourceCount, int failedCount, int rounds, boolean rules,
      boolean autoRebalance, int statusBudget) {
    RoundBench b = new RoundBench();
    b.statusBudget = statusBudget;
    return b.go(nodeCount, resourceCount, failedCount, rounds, rules, autoRebalance);
  }

  private int statusBudget;

  private Result go(int nodeCount, int resourceCount, int failedCount, int rounds, boolean rules,
      boolean autoRebalance) {
    Timing timing = Timing.defaults();
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= nodeCount; i++) {
      String n = String.format("node%04d", i);
      names.add(n);
      nodes.put(n, NodeConfig.standard(n));
    }
    TreeMap<String, ResourceConfig> resources = new TreeMap<>();
    for (int i = 0; i < resourceCount; i++) {
      String id = String.format("vm:%06d", i);
      resources.put(id, ResourceConfig.sim(id, names.get(i % nodeCount), RequestState.STARTED, null, 0, 1, 1,
          List.of()));
    }
    ClusterConfig config = new ClusterConfig(nodes, new TreeMap<>(), resources, ShutdownPolicy.CONDITIONAL);
    if (rules) config = BenchRules.with(config);
    if (autoRebalance) {
      config = config.withPlacement(config.placement().withAutoRebalance(AutoRebalanceConfig.OFF.withOn(true)));
    }
    store.force(StorePaths.CONFIG, config, 0);
    // Records claim a watchdog under the manager's timings, as real agents' do: a silent node is then confirmed
    // fenced by watchdog after L (without the claim it would wait for power or an operator, and never recover).
    for (String n : names) store.force(StorePaths.node(n), NodeRecord.fresh(n, "sim", timing), 0);

    Env env = new Env();
    Manager m = new Manager(env, timing);
    if (statusBudget > 0) m.statusBudget(statusBudget);
    TreeSet<String> failed = new TreeSet<>(names.subList(0, failedCount));
    // Converge: manager takes over, assigns everything, "agents" report every start.
    for (int i = 0; i < 40; i++) {
      step(m, names, Collections.emptySet(), timing);
    }
    ManagerState st = state();
    long startedCount = st.services().values().stream().filter(s -> s.state() == ServiceState.STARTED).count();
    if (startedCount != resourceCount) {
      throw new IllegalStateException("did not converge: " + startedCount + "/" + resourceCount + " started");
    }
    List<Double> steady = new ArrayList<>();
    List<Double> steadyCpu = new ArrayList<>();
    steadyRounds(m, names, timing, rounds, steady, steadyCpu);
    // Fail nodes: their records go silent. A recovery larger than the manager's status budget spans several
    // writes: time the longest round that placed resources, and the rounds and time of every write until all are.
    long onFailed = state().services().values().stream().filter(s -> failed.contains(s.node())).count();
    Recovery rec = new Recovery();
    for (int i = 0; i < 200 && rec.placed < onFailed; i++) {
      now += timing.tickMs();
      renew(names, failed);
      List<Runnable> work = new ArrayList<>();
      work.add(() -> m.tick(now));
      while (!work.isEmpty()) {
        Runnable r = work.remove(0);
        int before = recoveredOff(failed);
        ManagerState was = state();
        long t0 = System.nanoTime();
        long c0 = cpuNs();
        r.run();
        double cpuMs = (cpuNs() - c0) / 1e6;
        double ms = (System.nanoTime() - t0) / 1e6;
        if (state() != was || rec.rounds > 0) rec.add(recoveredOff(failed) - before, ms, cpuMs, onFailed);
        while (!replies.isEmpty()) work.add(replies.poll());
      }
      report(names, failed);
    }
    Collections.sort(steady);
    Collections.sort(steadyCpu);
    return new Result(steady.get(steady.size() / 2), steady.get(steady.size() - 1), rec.placed, rec.roundMs,
        steadyCpu.get(steadyCpu.size() / 2), rec.roundCpuMs, rec.rounds, rec.totalMs, rec.totalCpuMs);
  }

  /** Rounds where every node renews and nothing else changes: wall and CPU time of each. */
  private void steadyRounds(Manager m, List<String> names, Timing timing, int rounds, List<Double> wall,
      List<Double> cpu) {
    for (int i = 0; i < rounds; i++) {
      now += timing.tickMs();
      renew(names, Collections.emptySet());
      long t0 = System.nanoTime();
      long c0 = cpuNs();
      m.tick(now);
      while (!replies.isEmpty()) replies.poll().run();
      cpu.add((cpuNs() - c0) / 1e6);
      wall.add((System.nanoTime() - t0) / 1e6);
    }
  }

  private void step(Manager m, List<String> names, java.util.Set<String> silent, Timing timing) {
    now += timing.tickMs();
    renew(names, silent);
    m.tick(now);
    while (!replies.isEmpty()) replies.poll().run();
    report(names, silent);
  }

  private ManagerState state() {
    Versioned<Object> v = store.get(StorePaths.MANAGER_STATE);
    return v == null ? null : (ManagerState) v.value();
  }

  private int recoveredOff(TreeSet<String> failed) {
    ManagerState st = state();
    int n = 0;
    for (ServiceStatus s : st.services().values()) {
      if (s.state() == ServiceState.STARTED && !failed.contains(s.node()) && s.triedNodes().isEmpty()
          && s.token() > 0 && wasOn(s)) {
        n++;
      }
    }
    return n;
  }

  /** Recovered resources carry tokens above the initial assignment range. */
  private boolean wasOn(ServiceStatus s) {
    return s.token() > lastInitialToken;
  }

  private long lastInitialToken = Long.MAX_VALUE;

  private void renew(List<String> names, java.util.Set<String> silent) {
    for (String n : names) {
      if (silent.contains(n)) continue;
      NodeRecord r = (NodeRecord) store.get(StorePaths.node(n)).value();
      store.force(StorePaths.node(n), r.renewed(AgentMode.ACTIVE, r.results(), true, true, 0), now);
    }
  }

  /** Stand-in agents: every node reports every start assigned to it as done. */
  private void report(List<String> names, java.util.Set<String> silent) {
    ManagerState st = state();
    if (st == null) return;
    if (lastInitialToken == Long.MAX_VALUE && st.services().size() > 0
        && st.services().values().stream().allMatch(s -> s.state() == ServiceState.STARTED)) {
      lastInitialToken = st.nextToken() - 1;
    }
    TreeMap<String, TreeMap<String, ResourceResult>> byNode = new TreeMap<>();
    for (var e : st.services().entrySet()) {
      ServiceStatus s = e.getValue();
      if (s.state() == ServiceState.STARTED && s.node() != null && !silent.contains(s.node())) {
        byNode.computeIfAbsent(s.node(), k -> new TreeMap<>()).put(e.getKey(),
            new ResourceResult(s.token(), RequestOutcome.STARTED));
      }
    }
    for (String n : names) {
      if (silent.contains(n)) continue;
      NodeRecord r = (NodeRecord) store.get(StorePaths.node(n)).value();
      TreeMap<String, ResourceResult> res = byNode.getOrDefault(n, new TreeMap<>());
      if (!res.equals(r.results())) {
        store.force(StorePaths.node(n), r.renewed(AgentMode.ACTIVE, res, true, true, 0), now);
      }
    }
  }

  private final class Env implements ManagerEnv, StoreClient {
    @Override
    public String node() {
      return "bench";
    }

    @Override
    public StoreClient store() {
      return this;
    }

    @Override
    public EventLog log() {
      return (source, message) -> { };
    }

    @Override
    public StoreView view() {
      return store::get;
    }

    @Override
    public boolean synced() {
      return true;
    }

    @Override
    public void submit(Txn txn, Callback<TxnResult> done) {
      TxnResult r = store.apply(txn, now);
      replies.add(() -> done.done(r, now));
    }
  }
}
