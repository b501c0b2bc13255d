package palisade.sim;

import palisade.core.Agent;
import palisade.core.AgentEnv;
import palisade.core.Callback;
import palisade.core.EventLog;
import palisade.core.Manager;
import palisade.core.ManagerEnv;
import palisade.core.LocalResources;
import palisade.core.SpmDuty;
import palisade.core.StoreClient;
import palisade.core.StoreView;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Watchdog;

/**
 * One simulated machine: power, network, a drifting clock, a watchdog, and — while booted — the real Agent and
 * Manager driven by the world's events. Everything its software touches goes through the plugs below.
 */
public final class SimNode implements AgentEnv, ManagerEnv {
  final String name;
  final SimWorld world;
  /** Clock rate relative to real time (1 ± drift/2) and offset: no two nodes agree. */
  private final double rate;
  private final long offsetMs;

  boolean powered;
  boolean booted;
  boolean netUp = true;
  int side;
  long pausedUntilMs;
  /** The daemon alone is frozen (`daemon NODE hang`): no software event runs; host, resources and SSH answer. */
  boolean hung;
  /** The whole node is frozen (`freeze NODE D`): nothing of it runs, its watchdog included. */
  final NodeFreeze freeze = new NodeFreeze();
  /** Bumped by every power loss or reset, and by every daemon exit: events of an earlier life are dropped. */
  long incarnation;
  /** Bumped by every power loss or reset only: the watchdog device counts across a daemon restart. */
  private long machineLife;
  /** A daemon restart in progress: how long after the old daemon exits the new one starts; -1 when none. */
  private long restartDownMs = -1;
  boolean dropAcks;
  long slowAckMs;
  boolean shuttingDown;
  boolean rebootAfterShutdown;
  /** The configuration says a watchdog protects it. */
  private final boolean watchdogConfigured;
  /** The machine has a working watchdog device for its next boot (the silent no-watchdog fault clears it). */
  boolean watchdogDevice;
  /** This incarnation has a working watchdog: configured, and the device was there when it booted. */
  private boolean watchdogEnabled;
  long healthySinceMs = Long.MAX_VALUE;

  private SimView view;
  private Agent agent;
  private Manager manager;
  /** The agent's plug armed the watchdog (a new daemon starts unarmed). */
  private boolean wdArmed;
  /** The device counts down: armed by a daemon, possibly a previous one that held it for its restart. */
  private boolean deviceArmed;
  private long wdFeeds;

  private final StoreClient store = new Store();
  private final Dog watchdog = new Dog();
  private final LocalResources driver;
  private final SimSpm spm;

  SimNode(String name, SimWorld world, double rate, long offsetMs, boolean watchdogConfigured,
      boolean watchdogDevice) {
    this.name = name;
    this.world = world;
    this.driver = new SimDriver(this);
    this.spm = new SimSpm(t -> world.spmActivated(this, t));
    this.rate = rate;
    this.offsetMs = offsetMs;
    this.watchdogConfigured = watchdogConfigured;
    this.watchdogDevice = watchdogDevice;
    this.watchdogEnabled = watchdogConfigured && watchdogDevice;
  }

  long localNow() {
    return offsetMs + (long) Math.floor(world.now() * rate);
  }

  long realDelay(long localMs) {
    return Math.max(1, (long) Math.ceil(localMs / rate));
  }

  // ---- physical truth, read by checkers and expectations ---------------------------------------------------------

  /** Powered on (booting, running or shutting down). */
  public boolean powered() {
    return powered;
  }

  /** Its software runs (booted and not halted since). */
  public boolean booted() {
    return booted;
  }

  /** The token this machine acts as SPM under, 0 when it does not act as SPM (a frozen node acts as nothing). */
  public long spmToken() {
    return freeze.frozen() ? 0 : spm.activeToken();
  }

  /** Frozen whole (`freeze NODE D`): its processes execute nothing, so they count as neither running nor SPM. */
  public boolean frozen() {
    return freeze.frozen();
  }

  /** The last instant it was frozen whole: now while frozen, else when its last freeze ended (MIN_VALUE: never). */
  public long lastFrozenMs() {
    return freeze.lastFrozenMs(world.now());
  }

  /** Since when it has had store access and a running agent without a break; Long.MAX_VALUE while it has not. */
  public long healthySinceMs() {
    return healthySinceMs;
  }

  /**
   * Whether a working hardware watchdog protects its current incarnation: false for a node configured without one,
   * and for a node whose machine silently lacked the device the configuration promises when it booted
   * (`watchdog_device=none`, `watchdog NODE missing`).
   */
  public boolean watchdogEnabled() {
    return watchdogEnabled;
  }

  boolean paused() {
    return pausedUntilMs > world.now() || hung || freeze.frozen();
  }

  /** When a held software event looks again: a hung daemon polls, a paused or frozen one waits for its end. */
  long resumeAtMs() {
    long frozenUntil = freeze.frozen() ? freeze.untilMs() : 0;
    return Math.max(hung ? world.now() + 100 : pausedUntilMs, frozenUntil);
  }

  public Agent agent() {
    return agent;
  }

  public Manager manager() {
    return manager;
  }

  boolean watchdogArmed() {
    return wdArmed;
  }

  /**
   * The machine's watchdog device counts (armed, or holding a restart): physical truth, unlike the agent's word; a
   * daemon restart leaves it counting, a release for the cluster's disarm stops it.
   */
  public boolean watchdogCounting() {
    return deviceArmed;
  }

  /** The W the armed device counts now (a live timing change sets it); 0 when it counts nothing or a hold. */
  public long deviceTimeoutMs() {
    return deviceArmed && !watchdog.holding ? watchdog.timeoutMs : 0;
  }

  // ---- lifecycle, driven by the world ----------------------------------------------------------------------------

  void boot() {
    watchdogEnabled = watchdogConfigured && watchdogDevice;
    if (world.config().nodes().containsKey(name)) {
      startDaemon();
    } else { // a removed member's daemon refuses to start (ClusterFacts): the machine runs, Palisade does not
      world.log(name, "daemon refuses to start: not a member of the cluster's configuration");
    }
  }

  /** A new daemon on the running machine: a boot starts one, and so does a daemon restart (the devices stay). */
  private void startDaemon() {
    booted = true;
    view = new SimView();
    watchdog.timeoutMs = world.timing().watchdogMs(); // a new daemon sets its device to the W it was built with
    agent = new Agent(this, world.timing());
    manager = new Manager(this, world.timing(), palisade.core.FencePolicy.defaults(), world.options().stepAll());
    if (world.options().statusBudget() > 0) manager.statusBudget(world.options().statusBudget());
    long inc = incarnation;
    world.atSoftware(this, world.now(), inc, () -> tick(inc));
  }

  void halt() {
    powered = false;
    booted = false;
    incarnation++;
    machineLife++;
    restartDownMs = -1;
    deviceArmed = false;
    agent = null;
    manager = null;
    view = null;
    wdArmed = false;
    if (spm.activeToken() != 0) world.log(name, "no longer SPM (halted)");
    spm.deactivate();
    shuttingDown = false;
    pausedUntilMs = 0; // the paused process died with the power: the next boot starts a fresh one
    hung = false;
    freeze.clear();
  }

  private void tick(long inc) {
    agent.tick(localNow());
    manager.tick(localNow());
    afterSoftware();
    if (inc == incarnation) {
      world.atSoftware(this, world.now() + realDelay(agent.claimedTiming().tickMs()), inc, () -> tick(inc));
    }
  }

  /** Runs a completion as a software event of this node's current life. */
  <T> void deliver(long atMs, Callback<T> cb, T result) {
    long inc = incarnation;
    world.atSoftware(this, atMs, inc, () -> {
      cb.done(result, localNow());
      afterSoftware();
    });
  }

  private void afterSoftware() {
    world.afterSoftware(this);
    if (restartDownMs >= 0 && agent != null && agent.stoppedForRestart()) daemonExit();
  }

  // ---- daemon restart: the daemon alone stops and starts again, the machine and its resources keep running -----

  /** Longest the stopping daemon waits for its hold to be written before it exits without (as the runtime's). */
  static final long RESTART_STOP_TIMEOUT_MS = 10_000;

  /**
   * SIGTERM to the daemon alone (an upgrade): its agent writes the restart hold, the watchdog holds for H, the
   * daemon exits leaving every resource running, and a new daemon starts downMs later. Its embedded store peer is
   * down meanwhile, as the runtime's is.
   */
  public void restartDaemon(long downMs) {
    if (!booted || restartDownMs >= 0 || shuttingDown) return;
    world.log("world", name + ": daemon stop for a restart (SIGTERM), back " + palisade.core.Durations.format(downMs)
        + " after it exits");
    restartDownMs = downMs;
    long inc = incarnation;
    world.atSoftware(this, world.now(), inc, () -> {
      if (!agent.requestRestart(localNow())) daemonExit();
    });
    world.atHost(this, world.now() + RESTART_STOP_TIMEOUT_MS, () -> {
      if (inc == incarnation && restartDownMs >= 0) daemonExit();
    });
  }

  /** A soft fence kills the (hung) daemon; a new one starts downMs later and adopts what runs. */
  void killDaemon(long downMs) {
    if (!booted || restartDownMs >= 0) return;
    restartDownMs = downMs;
    daemonExit();
  }

  /** The old daemon is gone: its agent, manager, store peer and SPM duty; resources and the watchdog stay. */
  private void daemonExit() {
    boolean held = agent != null && agent.heldForRestart();
    world.log("world", name + ": daemon exited, " + (held ? "its watchdog holding" : "its watchdog not held")
        + "; resources left running");
    long down = restartDownMs;
    restartDownMs = -1;
    booted = false;
    incarnation++;
    agent = null;
    manager = null;
    view = null;
    wdArmed = false;
    if (spm.activeToken() != 0) world.log(name, "no longer SPM (daemon exited)");
    spm.deactivate();
    pausedUntilMs = 0;
    hung = false;
    world.topologyChanged();
    long life = machineLife;
    world.atHost(this, world.now() + down, () -> {
      if (life != machineLife || !powered || booted) return;
      world.log("world", name + ": daemon started again");
      startDaemon();
      world.topologyChanged();
    });
  }

  // ---- the plugs -------------------------------------------------------------------------------------------------

  /** crs=dynamic's input: the simulated agents report what each resource is measured using (`usage` actions). */
  @Override
  public java.util.SortedMap<String, palisade.core.Capacity> measuredUsage() {
    return world.drivers().measured();
  }

  @Override
  public String node() {
    return name;
  }

  @Override
  public StoreClient store() {
    return store;
  }

  @Override
  public Watchdog watchdog() {
    return watchdog;
  }

  @Override
  public LocalResources resources() {
    return driver;
  }

  @Override
  public EventLog log() {
    return world::log;
  }

  /** The world's true time, as the fence devices stamp their calls. */
  @Override
  public long wallClockMs(long nowMs) {
    return world.now();
  }

  @Override
  public SpmDuty spm() {
    return spm;
  }

  @Override
  public palisade.core.FenceDriver fences() {
    return (device, target, action, done) -> world.power.call(this, device, target, action, done);
  }

  @Override
  public palisade.core.KdumpDriver kdump() {
    return (target, timeoutMs, done) -> world.kdumps().listen(this, target, timeoutMs, done);
  }

  @Override
  public palisade.core.SoftFenceDriver softFences() {
    return (target, done) -> SimNodeFaults.softFence(world, this, target, done);
  }

  private final class Store implements StoreClient {
    @Override
    public StoreView view() {
      if (world.available(SimNode.this)) view.catchUp(world.store(), world.now() - world.options().storeLagMs);
      return view;
    }

    @Override
    public boolean synced() {
      return world.available(SimNode.this);
    }

    @Override
    public void submit(Txn txn, Callback<TxnResult> done) {
      if (!world.available(SimNode.this)) {
        deliver(world.now() + 1, done, new TxnResult.Unavailable("no quorum reachable"));
        return;
      }
      long inc = incarnation;
      world.at(world.now() + world.latency(), () -> {
        TxnResult result = world.commit(txn);
        if (result == null) return; // the store lost its quorum before the request reached it
        world.at(world.now() + world.latency() + slowAckMs, () -> {
          if (inc == incarnation && world.available(SimNode.this) && !dropAcks && !world.dropAck()) {
            deliver(world.now(), done, result);
          }
        });
      });
    }
  }

  private final class Dog implements Watchdog {
    private long timeoutMs; // W from the next feed on (a live timing change sets it)
    private boolean holding; // counting a restart hold, not W
    @Override
    public boolean timeout(long ms) {
      timeoutMs = ms;
      return true;
    }

    @Override
    public void arm() {
      wdArmed = true;
      feed();
    }

    @Override
    public void feed() {
      if (!wdArmed || !watchdogEnabled) return;
      holding = false;
      countdown(timeoutMs);
    }

    /**
     * The device resets the machine unless fed again within ms; a daemon restart does not stop it. It counts only
     * the time the node is not frozen (a frozen supervisor or softdog sees none pass): see {@link NodeFreeze}.
     */
    private void countdown(long ms) {
      deviceArmed = true;
      expireAt(world.now() + realDelay(ms), ++wdFeeds, machineLife, freeze.unfrozenMs(world.now()) + realDelay(ms));
    }

    private void expireAt(long atMs, long feeds, long life, long deadline) {
      world.at(atMs, () -> {
        if (life != machineLife || !deviceArmed || feeds != wdFeeds) return;
        long left = deadline - freeze.unfrozenMs(world.now());
        if (freeze.frozen()) expireAt(freeze.untilMs(), feeds, life, deadline);
        else if (left > 0) expireAt(world.now() + left, feeds, life, deadline);
        else world.watchdogReset(SimNode.this);
      });
    }

    @Override
    public boolean hold(long holdMs) {
      if (!wdArmed || !watchdogEnabled) return false;
      holding = true;
      countdown(holdMs);
      return true;
    }

    @Override
    public void disarm() {
      wdArmed = false;
      deviceArmed = false;
    }

    @Override
    public boolean armed() {
      return wdArmed;
    }

    /** The truth: a machine without a working watchdog says so (a plug that lied would defeat any manager). */
    @Override
    public String kind() {
      return watchdogEnabled ? "sim" : Watchdog.NONE;
    }
  }
}
