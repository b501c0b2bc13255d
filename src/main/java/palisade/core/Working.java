package palisade.core;

import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The manager's working copy of its state during one round. Every change goes through {@link #setNode} or
 * {@link #setService}: the funnel that checks the transition table and logs `vm:101: started -> fence (why)`.
 */
final class Working {
  private final EventLog log;
  final TreeMap<String, NodeStatus> nodes;
  final TreeMap<String, ServiceStatus> services;
  final TreeMap<String, FenceTask> fencing;
  final TreeMap<String, SoftFenceOrder> softFences;
  /** Nodes in the operator's maintenance: changed only through {@link #setOperatorMaintenance}. */
  private final java.util.TreeSet<String> maintenance;
  /** History lines the manager itself adds (manual confirmations), written with the state. */
  final java.util.List<FenceEntry> history = new java.util.ArrayList<>();
  private final java.util.Set<String> stormAlerted;
  private SpmRole spm;
  /** Disk leases by disk: changed only through {@link #setDisk}. */
  final TreeMap<String, DiskLease> disks;
  /** The manager's lease decisions, told of every resource change (null: nothing follows, as in unit tests). */
  private DiskLeases leases;
  /** How many statuses this round's write may change (the manager's; unit tests get the default). */
  private StatusBudget budget = new StatusBudget(StatusBudget.DEFAULT);
  private DeviceCheckOrder deviceCheck;
  private HaMode ha;
  private long nextToken;
  private long commandSeq;
  private boolean changed;
  /** Counts every change and every event of this round: 0 means the round so far changed and told nothing. */
  private long marks;
  /** Counts node changes, so per-round caches of node facts know when to refresh. */
  private long nodeChanges;

  Working(ManagerState base, EventLog log) {
    this(base, log, new java.util.TreeSet<>());
  }

  Working(ManagerState base, EventLog log, java.util.Set<String> stormAlerted) {
    this(base, log, stormAlerted, new TreeMap<>(base.services()));
  }

  /**
   * services: a mutable map equal to base's services, changed in place by this round (the manager keeps one across
   * rounds instead of copying every status each round: {@link ResourcePhase}).
   */
  Working(ManagerState base, EventLog log, java.util.Set<String> stormAlerted,
      TreeMap<String, ServiceStatus> services) {
    this.log = log;
    this.stormAlerted = stormAlerted;
    this.nodes = new TreeMap<>(base.nodes());
    this.services = services;
    this.fencing = new TreeMap<>(base.fencing());
    this.softFences = new TreeMap<>(base.softFences());
    this.maintenance = new java.util.TreeSet<>(base.maintenance());
    this.spm = base.spm();
    this.disks = new TreeMap<>(base.disks());
    this.deviceCheck = base.deviceCheck();
    this.ha = base.ha();
    this.nextToken = base.nextToken();
    this.commandSeq = base.commandSeq();
  }

  /**
   * Drops what the state keeps of nodes that left the configuration (`palisade node remove`, refused unless the node
   * is stopped and holds nothing): its status, fence and soft-fence orders, operator maintenance.
   */
  void forgetUnconfigured(java.util.Set<String> configured) {
    // One merged pass per map, not a copy of every name each round (issue 14: a round costs what changed).
    java.util.TreeSet<String> gone = new java.util.TreeSet<>(SortedKeys.missing(nodes.keySet(), configured));
    gone.addAll(SortedKeys.missing(fencing.keySet(), configured));
    gone.addAll(SortedKeys.missing(softFences.keySet(), configured));
    gone.addAll(SortedKeys.missing(maintenance, configured));
    for (String n : gone) {
      nodes.remove(n);
      fencing.remove(n);
      softFences.remove(n);
      maintenance.remove(n);
      touch();
      nodeChanges++;
      log.event("manager", n + ": removed from the configuration: forgotten");
    }
  }

  boolean changed() {
    return changed;
  }

  /** Every change goes through here. */
  private void touch() {
    changed = true;
    marks++;
  }

  /** Changes and events so far this round. */
  long marks() {
    return marks;
  }

  long nodeChanges() {
    return nodeChanges;
  }

  NodeStatus node(String name) {
    return nodes.getOrDefault(name, NodeStatus.initial());
  }

  NodeState nodeState(String name) {
    return node(name).state();
  }

  /** Did the operator put node in maintenance (and not end it yet)? */
  boolean operatorMaintenance(String name) {
    return maintenance.contains(name);
  }

  /**
   * The operator's maintenance request of a node. The node's state line usually tells of it (`online ->
   * maintenance (operator)`); when the state does not change, reason says so in a line of its own.
   */
  void setOperatorMaintenance(String name, boolean on, String reason) {
    Check.that(on != maintenance.contains(name), "node %s: operator maintenance already %s (%s)", name,
        on ? "on" : "off", reason);
    if (on) maintenance.add(name);
    else maintenance.remove(name);
    if (reason != null) log.event("manager", name + ": operator maintenance " + (on ? "on" : "off") + " (" + reason
        + ")");
    touch();
  }

  /** A manager event that changes no state (a resource waiting on a rule): through the same log. */
  void event(String text) {
    marks++;
    log.event("manager", text);
  }

  long newToken() {
    touch();
    return nextToken++;
  }

  long commandSeq() {
    return commandSeq;
  }

  void commandApplied(long seq) {
    Check.that(seq > commandSeq, "command %d applied twice", seq);
    commandSeq = seq;
    touch();
  }

  void setNode(String name, NodeStatus to, String reason) {
    NodeStatus from = nodes.get(name);
    Check.that(!to.equals(from), "node %s: no-op update (%s)", name, reason);
    NodeState fromState = from == null ? null : from.state();
    if (fromState != null && fromState != to.state()) {
      Check.that(to.state().predecessors().contains(fromState), "node %s: illegal transition %s -> %s (%s)",
          name, fromState.label(), to.state().label(), reason);
    }
    Check.that(from == null || to.generation() >= from.generation(), "node %s: generation back from %s to %s (%s)",
        name, from == null ? null : from.generation(), to.generation(), reason);
    // Invariant 4's gate: `fenced` (what lets a node's resources go) always carries the proof of this very fence.
    Check.invariant(4, to.state() != NodeState.FENCED || to.confirmation() != null
        && to.confirmation().generation() == to.generation(), "node %s: fenced at generation %s without its "
        + "confirmation (%s)", name, to.generation(), reason);
    Disarm.checkNoFence(ha, to.state() != NodeState.FENCING || fromState == NodeState.FENCING, name);
    Check.that(to.state() != NodeState.FENCING || to.confirmation() == null
        || to.confirmation().kind() == ConfirmKind.MANUAL, "node %s: fencing with a %s confirmation", name,
        to.confirmation());
    if (fromState == null) {
      log.event("manager", name + ": " + to.state().label() + " (" + reason + ")");
    } else if (fromState != to.state()) {
      log.event("manager", name + ": " + fromState.label() + " -> " + to.state().label() + " (" + reason + ")");
    }
    nodes.put(name, to);
    nodeChanges++;
    touch();
  }

  /** Resources whose status changed this round, each with its status before the first change (null: none). */
  private final TreeMap<String, ServiceStatus> touched = new TreeMap<>();

  java.util.SortedMap<String, ServiceStatus> touched() {
    return java.util.Collections.unmodifiableSortedMap(touched);
  }

  void setService(String id, ServiceStatus to, String reason) {
    ServiceStatus from = services.get(id);
    if (!touched.containsKey(id)) touched.put(id, from);
    Check.that(!Objects.equals(from, to), "%s: no-op update (%s)", id, reason);
    if (to != null) {
      Check.invariant(2, to.token() < nextToken && (from == null || to.token() >= from.token()),
          "%s: token %s is not one issued after %s (next %s)", id, to.token(), from == null ? 0 : from.token(),
          nextToken);
      checkShape(id, to);
      Disarm.checkNoRecovery(ha, from, to, id);
      Disarm.checkFrozen(ha, services, to, id);
    }
    if (to == null) {
      log.event("manager", id + ": removed (" + reason + ")");
    } else if (from == null) {
      log.event("manager", id + ": " + to.state().label() + describe(to) + " (" + reason + ")");
    } else if (from.state() != to.state()) {
      Check.that(to.state().predecessors().contains(from.state()), "%s: illegal transition %s -> %s (%s)", id,
          from.state().label(), to.state().label(), reason);
      log.event("manager", id + ": " + from.state().label() + " -> " + to.state().label() + describe(to)
          + " (" + reason + ")");
    } else if (!Objects.equals(from.node(), to.node()) || from.token() != to.token()) {
      log.event("manager", id + ": " + to.state().label() + describe(to) + " (" + reason + ")");
    }
    if (to == null) services.remove(id);
    else services.put(id, to);
    touch();
    if (leases != null) leases.follow(id, to, reason); // in the same working copy: the same state write
  }

  void leases(DiskLeases l) {
    leases = l;
  }

  StatusBudget budget() {
    return budget;
  }

  void budget(StatusBudget b) {
    budget = b;
  }

  /** Why resource id waits for a disk another resource holds (told once), or null. */
  String diskWait(String id) {
    return leases == null ? null : leases.blocked(id);
  }

  /** Disks whose lease changed this round (each is an entry of the state write, counted by its budget). */
  private final TreeSet<String> disksTouched = new TreeSet<>();

  int disksTouched() {
    return disksTouched.size();
  }

  /** The funnel for disk leases: `disk d1: free -> node2 (vm:101, token 9) (why)`. */
  void setDisk(String disk, DiskLease to, String reason) {
    DiskLease from = disks.get(disk);
    disksTouched.add(disk);
    Check.that(!Objects.equals(from, to), "disk %s: no-op update (%s)", disk, reason);
    // Never two holders: a lease goes from one resource to another only through free.
    Check.invariant(1, to == null || from == null || from.resource().equals(to.resource()),
        "disk %s: %s taken while %s holds it (%s)", disk, DiskLease.describe(to), DiskLease.describe(from), reason);
    ServiceStatus holder = to == null ? null : services.get(to.resource());
    Check.invariant(2, to == null || holder != null && holder.token() == to.token() && to.token() < nextToken,
        "disk %s: %s is not under its resource's current token (%s)", disk, DiskLease.describe(to), holder);
    if (from == null || to == null || !from.node().equals(to.node()) || from.token() != to.token()) {
      log.event("manager", "disk " + disk + ": " + DiskLease.describe(from) + " -> " + DiskLease.describe(to)
          + " (" + reason + ")");
    }
    if (to == null) disks.remove(disk);
    else disks.put(disk, to);
    touch();
  }

  void setFenceTask(String target, FenceTask task, String reason) {
    FenceTask from = fencing.get(target);
    Check.that(!Objects.equals(from, task), "fence order for %s: no-op (%s)", target, reason);
    Check.that(task == null || from == null, "fence order for %s replaced while one stands (%s)", target, reason);
    Disarm.checkNoFence(ha, task == null, target);
    Check.that(task == null || task.target().equals(target) && !task.proxy().equals(target)
        && task.attempt() < nextToken, "fence order for %s: %s (%s)", target, task, reason);
    log.event("manager", target + ": " + reason);
    if (task == null) fencing.remove(target);
    else fencing.put(target, task);
    touch();
  }

  /** The funnel for soft-fence orders: one per target and silence episode, never replaced while it stands. */
  void setSoftFence(String target, SoftFenceOrder order, String reason) {
    SoftFenceOrder from = softFences.get(target);
    Check.that((order == null) != (from == null), "soft fence order for %s: %s -> %s (%s)", target, from, order,
        reason);
    Check.that(order == null || order.target().equals(target) && order.attempt() < nextToken,
        "soft fence order for %s: %s (%s)", target, order, reason);
    log.event("manager", target + ": " + reason);
    if (order == null) softFences.remove(target);
    else softFences.put(target, order);
    touch();
  }

  SpmRole spm() {
    return spm;
  }

  /** The funnel for the SPM role: `spm: node1 (token 4) -> node2 (token 9) (why)`. */
  void setSpm(SpmRole to, String reason) {
    Check.that(!Objects.equals(spm, to), "spm: no-op update (%s)", reason);
    // A holder is named only into an empty slot: the previous one was let go first (released or fenced).
    Check.invariant(3, to == null || spm == null || to.node().equals(spm.node()) && to.token() == spm.token(),
        "spm: %s named while %s holds the role (%s)", SpmRole.describe(to), SpmRole.describe(spm), reason);
    Check.invariant(2, to == null || to.token() < nextToken, "spm: token %s was never issued", to);
    log.event("manager", "spm: " + SpmRole.describe(spm) + " -> " + SpmRole.describe(to) + " (" + reason + ")");
    spm = to;
    touch();
  }

  DeviceCheckOrder deviceCheck() {
    return deviceCheck;
  }

  /** The funnel for the fence device check order: `fence device check 12 via node2 (why)`. */
  void setDeviceCheck(DeviceCheckOrder to, String reason) {
    Check.that(!Objects.equals(deviceCheck, to), "device check: no-op update (%s)", reason);
    Check.that(to == null || to.token() < nextToken, "device check token %s was never issued", to);
    log.event("manager", reason);
    deviceCheck = to;
    touch();
  }

  HaMode ha() {
    return ha;
  }

  /** The funnel for the cluster's HA mode: `cluster: armed -> disarming (freeze) (why)`. */
  void setHa(HaMode to, String reason) {
    Check.that(!to.equals(ha), "cluster: no-op HA mode update (%s)", reason);
    log.event("manager", "cluster: " + ha.label() + " -> " + to.label() + " (" + reason + ")");
    ha = to;
    touch();
  }

  void addHistory(FenceEntry e) {
    history.add(e);
    touch();
  }

  /** True the first time a storm-guard alert for target is raised (kept across rounds by the manager). */
  boolean stormAlerted(String target) {
    return !stormAlerted.add(target);
  }

  private static String describe(ServiceStatus s) {
    String where = s.node() == null ? "" : " on " + s.node();
    if (s.target() != null) where += " to " + s.target();
    return where + (s.token() > 0 ? ", token " + s.token() : "");
  }

  /** The shape every status of a state must have, whatever the transition that made it. */
  private static void checkShape(String id, ServiceStatus s) {
    switch (s.state()) {
      case STARTED, REQUEST_STOP, FENCE, RECOVERY, FREEZE -> Check.that(s.node() != null && s.token() > 0,
          "%s: %s without a node or token", id, s.state().label());
      case MIGRATE, RELOCATE -> Check.that(s.node() != null && s.target() != null && s.token() > 0,
          "%s: %s without a node, target or token", id, s.state().label());
      case REQUEST_START, STOPPED, DISABLED, ERROR, IGNORED -> { }
    }
    Check.that(s.failedStarts() >= 0, "%s: negative start failures", id);
  }

  /** Invariant 2 over a whole state: every token it holds was issued, so the next one is greater than all. */
  private void checkTokens() {
    for (var e : services.entrySet()) {
      Check.invariant(2, e.getValue().token() < nextToken, "%s: token %s not below the next token %s", e.getKey(),
          e.getValue().token(), nextToken);
    }
    for (FenceTask t : fencing.values()) {
      Check.invariant(2, t.attempt() < nextToken, "fence order %s not below the next token %s", t, nextToken);
    }
    Check.invariant(2, spm == null || spm.token() < nextToken, "spm token %s not below the next token %s", spm,
        nextToken);
    for (var e : disks.entrySet()) {
      ServiceStatus holder = services.get(e.getValue().resource());
      Check.invariant(2, holder != null && holder.token() == e.getValue().token(), "disk %s: %s while its resource "
          + "is %s", e.getKey(), DiskLease.describe(e.getValue()), holder);
    }
  }

  ManagerState build(long epoch) {
    checkTokens();
    Disarm.checkFrozen(ha, services, null, null); // no write says released-for-freeze with a resource unfrozen
    for (SoftFenceOrder o : softFences.values()) {
      Check.invariant(2, o.attempt() < nextToken, "soft fence order %s not below the next token %s", o, nextToken);
    }
    return new ManagerState(epoch, nextToken, commandSeq, nodes, services, fencing, spm, maintenance, softFences,
        deviceCheck, ha, disks);
  }
}
