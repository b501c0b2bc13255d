package palisade.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Power saving ({@link PowerSavingConfig}; oVirt's power-saving policy, vSphere DPM), one step per manager round,
 * after every other decision of the round (nothing placed after it in the same write).
 *
 * <p>Down. When the load of the powered-on capacity ({@link PowerSavingLoad}) stays below {@code low} from one round
 * to a round at least {@code hold} later (the manager's own time, as {@link AutoRebalance}), more than {@code
 * min_nodes} nodes are online, no node is unknown or fencing and no power saving order stands, the manager empties
 * the least loaded candidate (ties: the highest name): a usable node with power fence devices that is not the
 * manager's own node, not the SPM holder, not in the operator's maintenance, without fence or soft-fence orders,
 * holding nothing but confirmed running resources, each of which (with its positive-affinity partners) may go to
 * another usable node at no lower priority (invariant 7: its group or node rule, negative rules, nodes it failed
 * on), and whose going leaves the load below {@code high}. One resource (set) moves at a time, and only while
 * neither that node nor the target has a move in flight. Once nothing occupies it, it goes {@code online ->
 * standby} (it runs nothing and takes nothing: placement only uses online nodes) and a proxy powers it off through
 * its fence devices, in the fence history as {@value FenceEntry#SAVING_OFF}. Then the hold starts over: one node
 * per hold.
 *
 * <p>Up. When the load rises above {@code high}, fewer than {@code min_nodes} nodes are online, or power saving is
 * switched off, or a resource waits in recovery (no online node it may use: a strict rule's node may be the one in
 * standby), the lowest-named standby node whose last power on did not fail is powered on through the same
 * devices ({@value FenceEntry#SAVING_ON}), one at a time; the order stands until the node's agent writes its record
 * again (a version newer than the one the order names: a write of the booted agent), then it goes {@code standby ->
 * online} and placement uses it. A power off that failed at every level puts the node back online at once (it may
 * still run: the usual lease rules take it from there). A standby node's silence is expected: it never leads to
 * unknown or fencing ({@link NodeMachine}).
 */
final class PowerSaving {
  private static final long NEVER = Long.MIN_VALUE;
  private static final String TAG = "power saving: ";

  /** Manager memory: since when the load has been below low, or NEVER; the last refusal logged (once per change). */
  private long belowSinceMs = NEVER;
  private String lastRefusal;
  /** The node being emptied, or null: automatic rebalancing pauses meanwhile, or it would move work back onto it. */
  private String emptying;

  void reset() {
    belowSinceMs = NEVER;
    lastRefusal = null;
    emptying = null;
  }

  /** Is a node being emptied (as of the last round)? */
  boolean emptying() {
    return emptying != null;
  }

  /** One round's inputs. */
  record Round(Timing timing, ClusterConfig config, Working w, SortedMap<String, NodeRecord> records,
      SortedMap<String, NodeTimer> timers, Placement placement, ServiceMachine services,
      SortedMap<String, Capacity> measured, FenceHistory history, String manager, long nowMs) {}

  /** A configured node in standby: only a node with a status can be (a node without one reads as unknown). */
  private static boolean anyStandby(Round r) {
    for (var e : r.w().nodes.entrySet()) {
      if (e.getValue().state() == NodeState.STANDBY && r.config().nodes().containsKey(e.getKey())) return true;
    }
    return false;
  }

  void step(Round r) {
    Working w = r.w();
    // With no node in standby (and power saving off, nothing orders one) there is nothing to check or do: such a
    // round walks no resource. The walks below read the same statuses they did before that early return.
    if (anyStandby(r)) {
      for (var e : w.services.entrySet()) {
        for (String n : occupied(e.getValue())) {
          Check.that(w.nodeState(n) != NodeState.STANDBY, "%s: %s occupies standby node %s", e.getKey(),
              e.getValue(), n);
        }
      }
    }
    boolean ordered = PowerSavingOrders.follow(r);
    PowerSavingConfig opt = r.config().placement().powerSaving();
    if (!opt.on() && !anyStandby(r)) { // the common case, told without a lookup per node (issue 14)
      reset();
      return;
    }
    List<String> standby = new ArrayList<>();
    int online = 0;
    boolean failing = false;
    for (String n : r.config().nodes().keySet()) {
      NodeState s = w.nodeState(n);
      if (s == NodeState.STANDBY) standby.add(n);
      if (s == NodeState.ONLINE) online++;
      if (s == NodeState.UNKNOWN || s == NodeState.FENCING) failing = true;
    }
    if (standby.isEmpty() && !opt.on()) {
      reset();
      return;
    }
    String waits = null; // a resource still in recovery after this round's placement: no node it may use is online
    for (var e : w.services.entrySet()) {
      if (waits == null && e.getValue().state() == ServiceState.RECOVERY) waits = e.getKey();
    }
    if (!ordered) ordered = PowerSavingOrders.resume(r, standby);
    PowerSavingLoad load = new PowerSavingLoad(r.config(), w, r.placement(), r.measured());
    String wake = !opt.on() ? "power_saving is off"
        : online < opt.minNodes() ? online + " node(s) online, fewer than power_saving_min_nodes " + opt.minNodes()
        : waits != null ? waits + " waits in recovery for a node it may use"
        : load.known() && load.load() > opt.high() ? String.format(Locale.ROOT, "load %.2f above power_saving_high "
            + "%.2f", load.load(), opt.high()) : null;
    if (wake != null) {
      belowSinceMs = NEVER;
      emptying = null;
      if (!ordered) PowerSavingOrders.wake(r, standby, wake);
      return;
    }
    if (ordered || failing || online <= opt.minNodes() || !load.known() || !(load.load() < opt.low())) {
      belowSinceMs = NEVER;
      emptying = null;
      return;
    }
    if (belowSinceMs == NEVER) belowSinceMs = r.nowMs();
    if (r.nowMs() - belowSinceMs < opt.holdMs()) return;
    empty(r, load, opt);
  }

  /** The hold is over: one step of emptying the best candidate, or the reason none can be, logged once. */
  private void empty(Round r, PowerSavingLoad load, PowerSavingConfig opt) {
    List<String> byLoad = new ArrayList<>(load.nodes());
    byLoad.sort((a, b) -> {
      int c = Double.compare(load.nodeLoad(a), load.nodeLoad(b));
      return c != 0 ? c : b.compareTo(a); // ties: the highest name
    });
    List<String> why = new ArrayList<>();
    for (String n : byLoad) {
      String refused = refusal(r, load, opt, n);
      if (refused == null) {
        lastRefusal = null;
        emptying = n;
        if (drain(r, load, n, opt)) {
          belowSinceMs = r.nowMs(); // one node per hold
          emptying = null;
        }
        return;
      }
      why.add(n + ": " + refused);
    }
    emptying = null;
    String text = TAG + "no node can be emptied (" + String.join("; ", why) + ")";
    if (!text.equals(lastRefusal)) r.w().event(text);
    lastRefusal = text;
  }

  /** Why node cannot be emptied and put in standby now, or null. */
  private static String refusal(Round r, PowerSavingLoad load, PowerSavingConfig opt, String n) {
    Working w = r.w();
    if (n.equals(r.manager())) return "the manager's node";
    if (w.spm() != null && n.equals(w.spm().node())) return "holds the SPM role";
    if (r.config().nodes().get(n).fenceLevels().isEmpty()) return "no fence device to power it off";
    if (w.operatorMaintenance(n)) return "in maintenance";
    if (w.fencing.containsKey(n) || w.softFences.containsKey(n)) return "a fence order stands";
    if (!(load.loadWithout(n) < opt.high())) {
      return String.format(Locale.ROOT, "the load would be %.2f without it, not below power_saving_high %.2f",
          load.loadWithout(n), opt.high());
    }
    for (var e : w.services.entrySet()) {
      ServiceStatus ss = e.getValue();
      if (!occupied(ss).contains(n) || ss.state() == ServiceState.MIGRATE || ss.state() == ServiceState.RELOCATE) {
        continue; // a move in flight: drained once it lands
      }
      if (ss.state() != ServiceState.STARTED) return e.getKey() + " is " + ss.state().name().toLowerCase(Locale.ROOT);
      List<String> set = set(r, e.getKey());
      if (set != null && target(r, load, set, n, new TreeSet<>()) == null) {
        return e.getKey() + " has no other node it may use at its priority"
            + (r.placement().partners(e.getKey()).isEmpty() ? "" : " with " + String.join(", ",
                r.placement().partners(e.getKey())))
            + rulesOf(r, e.getKey());
      }
    }
    return null;
  }

  /** The rule names that constrain id, for the refusal's event. */
  private static String rulesOf(Round r, String id) {
    List<String> names = new ArrayList<>();
    for (Rule rule : r.config().placement().rules().values()) {
      if (rule.resources().contains(id)) names.add(rule.name());
    }
    ResourceConfig rc = r.config().resources().get(id);
    if (rc != null && rc.group() != null) names.add("group " + rc.group());
    return names.isEmpty() ? "" : " (" + String.join(", ", names) + ")";
  }

  /**
   * One step of emptying n: a move of one resource set off it (when no move is in flight to or from it), or, once
   * nothing occupies it, standby and the power-off order. Whether it went to standby.
   */
  private static boolean drain(Round r, PowerSavingLoad load, String n, PowerSavingConfig opt) {
    Working w = r.w();
    TreeSet<String> busy = new TreeSet<>();
    boolean occupied = false;
    for (ServiceStatus ss : w.services.values()) {
      if (ss.state() == ServiceState.MIGRATE || ss.state() == ServiceState.RELOCATE) {
        busy.add(ss.node());
        busy.add(ss.target());
      }
      occupied |= occupied(ss).contains(n);
    }
    String why = String.format(Locale.ROOT, "load %.2f below power_saving_low %.2f for %s", load.load(), opt.low(),
        Durations.format(opt.holdMs()));
    if (!occupied) {
      PowerSavingOrders.standby(r, n, why);
      return true;
    }
    if (busy.contains(n)) return false;
    for (var e : w.services.entrySet()) {
      if (!n.equals(e.getValue().node()) || e.getValue().state() != ServiceState.STARTED) continue;
      List<String> set = set(r, e.getKey());
      if (set == null) continue; // not confirmed running yet, or led by a partner
      String to = target(r, load, set, n, busy);
      if (to == null) continue;
      for (String m : set) {
        r.services().rebalance(m, to, TAG + "emptying " + n + " (" + why + ")"
            + (m.equals(set.get(0)) ? "" : ", with " + set.get(0)));
      }
      return false;
    }
    return false;
  }

  /** The set id leads (id, then its positive partners, all confirmed running with it), or null. */
  private static List<String> set(Round r, String id) {
    ServiceStatus ss = r.w().services.get(id);
    if (!AutoRebalance.running(r.config(), r.records(), r.placement(), id, ss)) return null;
    List<String> members = new ArrayList<>(List.of(id));
    for (String p : r.placement().partners(id)) {
      if (p.compareTo(id) < 0) return null; // the lowest id leads the set
      ServiceStatus ps = r.w().services.get(p);
      if (ps == null || !AutoRebalance.running(r.config(), r.records(), r.placement(), p, ps)
          || !ps.node().equals(ss.node())) {
        return null;
      }
      members.add(p);
    }
    return members;
  }

  /**
   * Where the set goes off source: a usable node, not excluded, that every member may use (invariant 7) at no
   * lower priority than source (so failback does not bring it back), not one it failed on; the highest priority,
   * then the least loaded, then the lowest name. Null if none.
   */
  private static String target(Round r, PowerSavingLoad load, List<String> set, String source, TreeSet<String> busy) {
    String best = null;
    int bestPriority = Integer.MIN_VALUE;
    double bestLoad = Double.MAX_VALUE;
    for (String t : load.nodes()) {
      if (t.equals(source) || busy.contains(t)) continue;
      int priority = Integer.MAX_VALUE;
      for (String m : set) {
        ResourceConfig rc = r.config().resources().get(m);
        Integer to = r.placement().priority(rc, t);
        Integer from = r.placement().priority(rc, source);
        if (r.w().services.get(m).triedNodes().contains(t) || to == null || (from != null && to < from)
            || r.placement().refusedOn(rc, t) != null) {
          priority = Integer.MIN_VALUE;
          break;
        }
        priority = Math.min(priority, to);
      }
      if (priority == Integer.MIN_VALUE) continue;
      double l = load.nodeLoad(t);
      if (priority > bestPriority || (priority == bestPriority && l < bestLoad)) {
        best = t;
        bestPriority = priority;
        bestLoad = l;
      }
    }
    return best;
  }

  /** The nodes a status holds its resource on: running there, or moving from or to it. */
  static List<String> occupied(ServiceStatus ss) {
    List<String> held = new ArrayList<>(2);
    switch (ss.state()) {
      case STARTED, FREEZE, REQUEST_STOP, ERROR -> held.add(ss.node());
      case MIGRATE, RELOCATE, FENCE -> {
        held.add(ss.node());
        held.add(ss.target());
      }
      case RECOVERY -> held.add(ss.target());
      case REQUEST_START, STOPPED, DISABLED, IGNORED -> { }
    }
    held.removeIf(java.util.Objects::isNull);
    return held;
  }
}
