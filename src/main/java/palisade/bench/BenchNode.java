package palisade.bench;

import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import palisade.core.Agent;
import palisade.core.AgentEnv;
import palisade.core.Callback;
import palisade.core.EventLog;
import palisade.core.LocalResources;
import palisade.core.Manager;
import palisade.core.ManagerEnv;
import palisade.core.ResourceConfig;
import palisade.core.SpmDuty;
import palisade.core.StoreClient;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.core.Watchdog;
import palisade.runtime.store.Credential;
import palisade.runtime.store.ZkStore;

/**
 * One lightweight node: the core's Agent (and on one node the Manager) over a real {@link ZkStore} on its own
 * Curator connection with its own node credential, wired as the daemon wires them, its callbacks serialised on its
 * own {@link Strand}. Stand-ins: a watchdog that does nothing (it claims kind {@value #WATCHDOG_KIND}, so the manager
 * may confirm a fence by watchdog after L, as for a real device), resources that start and stop at once, an SPM duty
 * that only remembers, and events that are counted, not written to the store.
 */
final class BenchNode implements AgentEnv {
  static final String WATCHDOG_KIND = "bench";
  /** The daemon's store client settings (NodeDaemon). */
  static final int SESSION_TIMEOUT_MS = 3_000;
  static final int CONNECTION_TIMEOUT_MS = 2_000;

  private final String name;
  private final Strand strand;
  private final LongSupplier clock;
  private final Timing timing;
  private final boolean runsManager;
  private final CuratorFramework curator;
  private final CuratorFramework leaseCurator;
  private final ZkStore zk;
  private final MeteredStore agentStore;
  private volatile long lostAtNanos;
  private final StoreClient managerStore;
  private final AtomicLong events;
  private final StandInResources resources = new StandInResources();
  private final SpmDuty spm = SpmDuty.inMemory();
  private final StandInWatchdog watchdog = new StandInWatchdog();
  private Agent agent;
  private Manager manager;

  /** The fleet's shared parts: the loop pool, clock, timing, latency meters and the event counter. */
  record Shared(java.util.concurrent.Executor pool, java.util.concurrent.atomic.AtomicReference<Throwable> failure,
      LongSupplier clock, Timing timing, Samples renewals, Samples managerWrites, AtomicLong events,
      AtomicLong storeTasks, Connections connections) {}

  BenchNode(String name, String connect, String cluster, Credential credential, boolean runsManager, Shared s) {
    this.name = name;
    this.strand = new Strand(s.pool(), s.failure());
    this.clock = s.clock();
    this.timing = s.timing();
    this.runsManager = runsManager;
    this.events = s.events();
    UnaryOperator<CuratorFrameworkFactory.Builder> tune = b -> b
        .sessionTimeoutMs(SESSION_TIMEOUT_MS).connectionTimeoutMs(CONNECTION_TIMEOUT_MS)
        .retryPolicy(new RetryNTimes(0, 0));
    curator = ZkStore.newClient(connect, cluster, credential, tune);
    leaseCurator = ZkStore.newClient(connect, cluster, credential, tune); // renewals' own session, as a daemon
    curator.getConnectionStateListenable().addListener((c, state) -> s.connections().count(state));
    AtomicLong storeTasks = s.storeTasks();
    // Counted: every task the store client posts to the node's loop (a mirror update per changed znode, each
    // completion), so the bench can say how much of every other node's traffic each node handles.
    zk = new ZkStore(curator, leaseCurator, task -> {
      storeTasks.incrementAndGet();
      strand.execute(task);
    }, clock);
    if (!runsManager) zk.scopeTo(name); // an agent-only node's view: its own record, as the daemon's
    agentStore = new MeteredStore(zk, StorePaths.node(name), s.renewals());
    managerStore = new MeteredStore(zk, StorePaths.MANAGER_STATE, s.managerWrites());
  }

  void start() {
    curator.start();
    leaseCurator.start();
    zk.onChange(StorePaths.MANAGER_STATE, this::tick); // a new decision is acted on at once, as in the daemon
    zk.start();
  }

  String name() {
    return name;
  }

  boolean synced() {
    return zk.synced();
  }

  /** Null once the core runs; else what it waits for (read off the loop: for the bench's progress lines only). */
  String waitingFor() {
    if (built) return null;
    if (!zk.synced()) return "store client not synced";
    return zk.view().get(StorePaths.CONFIG) == null ? "synced, but /config not assembled in its view"
        : "not ticked yet";
  }

  private volatile boolean built;

  /** One tick of the node's loop (on its strand): the core is built once the store is synced and /config is read. */
  void tick() {
    long now = clock.getAsLong();
    if (agent == null) {
      if (!zk.synced() || zk.view().get(StorePaths.CONFIG) == null) return;
      agent = new Agent(this, timing);
      if (runsManager) manager = new Manager(new ManagerPlug(), timing);
      built = true;
    }
    agent.tick(now);
    if (manager != null) manager.tick(now);
  }

  /** Schedules the node's ticks on the strand. */
  void tickOnStrand() {
    strand.execute(this::tick);
  }

  /**
   * Power loss: nothing of this node runs from now on (no renewal, no completion), and its store connection closes
   * at once (off the caller's thread). Palisade keeps no ephemeral znodes, so the closed session tells the manager
   * nothing: it learns of the loss only from the lease's silence.
   */
  void powerLoss() {
    lostAtNanos = System.nanoTime();
    strand.stop();
    Thread t = new Thread(this::closeStore, "bench-power-loss-" + name);
    t.setDaemon(true);
    t.start();
  }

  void close() {
    strand.stop();
    closeStore();
  }

  /**
   * How long before its power loss this node's last committed renewal was submitted: the manager's silence timer
   * for it starts no earlier than that submission.
   */
  long renewalAgeAtLossMs() {
    return (lostAtNanos - agentStore.lastCommitted().get()) / 1_000_000;
  }

  private void closeStore() {
    zk.close();
    curator.close(); // its lease session's client went with the store
  }

  @Override
  public String node() {
    return name;
  }

  @Override
  public StoreClient store() {
    return agentStore;
  }

  @Override
  public Watchdog watchdog() {
    return watchdog;
  }

  @Override
  public LocalResources resources() {
    return resources;
  }

  @Override
  public EventLog log() {
    return (source, message) -> events.incrementAndGet();
  }

  @Override
  public SpmDuty spm() {
    return spm;
  }

  /** The manager's plug on this node: the same store connection, its own writes timed. */
  private final class ManagerPlug implements ManagerEnv {
    @Override
    public String node() {
      return name;
    }

    @Override
    public StoreClient store() {
      return managerStore;
    }

    @Override
    public EventLog log() {
      return BenchNode.this.log();
    }

    @Override
    public long wallClockMs(long nowMs) {
      return System.currentTimeMillis();
    }
  }

  /** A watchdog that does nothing: nothing would reset this node (the bench only ever stops it whole). */
  private static final class StandInWatchdog implements Watchdog {
    private boolean armed;

    @Override
    public void arm() {
      armed = true;
    }

    @Override
    public void feed() {
      // nothing to feed
    }

    @Override
    public void disarm() {
      armed = false;
    }

    @Override
    public boolean armed() {
      return armed;
    }

    @Override
    public String kind() {
      return WATCHDOG_KIND;
    }
  }

  /** Resources that start, stop and migrate at once; the completion still goes through the node's loop. */
  private final class StandInResources implements LocalResources {
    private final TreeSet<String> running = new TreeSet<>();

    @Override
    public void start(ResourceConfig resource, long token, Callback<DriverResult> done) {
      running.add(resource.id());
      strand.execute(() -> done.done(DriverResult.success(), clock.getAsLong()));
    }

    @Override
    public void stop(String id, Callback<DriverResult> done) {
      running.remove(id);
      strand.execute(() -> done.done(DriverResult.success(), clock.getAsLong()));
    }

    @Override
    public void migrate(ResourceConfig resource, String target, long token, Callback<DriverResult> done) {
      running.remove(resource.id());
      strand.execute(() -> done.done(DriverResult.success(), clock.getAsLong()));
    }

    @Override
    public SortedSet<String> running() {
      return new TreeSet<>(running);
    }

    @Override
    public void killAll() {
      running.clear();
    }
  }
}
