package palisade.core;

import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The part of the manager's round that steps resources, made to cost what changed rather than what exists.
 *
 * <p>Three savings, all exact (the event log and every write stay what stepping every resource gives):
 * <ul>
 *   <li>The working copy's statuses are one map kept across rounds and changed in place, instead of a copy of every
 *       status per round. It is the state's statuses while {@link #settled} named the state the manager holds;
 *       anything else (a takeover, a refused write, a reload, a round that threw) builds it again, and every
 *       resource is stepped that round as before.
 *   <li>A quiet round skips stepping. Stepping resources is a function of the configuration, the working copy as
 *       it stands when stepping begins, the node records (everything but the renewal counter), the nodes heard
 *       from, the measured usage and reported capacities, and the rule index's record of waits already told. If
 *       the last round that stepped (or skipped) saw the same inputs, changed nothing and told nothing before and
 *       while stepping, then stepping again changes and tells nothing: the function gives the same answer. The
 *       rule index's memory only changes with a told event, or idempotently (a wait no longer waiting is
 *       forgotten, which forgetting again leaves the same). Time is not an input: a resource step reads no clock.
 *   <li>Otherwise only resources that may change are stepped ({@link QuietResources}): a resource whose last step
 *       changed and told nothing, and whose step reads nothing but its own configuration and status and its node's
 *       state and record, is left out while none of these changed. Its step would read the same and do nothing
 *       again, and no other resource's step changes what it reads, so leaving it out changes nothing, in any order.
 * </ul>
 */
final class ResourcePhase {
  /** What resource steps read, beside the configuration and the working copy. */
  record Inputs(ClusterConfig config, ManagerState state, Set<String> heard, SortedMap<String, NodeRecord> records,
      SortedMap<String, Capacity> measured, SortedMap<String, Capacity> reported, RuleIndex rules) {}

  /** Step every resource every round (tests compare the event logs both ways). */
  private final boolean stepAll;
  private TreeMap<String, ServiceStatus> services;
  /** The state {@link #services} equals, or null: build it again. */
  private ManagerState servicesOf;
  /** The inputs of the last round that stepped nothing into a change or an event, or null. */
  private Inputs quiet;
  private final QuietResources resources = new QuietResources();
  /** How many statuses one round's steps may change; the steps beyond it wait for the next round. */
  private StatusBudget budget = new StatusBudget(StatusBudget.DEFAULT);
  /** Placement's load counts of {@link #services}. */
  private LoadCounts counts;
  private long stepped;
  private long skipped;

  ResourcePhase(boolean stepAll) {
    this.stepAll = stepAll;
  }

  /** This round's working copy of state. */
  Working working(ManagerState state, EventLog log, Set<String> stormAlerted) {
    if (servicesOf != state || stepAll) {
      services = new TreeMap<>(state.services());
      counts = LoadCounts.of(services);
      resources.forget(); // statuses not known to follow from the last round's: step everything once
    }
    servicesOf = null; // until the round settles: a round that throws leaves the map unknown
    Working w = new Working(state, log, stormAlerted, services);
    w.budget(budget); // a disarm's freeze changes statuses outside stepping, under the same budget
    return w;
  }

  /** The round ended: its statuses are those of next (null: it changed nothing, so those of state). */
  void settled(ManagerState state, ManagerState next, Working w) {
    resources.changed(w.touched().keySet()); // changes after stepping (rebalancing, power saving) step next round
    counts.apply(w);
    servicesOf = next != null ? next : state;
  }

  /** Steps the resources that may change, in recovery order (see the class comment). */
  void step(Working w, ServiceMachine machine, Inputs in) {
    boolean calm = w.marks() == 0;
    if (calm && quiet != null && same(quiet, in) && !stepAll) {
      skipped++;
      return;
    }
    stepped++;
    resources.step(w, machine, in, budget);
    // A round that filled its write is never quiet: resources it left unstepped are pending, whatever the inputs.
    quiet = calm && w.marks() == 0 && !budget.full() ? in : null;
  }

  void budget(StatusBudget b) {
    budget = b;
  }

  /** Placement's load counts as this round began. */
  LoadCounts loadCounts() {
    return stepAll ? null : counts; // stepping all: placement counts every status, as it always did
  }

  /** Rounds that stepped resources, and rounds that skipped it (for tests and the bench). */
  long stepped() {
    return stepped;
  }

  long skipped() {
    return skipped;
  }

  /** Resources the last stepping round stepped. */
  int lastStepped() {
    return resources.lastStepped();
  }

  /** Forget everything (the manager stepped down). */
  void reset() {
    quiet = null;
    servicesOf = null;
    services = null;
    counts = null;
    resources.forget();
  }

  private static boolean same(Inputs a, Inputs b) {
    return a.config() == b.config() && a.state() == b.state() && a.heard().equals(b.heard())
        && same(a.measured(), b.measured()) && same(a.reported(), b.reported()) && sameRecords(a.records(),
        b.records());
  }

  private static <V> boolean same(SortedMap<String, V> a, SortedMap<String, V> b) {
    return a == b || a.equals(b);
  }

  private static boolean sameRecords(SortedMap<String, NodeRecord> a, SortedMap<String, NodeRecord> b) {
    if (a.size() != b.size()) return false;
    Iterator<Map.Entry<String, NodeRecord>> ia = a.entrySet().iterator();
    for (var eb : b.entrySet()) {
      var ea = ia.next();
      if (!ea.getKey().equals(eb.getKey()) || !sameButCounter(ea.getValue(), eb.getValue())) return false;
    }
    return true;
  }

  /** Equal in everything but the renewal counter, which no resource step reads. */
  static boolean sameButCounter(NodeRecord a, NodeRecord b) {
    return a == b || a.generation() == b.generation() && a.fenced() == b.fenced() && a.mode() == b.mode()
        && a.armed() == b.armed() && a.inTime() == b.inTime() && a.spmReleased() == b.spmReleased()
        && a.holdMs() == b.holdMs() && a.released() == b.released() && a.node().equals(b.node())
        && Objects.equals(a.watchdog(), b.watchdog()) && Objects.equals(a.timing(), b.timing())
        && sameResults(a.results(), b.results());
  }

  /** Both sorted by id: one walk in step, values compared by equality. */
  private static boolean sameResults(SortedMap<String, ResourceResult> a, SortedMap<String, ResourceResult> b) {
    if (a == b) return true;
    if (a.size() != b.size()) return false;
    Iterator<Map.Entry<String, ResourceResult>> ia = a.entrySet().iterator();
    for (var eb : b.entrySet()) {
      var ea = ia.next();
      if (!ea.getKey().equals(eb.getKey()) || !ea.getValue().equals(eb.getValue())) return false;
    }
    return true;
  }
}
