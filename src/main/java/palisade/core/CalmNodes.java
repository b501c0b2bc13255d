package palisade.core;

import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which nodes a manager round steps (issue 14): those whose step may act, not every configured node.
 *
 * <p>A node is calm when its status is online, no fence or soft-fence order of it stands, the operator has not asked
 * to fence it, and its record is present, unfenced and active, renewed less than {@code unknownAfterMs} ago on this
 * manager's clock. A calm node's steps do nothing: the node machine moves an online node only on a fenced, down or
 * shutting-down record, a silence of at least {@code unknownAfterMs} (which is at most L, so at most its fence bound)
 * or an operator's command; power and soft fencing act only on a node with an order, or one unknown, fencing or
 * fenced; its fence write is due only in fencing. Nothing another node's step does moves it (each node's status and
 * orders change only in its own step, apart from power saving, which runs after and never to fencing). So leaving
 * calm nodes out changes no decision and no event, in any order.
 *
 * <p>The status and order parts depend on the state only: found once per state object (the working copy equals it
 * when nothing changed it before the node steps). The record and silence parts are checked every round in one walk
 * of the records and timers side by side, without a lookup per node: a renewal only moves the deadline later. The
 * store view tells no list of changed records, so that walk is the one per-node cost left in a steady round.
 */
final class CalmNodes {
  /** Step every node every round (tests replay histories both ways and compare the event logs). */
  private final boolean stepAll;
  /** The state and configuration the restless nodes were found in (null: find them again). */
  private ManagerState of;
  private ClusterConfig ofConfig;
  /** Nodes the state leaves not calm: not online, or with an order standing. */
  private final TreeSet<String> restless = new TreeSet<>();
  /** The nodes heard from as last found: never changed, replaced when it differs. */
  private SortedSet<String> heard = Collections.emptySortedSet();

  CalmNodes(boolean stepAll) {
    this.stepAll = stepAll;
  }

  /**
   * The nodes this round steps, in configuration order. Called just before the node steps: w still equals state
   * unless something changed it (w.marks()), and then every node is stepped, as is every node while the operator's
   * fence ask stands.
   */
  Collection<String> due(ClusterConfig config, ManagerState state, Working w, SortedMap<String, NodeRecord> records,
      SortedMap<String, NodeTimer> timers, Map<String, Long> asked, Timing timing, long nowMs) {
    Check.that(timers.size() == config.nodes().size(), "timers of %s nodes, %s configured", timers.size(),
        config.nodes().size());
    if (stepAll || w.marks() != 0 || !asked.isEmpty() || config.nodes().comparator() != null) {
      of = null;
      return config.nodes().keySet();
    }
    if (of != state || ofConfig != config) {
      restless.clear();
      for (String n : config.nodes().keySet()) {
        NodeStatus st = w.nodes.get(n);
        if (st == null || st.state() != NodeState.ONLINE || w.fencing.containsKey(n) || w.softFences.containsKey(n)) {
          restless.add(n);
        }
      }
      of = state;
      ofConfig = config;
    }
    TreeSet<String> due = new TreeSet<>(restless);
    Iterator<Map.Entry<String, NodeRecord>> ri = records.entrySet().iterator();
    Map.Entry<String, NodeRecord> re = ri.hasNext() ? ri.next() : null;
    long unknownAfterMs = timing.unknownAfterMs();
    for (Map.Entry<String, NodeTimer> te : timers.entrySet()) {
      String n = te.getKey();
      NodeRecord rec = null;
      if (re != null && re.getKey().equals(n)) {
        rec = re.getValue();
        re = ri.hasNext() ? ri.next() : null;
      }
      if (rec == null || rec.fenced() || rec.mode() != AgentMode.ACTIVE
          || te.getValue().silentMs(nowMs) >= unknownAfterMs) {
        due.add(n);
      }
    }
    Check.that(re == null, "record of %s, a node without a timer", re == null ? null : re.getKey());
    return due;
  }

  /**
   * The nodes this manager heard renewing within the unknown threshold, in name order. While none joins or leaves
   * it, the same (never changed) set object as last round: a round's inputs are then compared with the last one's
   * by identity, and the set is found in one walk of the timers without building it again.
   */
  Set<String> heard(SortedMap<String, NodeTimer> timers, Timing timing, long nowMs) {
    long unknownAfterMs = timing.unknownAfterMs();
    Iterator<String> before = heard.iterator();
    boolean same = true;
    int count = 0;
    for (Map.Entry<String, NodeTimer> e : timers.entrySet()) {
      if (e.getValue().heard() && e.getValue().silentMs(nowMs) < unknownAfterMs) {
        count++;
        same = same && before.hasNext() && before.next().equals(e.getKey());
      }
    }
    if (same && count == heard.size()) return heard;
    TreeSet<String> now = new TreeSet<>();
    for (Map.Entry<String, NodeTimer> e : timers.entrySet()) {
      if (e.getValue().heard() && e.getValue().silentMs(nowMs) < unknownAfterMs) now.add(e.getKey());
    }
    heard = Collections.unmodifiableSortedSet(now);
    return heard;
  }

  /** Forget the state's nodes (the manager stepped down or took over). */
  void reset() {
    of = null;
    ofConfig = null;
    restless.clear();
    heard = Collections.emptySortedSet();
  }
}
