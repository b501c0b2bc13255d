package palisade.runtime.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import palisade.core.Agent;
import palisade.core.AgentEnv;
import palisade.core.Callback;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.EventLog;
import palisade.core.FenceDriver;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.StoreView;
import palisade.core.Manager;
import palisade.core.ManagerEnv;
import palisade.core.Op;
import palisade.core.LocalResources;
import palisade.core.StoreClient;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.core.Txn;
import palisade.core.Versioned;
import palisade.core.Watchdog;
import palisade.runtime.store.Credential;
import palisade.runtime.store.EmbeddedPeer;
import palisade.runtime.store.ZkStore;
import palisade.runtime.watchdog.Cgroup;
import palisade.runtime.watchdog.LinuxWatchdog;
import palisade.runtime.watchdog.NoWatchdog;
import palisade.runtime.watchdog.ProcessWatchdogClient;
import palisade.runtime.watchdog.WatchdogDevice;

/**
 * One node: an embedded ZooKeeper peer (if it is among the first peers), the store client, and the core's Agent and
 * standby Manager, all driven by ONE event-loop thread. Ticks run every timing.tickMs(); every store and driver
 * completion is posted to the same thread; the clock is monotonic (System.nanoTime). No core call happens anywhere
 * else.
 */
public final class NodeDaemon implements AgentEnv, ManagerEnv {
  /** ZooKeeper session timeout: a stalled server is noticed after two thirds of it. */
  static final int SESSION_TIMEOUT_MS = 3_000;
  static final int CONNECTION_TIMEOUT_MS = 2_000;

  private final DaemonConfig config;
  /** Every task on it runs under the halt handler (see {@link Loop}). */
  private final Loop loop = new Loop();
  private final long originNanos = System.nanoTime();
  private EmbeddedPeer peer;
  private CuratorFramework curator;
  private ZkStore store;
  private WatchdogPlug watchdog;
  private ConfigWatch configWatch;
  private AsyncResources resources;
  private UsageReporter usage;
  private AsyncFences fences;
  private AsyncHostFences hostFences;
  private Events events; // closed before the store handle it writes through
  /** Whether this node acts as SPM, running the spm hooks if configured; the agent logs every change as an event. */
  private final palisade.core.SpmDuty spm;
  private Agent agent;
  private Manager manager;
  /** A clean shutdown or reboot of this node (host going down, or asked through the store); null before begin. */
  private volatile CleanShutdown cleanShutdown;
  private boolean seedPending;
  /** The loop's task while it waits for /config (telemetry, reading or seeding /config); cancelled by begin. */
  private volatile ScheduledFuture<?> bootTicks;
  /** The core's ticks and their period: it follows the agent's R after a live timing change (retick). */
  private ScheduledFuture<?> ticks;
  private long tickMs;
  /** The cgroup the process watchdog keeps this daemon and its resources in ("/palisade/..."), if any. */
  private Optional<String> processCgroup = Optional.empty();
  /** The observer (health checks, metrics) and the plugs as the core sees them, reporting to it. */
  private final Telemetry telemetry;
  private StoreClient meteredStore;
  private FenceDriver meteredFences;
  private Telemetry.MeteredWatchdog meteredWatchdog;

  public NodeDaemon(DaemonConfig config) {
    this(config, Telemetry.NONE);
  }

  public NodeDaemon(DaemonConfig config, Telemetry telemetry) {
    this.config = config;
    this.telemetry = telemetry;
    this.spm = SpmHooks.of(config, (source, message) -> loop.execute(() -> log().event(source, message)));
  }

  /** Monotonic milliseconds: the only clock the core ever sees. */
  long nowMs() {
    return (System.nanoTime() - originNanos) / 1_000_000;
  }

  /** Starts everything; returns once the event loop runs. */
  public void start() throws Exception {
    // Fence devices first: a bad definition (unknown agent, option the metadata refuses) stops the daemon here.
    fences = AsyncFences.create(config, loop, this::nowMs);
    hostFences = AsyncHostFences.create(config, loop, this::nowMs); // soft fences and kdump listeners, checked now
    Credential credential = StoreSection.credential(config);
    // Everything this daemon and its embedded peer write (snapshots and logs hold resource commands) is private.
    PrivateFiles.umask077();
    Path dir = PrivateFiles.privateTree(config.dataDir());
    java.nio.file.Files.writeString(dir.resolve("daemon.pid"), Long.toString(ProcessHandle.current().pid()));
    if (config.runsPeer()) peer = PeerHosting.start(config, dir.resolve("zookeeper"), credential, this::peerFailed);
    curator = StoreSection.client(config, credential);
    PeerHosting.publishOnConnect(curator, config); // before start: the first CONNECTED counts too
    curator.start();
    CuratorFramework leases = StoreSection.client(config, credential); // the store closes it
    leases.start();
    store = new ZkStore(curator, leases, loop, this::nowMs);
    store.announceLayoutsFor(config.node()); // `store migrate` tells this daemon from an older palisade's by it
    Candidacy.scope(store, config); // of the node records its own only, unless a manager candidate
    // A new manager decision (e.g. a recovery to this node) is acted on at once, not at the next tick.
    store.onChange(palisade.core.StorePaths.MANAGER_STATE, this::tick);
    store.start();
    meteredStore = Telemetry.meter(store, config.node(), telemetry);
    meteredFences = Telemetry.meter(fences, telemetry);
    events = new Events(curator, config.node());
    resources = new AsyncResources(config, dir.resolve("resources"), new AsyncResources.Poster() {
      @Override
      public <T> void post(Callback<T> cb, T result) {
        loop.execute(() -> cb.done(result, nowMs()));
      }

      @Override
      public void event(String source, String message) {
        loop.execute(() -> log().event(source, message));
      }
    });
    resources.adoptProcesses(); // what an earlier daemon left running under its restart hold
    usage = new UsageReporter(config.node(), curator, resources::drivers).start(); // crs=dynamic's figures
    // The cluster's settings come from the store: until it has synced and /config is read (a new cluster's first
    // node seeds it from this file), the loop runs — health, telemetry — but nothing of the core. Then the daemon
    // refuses to run under a /config that this node's local facts contradict, or builds its watchdog, agent and
    // manager under the cluster's timing (begin).
    ClusterConfig initial = ClusterFacts.initial(config); // refused here, at start, if it is not valid
    DaemonLog.info("waiting for the store and the cluster's /config (" + config.connectString() + ")");
    long bootTick = Math.max(1, Math.min(BOOT_TICK_MS, config.timing().tickMs()));
    bootTicks = loop.scheduleAtFixedRate(() -> awaitClusterConfig(initial), bootTick, bootTick,
        TimeUnit.MILLISECONDS);
  }

  /** How often the loop looks at the store, and ticks telemetry, while it waits for the cluster's /config. */
  private static final long BOOT_TICK_MS = 100;

  /** On the loop, until the core is built: read (or seed) /config, then begin. */
  private void awaitClusterConfig(ClusterConfig initial) {
    if (agent != null) return; // begun (the cancellation may come a run late): the core's own tick runs now
    tick(); // telemetry: the node is alive, its store not synced yet
    if (!store.synced()) return;
    if (!schemaKnown()) return;
    Versioned<ClusterConfig> v = store.view().get(StorePaths.CONFIG, ClusterConfig.class);
    if (v != null) {
      if (bootTicks != null) bootTicks.cancel(false);
      begin(v.value());
    } else if (!seedPending) {
      seedPending = true;
      store.submit(Txn.of(new Op.Put(StorePaths.CONFIG, Op.ABSENT, initial)), (r, t) -> {
        seedPending = false;
        log().event(config.node() + "/daemon", "initial configuration from this node's file: "
            + (r instanceof palisade.core.TxnResult.Committed ? "written" : r instanceof palisade.core.TxnResult.Conflict
            ? "another node wrote it first" : "not written yet (the store did not answer)"));
      });
    }
  }

  /** The store's layout version must be known before anything runs (see {@link SchemaGate}). */
  private final SchemaGate schema = new SchemaGate();

  private boolean schemaKnown() {
    try {
      return schema.known(store);
    } catch (ConfigException e) {
      refuse(e.getMessage());
      return false;
    }
  }

  /** /config is read: check this node's local facts against it, then build the core under the cluster's timing. */
  private void begin(ClusterConfig cluster) {
    Timing timing;
    WatchdogDevice device;
    try {
      ClusterFacts.check(config, cluster);
      configWatch = new ConfigWatch(config, fences, log(), cluster); // /config's fence devices, and later changes
      timing = ClusterFacts.timing(config, cluster);
      device = switch (config.watchdogDriver()) {
        case "process" -> processWatchdog(timing);
        case "linux" -> new LinuxWatchdog(config.watchdogDevice());
        default -> new NoWatchdog();
      };
    } catch (ConfigException | IOException e) {
      refuse(e.getMessage());
      return;
    }
    String drift = ClusterFacts.timingDrift(config, cluster);
    if (!drift.isEmpty()) log().event(config.node() + "/daemon", drift);
    watchdog = new WatchdogPlug(device, config.watchdogDriver(), timing.watchdogMs(), this::watchdogLost);
    meteredWatchdog = new Telemetry.MeteredWatchdog(watchdog, telemetry);
    agent = new Agent(this, timing);
    manager = new Manager(this, timing);
    cleanShutdown = new CleanShutdown(config.node(), config.shutdown(), loop, agent, meteredStore, events, resources,
        this::nowMs);
    log().event(config.node() + "/daemon", "started (store " + config.connectString() + ", watchdog "
        + config.watchdogDriver() + ", fence devices " + fences.names() + ", cluster timing "
        + ClusterFacts.describe(timing) + ", tick " + Durations.format(timing.tickMs()) + ")");
    tickMs = timing.tickMs();
    ticks = loop.scheduleAtFixedRate(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
    coreRunning = true;
    // Whoever resets this node must be alive: checked every R on its own, not only when a renewal lets us feed,
    // so a stopped or dead supervisor is noticed within R (plus the call deadline) even while the store is down.
    long r = timing.renewMs();
    loop.scheduleAtFixedRate(() -> {
      watchdog.check();
      meteredWatchdog.period();
    }, r, r, TimeUnit.MILLISECONDS);
  }

  /**
   * This node must not run under the cluster's configuration: say why, naming both values, and exit 2 as for any
   * configuration error. Nothing has started yet: no resource, no armed watchdog.
   */
  private void refuse(String why) {
    coreRunning = false;
    System.err.println("palisade: " + why);
    System.err.flush();
    DaemonLog.fatal(why);
    System.exit(2);
  }

  /** The deadline of one call to the watchdog supervisor: well below X (and R), so a hung call is noticed early. */
  static long watchdogDeadlineMs(palisade.core.Timing timing) {
    return Math.max(50, Math.min(timing.renewMs(), timing.ackMs()) / 2);
  }

  private ProcessWatchdogClient processWatchdog(Timing timing) throws IOException {
    ProcessWatchdogClient client = new ProcessWatchdogClient(config.watchdogSocket(),
        Duration.ofMillis(watchdogDeadlineMs(timing)));
    try {
      // Reached at start, and the supervisor keeps us in the cgroup it names (so a lost watchdog can empty it).
      client.status();
      processCgroup = client.cgroup();
    } catch (IOException e) {
      throw new ConfigException("watchdog.socket: " + e.getMessage() + " (is the daemon running under its "
          + "WatchdogSupervisor --socket " + config.watchdogSocket() + "?)");
    }
    Optional<String> own = Cgroup.of(ProcessHandle.current().pid());
    if (processCgroup.isPresent() && !processCgroup.equals(own)) {
      throw new ConfigException("watchdog.socket: the supervisor keeps its child in cgroup " + processCgroup.get()
          + " but this daemon is in " + own.orElse("none") + ": not its child?");
    }
    return client;
  }

  private void tick() {
    if (agent != null && manager != null) { // store events may arrive before the core is built
      long now = nowMs();
      agent.tick(now);
      if (agent.claimedTiming().tickMs() != tickMs) { // a live timing change moved R: the tick follows it
        tickMs = agent.claimedTiming().tickMs();
        ticks.cancel(false);
        ticks = loop.scheduleAtFixedRate(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
      }
      cleanShutdown.tick();
      if (restartHeld != null && agent.stoppedForRestart()) restartHeld.complete(agent.heldForRestart());
      long t0 = System.nanoTime();
      if (Candidacy.managerMayTick(store, config.node())) manager.tick(now);
      telemetry.managerRound(System.nanoTime() - t0);
    }
    StoreView v = store.view();
    if (configWatch != null) configWatch.tick(v);
    telemetry.tick(new Telemetry.Tick(store.synced(), curator.getZookeeperClient().isConnected(),
        value(v, StorePaths.MANAGER_STATE, ManagerState.class), value(v, StorePaths.FENCE_HISTORY,
        FenceHistory.class)));
  }

  private static <T> T value(StoreView v, String path, Class<T> type) {
    var r = v.get(path);
    return r != null && type.isInstance(r.value()) ? type.cast(r.value()) : null;
  }

  /** The embedded peer hit an error ZooKeeper calls fatal: a node without its peer must not run on quietly. */
  private void peerFailed(int code) {
    coreRunning = false;
    DaemonLog.fatal("the embedded ZooKeeper peer stopped on a fatal error (exit code " + code
        + "); killing every resource and exiting");
    if (resources != null) resources.killAll();
    if (spm instanceof SpmHooks h) h.killNow();
    Runtime.getRuntime().halt(72);
  }

  private void watchdogLost(String why) {
    coreRunning = false;
    // Nobody can reset this node any more: kill what it runs and stop, as a fence would.
    DaemonLog.fatal(why + "; killing every resource and exiting");
    try {
      resources.killAll();
      if (spm instanceof SpmHooks h) h.killNow();
      // A resource that double-forked is no descendant any more, but it is still in our cgroup.
      if (processCgroup.isPresent()) {
        Optional<Path> root = Cgroup.v2Root();
        if (root.isPresent()) {
          Cgroup own = Cgroup.named(root.get(), processCgroup.get().substring(1));
          int killed = own.killAllBut(ProcessHandle.current().pid());
          DaemonLog.fatal("SIGKILL to " + killed + " other processes in cgroup " + own);
        }
      }
    } finally {
      Runtime.getRuntime().halt(71);
    }
  }

  /** What {@link #onTerm} answers for a stop that is not a host shutdown. */
  public static final int NOT_A_SHUTDOWN = CleanShutdown.NOT_A_SHUTDOWN;

  /**
   * The daemon is told to stop (SIGTERM, from a shutdown hook): if the host is going down (a queued power-off or
   * reboot job), runs the node's clean shutdown and waits for it (bounded by shutdown_timeout); returns the exit
   * status, or {@link #NOT_A_SHUTDOWN} when only the daemon is being stopped.
   */
  public int onTerm() {
    CleanShutdown c = cleanShutdown;
    return c == null ? NOT_A_SHUTDOWN : c.onTerm();
  }

  /**
   * The daemon alone stops (SIGTERM or SIGINT for an upgrade; a host shutdown is another path): the agent stops
   * starting things and writes its record with the restart hold, and once that write is acknowledged in time the
   * watchdog holds for H. Resources keep running; the next daemon adopts them. Returns whether the hold is in
   * place; false (no core yet, the agent could not hold, or no answer within the deadline) means the watchdog
   * fires W after the last feed as for any dead daemon, which is safe. Called off the loop (a shutdown hook); then
   * {@link #close()}.
   */
  public boolean stopForRestart() {
    if (!coreRunning) return false; // no core yet, or the daemon exits on its own (refused, halted): nothing to hold
    java.util.concurrent.CompletableFuture<Boolean> held = new java.util.concurrent.CompletableFuture<>();
    long deadlineMs = RESTART_STOP_TIMEOUT_MS;
    try {
      loop.execute(() -> {
        if (agent == null || !watchdog.holdable() || !agent.requestRestart(nowMs())) {
          held.complete(false);
          return;
        }
        restartHeld = held;
        tick();
      });
      boolean ok = held.get(deadlineMs, TimeUnit.MILLISECONDS);
      DaemonLog.info(ok ? "stopped for a restart: restart hold written, the watchdog holds; resources left "
          + "running" : "stopping without a restart hold: the watchdog (if armed) fires W after the last feed");
      return ok;
    } catch (java.util.concurrent.TimeoutException e) {
      DaemonLog.info("no restart hold within " + deadlineMs + " ms: stopping without it");
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.RejectedExecutionException e) {
      DaemonLog.info("no restart hold: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  /** How long a stopping daemon waits for its restart hold to be written (operations in flight finish first). */
  static final long RESTART_STOP_TIMEOUT_MS = 10_000;
  /** The core runs and the daemon is not on its way out by itself: a restart hold can be asked for. */
  private volatile boolean coreRunning;
  /** Completed on the loop once the agent stopped for a restart. */
  private java.util.concurrent.CompletableFuture<Boolean> restartHeld;

  /** Stops the loop and closes the store; resources are left to the process group's fate. */
  public void close() {
    loop.shutdownNow();
    if (store != null) store.close();
    if (events != null) events.close();
    if (curator != null) curator.close();
    if (peer != null) peer.close();
    if (usage != null) usage.close();
    if (resources != null) resources.close();
    if (spm instanceof SpmHooks h) h.close(SpmHooks.EXIT_WAIT_MS); // its hooks end with it (see SpmHooks)
    if (fences != null) fences.close();
    if (hostFences != null) hostFences.close();
  }

  // ---- the plugs -------------------------------------------------------------------------------------------------

  @Override
  public String node() {
    return config.node();
  }

  @Override
  public StoreClient store() {
    return meteredStore;
  }

  @Override
  public Watchdog watchdog() {
    return meteredWatchdog;
  }

  @Override
  public LocalResources resources() {
    return resources;
  }

  @Override
  public FenceDriver fences() {
    return meteredFences;
  }

  @Override
  public palisade.core.KdumpDriver kdump() {
    return hostFences;
  }

  @Override
  public palisade.core.SoftFenceDriver softFences() {
    return hostFences;
  }

  @Override
  public EventLog log() {
    return events;
  }

  /** Wall-clock time stamps for the manager's fence-history lines, as the fence devices' calls get. */
  @Override
  public long wallClockMs(long nowMs) {
    return System.currentTimeMillis();
  }

  @Override
  public java.util.SortedMap<String, palisade.core.Capacity> measuredUsage() { // crs=dynamic's input: /usage/NODE
    return UsageReporter.measured(store.view());
  }

  @Override
  public java.util.SortedMap<String, palisade.core.Capacity> reportedCapacity() {
    return UsageReporter.capacities(store.view());
  }

  @Override
  public palisade.core.SpmDuty spm() {
    return spm;
  }
}
