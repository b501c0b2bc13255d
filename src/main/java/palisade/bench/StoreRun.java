package palisade.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import palisade.core.ClusterConfig;
import palisade.core.NodeConfig;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ShutdownPolicy;
import palisade.core.Timing;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;

/** One run of `bench store`: peers, /config, the agents, the steady window, a power loss; then everything stops. */
final class StoreRun {
  static final String CLUSTER = "bench";
  /** Agents started together before the next batch waits for them to sync (a cluster's nodes do not boot at once). */
  private static final int START_BATCH = 25;

  record Result(long convergeMs, Samples renewals, Samples managerWrites, long events, long heapBeforeBytes,
      long heapAfterBytes, double heapPerAgentBytes, int threads, String victim, int victimResources, long failoverMs,
      long startedMs, long lastRenewalBeforeLossMs, double storeTasksPerAgentPerSec, List<String> storeFigures,
      String connections, int stuck) {}

  private final Path dir;
  private final int nodeCount;
  private final int resourceCount;
  private final long durationMs;
  private final int peerCount;
  private final Timing timing;
  /** The first this many nodes may be manager; the rest are agent_only with scoped views. */
  private final int candidates;
  private final long origin = System.nanoTime();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  StoreRun(Path dir, int nodeCount, int resourceCount, long durationMs, int peerCount, Timing timing,
      int candidates) {
    this.candidates = candidates;
    this.dir = dir;
    this.nodeCount = nodeCount;
    this.resourceCount = resourceCount;
    this.durationMs = durationMs;
    this.peerCount = peerCount;
    this.timing = timing;
  }

  private long nowMs() {
    return (System.nanoTime() - origin) / 1_000_000;
  }

  Result run() throws Exception {
    Path creds = dir.resolve("credentials");
    Credentials.initCa(creds, CLUSTER);
    String subnet = "127.88." + (10 + ProcessHandle.current().pid() % 200);
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
        daemon("bench-loop"));
    ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(daemon("bench-ticks"));
    List<BenchNode> fleet = new ArrayList<>();
    try (BenchPeers peers = BenchPeers.start(dir.resolve("peers"), creds, peerCount, subnet, 90_000)) {
      System.out.printf("store: %d peers in child JVMs (pids %s) on %s.1-%d, mutual TLS with node credentials%n",
          peerCount, peers.pids(), subnet, peerCount);
      Credential observer = Credential.load(Credentials.issueNode(creds, "bench-observer", 1));
      try (StateWatch watch = StateWatch.open(peers.connectString(), CLUSTER, observer)) {
        StoreSeed.Seeded seeded = StoreSeed.seed(watch, peers.connectString(), CLUSTER, creds, config());
        System.out.printf("store layout %d: /config with %d nodes and %d resources in %d writes (%d resources per "
            + "operator write) in %.1fs; /manager/state left to the manager%n", seeded.schema(), nodeCount,
            resourceCount, seeded.writes(), StoreSeed.BATCH, seeded.ms() / 1000.0);
        List<String> names = names();
        List<Credential> nodeCreds = new ArrayList<>();
        for (String n : names) nodeCreds.add(Credential.load(Credentials.issueNode(creds, n, 1)));
        long heapBefore = heapAfterGc();
        BenchNode.Shared shared = new BenchNode.Shared(pool, failure, this::nowMs, timing, new Samples(),
            new Samples(), new AtomicLong(), new AtomicLong(), new Connections());
        long t0 = System.nanoTime();
        for (int i = 0; i < names.size(); i++) {
          fleet.add(new BenchNode(names.get(i), peers.connectString(), CLUSTER, nodeCreds.get(i), i < candidates,
              shared));
        }
        nodeCreds.clear();
        startAll(fleet, ticks);
        System.out.printf("agents: %d, a node credential and two store sessions (view, renewals) each, callbacks "
            + "on %d shared loop threads; all synced after %.1fs; %d manager candidates mirror every node's "
            + "record and the whole state, the other %d agents their own record and their node's part%n", fleet.size(), Math.max(2,
            Runtime.getRuntime().availableProcessors()), (System.nanoTime() - t0) / 1e9, candidates,
            fleet.size() - candidates);
        String notConverged = watch.awaitConverged(resourceCount, convergeTimeoutMs(), failure,
            () -> notRunning(fleet), () -> (int) fleet.stream().filter(n -> n.waitingFor() != null).count());
        if (notConverged != null) System.out.println("NOT CONVERGED, measuring the agents that run: " + notConverged);
        int stuck = (int) fleet.stream().filter(n -> n.waitingFor() != null).count();
        long convergeMs = (System.nanoTime() - t0) / 1_000_000;
        List<String> hostPorts = List.of(peers.connectString().split(","));
        PeerStats.Reading before = PeerStats.read(hostPorts, observer);
        long tasks0 = shared.storeTasks().get();
        shared.renewals().reset();
        Thread.sleep(durationMs);
        shared.renewals().freeze();
        long tasks = shared.storeTasks().get() - tasks0;
        PeerStats.Reading after = PeerStats.read(hostPorts, observer);
        double window = (after.nanos() - before.nanos()) / 1e9;
        checkFailure();
        long heapAfter = heapAfterGc();
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        BenchNode victim = victim(fleet, watch);
        Set<String> lost = watch.resourcesOn(victim.name());
        long[] times = watch.timeFailover(victim::powerLoss, victim.name(), lost, failoverTimeoutMs());
        checkFailure();
        return new Result(convergeMs, shared.renewals(), shared.managerWrites(), shared.events().get(), heapBefore,
            heapAfter, (heapAfter - heapBefore) / (double) nodeCount, threads, victim.name(), lost.size(), times[0],
            times[1], victim.renewalAgeAtLossMs(), tasks / window / nodeCount, PeerStats.describe(before, after),
            shared.connections().describe(), stuck);
      } finally {
        ticks.shutdownNow();
        closeAll(fleet);
        pool.shutdownNow();
      }
    }
  }

  /**
   * The last node whose agent runs and that holds resources (one that joined late may hold none: the manager placed
   * them elsewhere meanwhile); never a manager candidate's (the first nodes).
   */
  private BenchNode victim(List<BenchNode> fleet, StateWatch watch) throws Exception {
    for (int i = fleet.size() - 1; i >= candidates; i--) {
      BenchNode n = fleet.get(i);
      if (n.waitingFor() == null && !watch.resourcesOn(n.name()).isEmpty()) return n;
    }
    throw new IllegalStateException("no running node apart from the manager candidates' holds a resource");
  }

  /** The agents whose core is not built yet, and why (what their store client's view lacks). */
  private static String notRunning(List<BenchNode> fleet) {
    TreeMap<String, Integer> why = new TreeMap<>();
    for (BenchNode n : fleet) {
      String w = n.waitingFor();
      if (w != null) why.merge(w, 1, Integer::sum);
    }
    return why.isEmpty() ? " every agent runs" : " agents not running: " + why;
  }

  /** Closes every node, many at once: a client that lost its connection may block in close until it gives up. */
  private static void closeAll(List<BenchNode> fleet) throws InterruptedException {
    ExecutorService closers = Executors.newFixedThreadPool(32, daemon("bench-close"));
    for (BenchNode n : fleet) closers.execute(n::close);
    closers.shutdown();
    if (!closers.awaitTermination(60, TimeUnit.SECONDS)) {
      System.out.println("some agents' store clients were still closing after 60s; left to the JVM's exit");
    }
  }

  private List<String> names() {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= nodeCount; i++) names.add(String.format("node%04d", i));
    return names;
  }

  /** N nodes and M started resources, spread over the nodes in turn. */
  private ClusterConfig config() {
    List<String> names = names();
    TreeMap<String, NodeConfig> ns = new TreeMap<>();
    for (int i = 0; i < names.size(); i++) {
      ns.put(names.get(i), NodeConfig.standard(names.get(i)).withAgentOnly(i >= candidates));
    }
    TreeMap<String, ResourceConfig> rs = new TreeMap<>();
    for (int i = 0; i < resourceCount; i++) {
      String id = String.format("vm:%06d", i);
      rs.put(id, ResourceConfig.sim(id, names.get(i % nodeCount), RequestState.STARTED, null, 0, 1, 1, List.of()));
    }
    return new ClusterConfig(ns, new TreeMap<>(), rs, ShutdownPolicy.CONDITIONAL);
  }

  /** Starts the agents in batches, each batch synced before the next; ticks spread over the tick period. */
  private void startAll(List<BenchNode> fleet, ScheduledExecutorService ticks) throws Exception {
    long tick = timing.tickMs();
    long t0 = System.nanoTime();
    for (int b = 0; b < fleet.size(); b += START_BATCH) {
      List<BenchNode> batch = fleet.subList(b, Math.min(fleet.size(), b + START_BATCH));
      for (BenchNode n : batch) n.start();
      long deadline = System.nanoTime() + SYNC_TIMEOUT_MS * 1_000_000;
      while (!batch.stream().allMatch(BenchNode::synced)) {
        checkFailure();
        if (System.nanoTime() > deadline) {
          long synced = fleet.stream().filter(BenchNode::synced).count();
          throw new TimeoutException("agents " + batch.get(0).name() + ".. did not sync with the store within "
              + SYNC_TIMEOUT_MS / 1000 + "s (" + synced + " of the " + (b + batch.size()) + " started are synced)");
        }
        Thread.sleep(20);
      }
      for (int i = 0; i < batch.size(); i++) {
        BenchNode n = batch.get(i);
        long offset = (b + i) * tick / fleet.size();
        ticks.scheduleAtFixedRate(n::tickOnStrand, offset, tick, TimeUnit.MILLISECONDS);
      }
      if ((b + batch.size()) % 100 == 0) {
        System.out.printf("agents synced: %d of %d after %.1fs%n", b + batch.size(), fleet.size(),
            (System.nanoTime() - t0) / 1e9);
      }
    }
  }

  /** How long a batch of agents may take to sync (each downloads the whole store). */
  private static final long SYNC_TIMEOUT_MS = 120_000;

  private long convergeTimeoutMs() {
    return 120_000 + resourceCount * 20L;
  }

  private long failoverTimeoutMs() {
    return 3 * timing.leaseMs() + 30_000;
  }

  private void checkFailure() {
    Throwable t = failure.get();
    if (t != null) throw new IllegalStateException("an agent's loop task failed: " + t, t);
  }

  private static long heapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong seq = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + seq.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
