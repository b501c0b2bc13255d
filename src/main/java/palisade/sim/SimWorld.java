package palisade.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import palisade.core.ClusterConfig;
import palisade.core.Command;
import palisade.core.Commands;
import palisade.core.ManagerLease;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeRecord;
import palisade.core.Op;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;

/**
 * A deterministic discrete-event world: virtual time in milliseconds, one seeded random source, simulated power,
 * network, watchdogs, store and resources, with the real core running on every booted node. The same seed and
 * inputs replay the same run, event for event.
 */
public final class SimWorld {
  private record Event(long timeMs, int phase, long seq, Runnable action) {}

  private static final long MAX_EVENTS = 200_000_000L;

  private final SimOptions options;
  private final Timing timing;
  private final Random random;
  private final Consumer<String> out;
  private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.timeMs != b.timeMs
      ? Long.compare(a.timeMs, b.timeMs) : a.phase != b.phase ? Integer.compare(a.phase, b.phase)
      : Long.compare(a.seq, b.seq));
  private long seq;
  private long now;
  private long events;

  private final TreeMap<String, SimNode> nodes = new TreeMap<>();
  private final SimStore store = new SimStore();
  /** Simulated power switches (BMCs, PDU outlets) and what they feed. */
  private final SimPower power = new SimPower(this);
  /** Checkers and expectations, called in the order they were added. */
  private final List<WorldObserver> observers = new ArrayList<>();
  /** Physical truth: where resources run, the shared storage, and injected driver faults. */
  private final PhysicalResources physical = new PhysicalResources(this, observers);
  private final StoreQuorum quorum = new StoreQuorum(nodes);
  private double ackDropProbability;
  private final SimKdump kdumps = new SimKdump(this);

  public SimWorld(SimOptions options, long seed, Consumer<String> out) {
    this.options = options;
    this.timing = options.timing();
    this.random = new Random(seed);
    this.out = out;
    this.ackDropProbability = options.ackLossPpm / 1_000_000.0;
  }

  // ---- set-up ----------------------------------------------------------------------------------------------------

  /** Adds an observer (an invariant checker, an interval expectation); add them before {@link #build}. */
  public void observe(WorldObserver observer) {
    observers.add(observer);
  }

  /**
   * Creates the nodes of config (powered, networked) and writes the configuration to the store at t=0. failStarts:
   * resource -> nodes where its start fails; devices: the power switches; noMigration: resources whose driver
   * cannot live-migrate.
   */
  public void build(ClusterConfig config, TreeMap<String, TreeSet<String>> failStarts, TreeSet<String> devices,
      TreeSet<String> noMigration) {
    build(config, failStarts, devices, noMigration, new TreeSet<>());
  }

  /**
   * As above; noWatchdog: nodes whose machine silently has no working watchdog whatever the configuration says
   * (`watchdog_device=none`): nothing resets them, and their agent's plug reports kind none.
   */
  public void build(ClusterConfig config, TreeMap<String, TreeSet<String>> failStarts, TreeSet<String> devices,
      TreeSet<String> noMigration, TreeSet<String> noWatchdog) {
    build(config, failStarts, devices, noMigration, noWatchdog, new TreeMap<>());
  }

  /** As above; deviceDelays: the answer delay of devices declared with one (`delay=`). */
  public void build(ClusterConfig config, TreeMap<String, TreeSet<String>> failStarts, TreeSet<String> devices,
      TreeSet<String> noMigration, TreeSet<String> noWatchdog, TreeMap<String, Long> deviceDelays) {
    for (String d : devices) power.add(d, deviceDelays.getOrDefault(d, -1L));
    for (NodeConfig nc : config.nodes().values()) addMachine(nc, !noWatchdog.contains(nc.name()));
    quorum.choosePeers(options.storePeers);
    physical.faults(failStarts, noMigration);
    store.force(StorePaths.CONFIG, config, 0);
    for (SimNode n : nodes.values()) {
      n.powered = true;
      n.boot();
    }
    topologyChanged();
  }

  /** A machine for a member, unpowered, its clock drifting as the options say (`node add` adds one during a run). */
  public void addMachine(NodeConfig nc, boolean watchdogWorks) {
    double drift = timing.driftPpm() == 0 ? 0 : (random.nextDouble() - 0.5) * timing.driftPpm() / 1_000_000.0;
    nodes.put(nc.name(), new SimNode(nc.name(), this, 1.0 + drift, random.nextInt(1_000_000), nc.watchdog(),
        watchdogWorks));
  }

  // ---- time and events -------------------------------------------------------------------------------------------

  public long now() {
    return now;
  }

  public Timing timing() {
    return timing;
  }

  SimOptions options() {
    return options;
  }

  public SimStore store() {
    return store;
  }

  public void at(long timeMs, Runnable action) {
    queue.add(new Event(Math.max(timeMs, now), 0, seq++, action));
  }

  /** Scheduled after everything else of the same millisecond: expectations look at the settled state. */
  public void atEnd(long timeMs, Runnable action) {
    queue.add(new Event(Math.max(timeMs, now), 1, seq++, action));
  }

  /** An event of a node's software: dropped if the node has died since; held back while its process is paused. */
  void atSoftware(SimNode n, long timeMs, long incarnation, Runnable action) {
    at(timeMs, () -> {
      if (n.incarnation != incarnation || !n.booted) return;
      if (n.paused()) {
        atSoftware(n, n.hung ? now + 100 : n.pausedUntilMs, incarnation, action); // a hung daemon: look again
        return;
      }
      action.run();
    });
  }

  /** Runs every event up to and including untilMs; invariants are checked after each one. */
  public void run(long untilMs) {
    while (!queue.isEmpty() && queue.peek().timeMs <= untilMs) {
      Event e = queue.poll();
      now = e.timeMs;
      if (++events > MAX_EVENTS) throw new IllegalStateException("event budget exhausted");
      e.action.run();
      for (WorldObserver o : observers) o.afterEvent();
    }
    now = Math.max(now, untilMs);
  }

  long latency() {
    return 1 + random.nextInt((int) options.storeLatencyMs);
  }

  boolean dropAck() {
    return ackDropProbability > 0 && random.nextDouble() < ackDropProbability;
  }

  Random random() {
    return random;
  }

  // ---- logging ---------------------------------------------------------------------------------------------------

  boolean logging() {
    return out != null;
  }

  public void log(String source, String message) {
    if (out != null) out.accept(String.format("%4d.%03d %s: %s", now / 1000, now % 1000, source, message));
  }

  // ---- store availability ----------------------------------------------------------------------------------------

  void topologyChanged() {
    quorum.topologyChanged();
    for (SimNode n : nodes.values()) {
      // Store access means hearing back from it: a node that loses every acknowledgement has none.
      boolean healthy = n.powered && n.booted && !n.paused() && available(n) && !n.dropAcks;
      if (!healthy) n.healthySinceMs = Long.MAX_VALUE;
      else if (n.healthySinceMs == Long.MAX_VALUE) n.healthySinceMs = now;
    }
  }

  boolean available(SimNode n) {
    return quorum.available(n);
  }

  boolean quorum() {
    return quorum.exists();
  }

  /** Applies a transaction that reached the store now; null if the store has no quorum to commit it. */
  TxnResult commit(Txn txn) {
    if (!quorum()) return null;
    TreeMap<String, Versioned<Object>> before = new TreeMap<>();
    for (Op op : txn.ops()) before.put(op.path(), store.get(op.path()));
    TxnResult r = store.apply(txn, now);
    if (r instanceof TxnResult.Committed) {
      for (Op op : txn.ops()) {
        if (!(op instanceof Op.Put put)) continue;
        for (WorldObserver o : observers) o.onWrite(put.path(), before.get(put.path()), put.value());
      }
    }
    return r;
  }

  // ---- physical resources ----------------------------------------------------------------------------------------

  /** Physical truth: the resources running on node now. */
  public SortedSet<String> runningOn(String node) {
    return physical.runningOn(node);
  }

  /** Physical truth: the resources running somewhere now, sorted. */
  public SortedSet<String> runningIds() {
    return physical.runningIds();
  }

  /** Physical truth: where resource id runs now (node -> the token it runs under there); empty if nowhere. */
  public SortedMap<String, Long> whereRunning(String id) {
    return physical.whereRunning(id);
  }

  PhysicalResources physical() {
    return physical;
  }

  /** Kernel crashes and their dumps (`kdump NODE`), and the kdump listeners of fence proxies. */
  public SimKdump kdumps() {
    return kdumps;
  }

  /** The simulated drivers: injected failures (transient ones too) and measured usage. */
  public DriverModel drivers() {
    return physical.model;
  }

  /** A node starts acting as SPM: invariant 3 is checked before it does. */
  void spmActivated(SimNode n, long token) {
    for (WorldObserver o : observers) o.onSpmActivate(n.name, token);
  }

  // ---- faults and operator actions -------------------------------------------------------------------------------

  /** The machine called name, or null. */
  public SimNode node(String name) {
    return nodes.get(name);
  }

  /** Every machine, by name (read-only). */
  public SortedMap<String, SimNode> nodes() {
    return Collections.unmodifiableSortedMap(nodes);
  }

  public void powerOff(String name, String why) {
    SimNode n = nodes.get(name);
    if (!n.powered) return;
    log("world", name + ": power off" + (why.isEmpty() ? "" : " (" + why + ")"));
    physical.killAll(n, "power lost");
    n.halt();
    topologyChanged();
  }

  /** The operator powers the machine on (and every outlet feeding it). */
  public void powerOn(String name) {
    power.restore(name);
    bootUp(name);
  }

  /** Power comes back to the machine: it boots. */
  void bootUp(String name) {
    SimNode n = nodes.get(name);
    if (n.powered) return;
    log("world", name + ": power on, booting");
    n.powered = true;
    long inc = n.incarnation;
    at(now + options.bootMs, () -> {
      if (n.incarnation != inc || !n.powered) return;
      log("world", name + ": booted");
      n.boot();
      topologyChanged();
    });
    topologyChanged();
  }

  void watchdogReset(SimNode n) {
    log("world", n.name + ": watchdog expired: node reset");
    physical.killAll(n, "reset");
    n.halt();
    topologyChanged();
    bootUp(n.name);
  }

  public void network(String name, boolean up) {
    SimNode n = nodes.get(name);
    n.netUp = up;
    log("world", name + ": network " + (up ? "on" : "off"));
    topologyChanged();
  }

  public void partition(List<List<String>> sides) {
    for (SimNode n : nodes.values()) n.side = -1;
    for (int i = 0; i < sides.size(); i++) {
      for (String name : sides.get(i)) nodes.get(name).side = i;
    }
    int lone = sides.size();
    for (SimNode n : nodes.values()) {
      if (n.side == -1) n.side = lone++; // not named: a side of its own
    }
    log("world", "partition " + String.join(" | ", sides.stream().map(s -> String.join(",", s)).toList()));
    topologyChanged();
  }

  public void heal() {
    for (SimNode n : nodes.values()) n.side = 0;
    log("world", "network healed");
    topologyChanged();
  }

  public void pause(String name, long durationMs) {
    SimNode n = nodes.get(name);
    if (!n.booted) return;
    n.pausedUntilMs = Math.max(n.pausedUntilMs, now + durationMs);
    log("world", name + ": agent paused for " + palisade.core.Durations.format(durationMs));
    topologyChanged();
    long until = n.pausedUntilMs;
    at(until, () -> {
      if (n.pausedUntilMs == until && n.booted) log("world", name + ": agent resumes");
      topologyChanged();
    });
  }

  /** `fence-device DEV fail|ok|slow D` (slowMs 0: not slow). */
  public void fenceDevice(String name, boolean ok, long slowMs) {
    power.set(name, ok, slowMs);
  }

  /** A power-fence device call from a proxy node: the device acts on the target's power when it answers. */
  void fenceCall(SimNode proxy, String device, String target, palisade.core.PowerAction action,
      palisade.core.Callback<palisade.core.FenceDriver.Outcome> done) {
    long started = now;
    long inc = proxy.incarnation;
    at(now + power.answerDelayMs(device, 100 + random.nextInt(400)), () -> {
      palisade.core.FenceDriver.Outcome result = power.act(device, target, action, started);
      atSoftware(proxy, now, inc, () -> {
        done.done(result, proxy.localNow());
        afterSoftware(proxy);
      });
    });
  }

  /** A clean reboot or power-off: the agent applies the shutdown policy, then the node goes down. */
  public void shutdown(String name, boolean reboot) {
    SimNode n = nodes.get(name);
    if (!n.booted || n.shuttingDown) return;
    log("world", name + ": clean " + (reboot ? "reboot" : "shutdown") + " requested");
    n.shuttingDown = true;
    n.rebootAfterShutdown = reboot;
    long inc = n.incarnation;
    atSoftware(n, now, inc, () -> n.agent().requestShutdown(reboot, n.localNow()));
    at(now + options.shutdownTimeoutMs, () -> {
      if (n.incarnation == inc && n.shuttingDown) {
        powerOff(name, "shutdown timed out");
        if (reboot) bootUp(name);
      }
    });
  }

  /** Called after each software event of n: completes a clean shutdown once its agent is down. */
  void afterSoftware(SimNode n) {
    if (n.shuttingDown && n.agent() != null && n.agent().isDown()) {
      boolean reboot = n.rebootAfterShutdown;
      powerOff(n.name, "clean " + (reboot ? "reboot" : "shutdown"));
      if (reboot) bootUp(n.name);
    }
  }

  /** An operator's configuration change, applied in the store (needs a quorum somewhere). */
  public void operatorConfig(String what, UnaryOperator<ClusterConfig> change) {
    if (!quorum()) {
      log("operator", what + " failed: the store has no quorum");
      return;
    }
    ClusterConfig c = (ClusterConfig) store.get(StorePaths.CONFIG).value();
    store.force(StorePaths.CONFIG, change.apply(c), now);
    log("operator", what);
  }

  /** Writes value at path unless something is there: an operator's first live timing change seeds /timing. */
  public void operatorSeed(String path, Object value) {
    if (quorum() && store.get(path) == null) store.force(path, value, now);
  }

  /** An operator's command for the manager, appended to the store's queue. */
  public void operatorCommand(String what, java.util.function.LongFunction<Command> make) {
    if (!quorum()) {
      log("operator", what + " failed: the store has no quorum");
      return;
    }
    Versioned<Object> cur = store.get(StorePaths.COMMANDS);
    Commands cmds = cur == null ? Commands.empty() : (Commands) cur.value();
    ManagerState ms = managerState();
    Commands next = cmds.append(make, ms == null ? 0 : ms.commandSeq());
    store.force(StorePaths.COMMANDS, next, now);
    for (WorldObserver o : observers) o.onWrite(StorePaths.COMMANDS, cur, next);
    log("operator", what);
  }

  // ---- observation -----------------------------------------------------------------------------------------------

  public ManagerState managerState() {
    Versioned<Object> v = store.get(StorePaths.MANAGER_STATE);
    return v == null ? null : (ManagerState) v.value();
  }

  public ManagerLease managerLease() {
    Versioned<Object> v = store.get(StorePaths.MANAGER_LEASE);
    return v == null ? null : (ManagerLease) v.value();
  }

  NodeRecord nodeRecord(String name) {
    Versioned<Object> v = store.get(StorePaths.node(name));
    return v == null ? null : (NodeRecord) v.value();
  }

  /** The configuration as the store holds it now (operators change it during a run). */
  public ClusterConfig config() {
    return (ClusterConfig) store.get(StorePaths.CONFIG).value();
  }
}
