package palisade.web;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;

/**
 * The fence timeline behind {@code /api/failovers}: per node failure as this daemon's view saw the manager's
 * decisions (wall-clock ms at the tick that showed each): the node leaving online, the fence decision (fencing),
 * the confirmation (its kind and who), fenced, each resource that was on it running again elsewhere, and the node
 * back online. The device actions come from the fence history when asked. The last renewal is inferred: the manager
 * calls a node silent when it has not renewed for the lease timeout L, so it renewed last L before that. Kept in
 * memory for the last {@link #KEEP} failures (a restarted daemon starts empty); the finished ones are stored in the
 * cluster's store by the manager's daemon ({@link FailoverRecorder}), and {@link #merge} shows both.
 */
final class Timeline {
  static final int KEEP = 10;
  /** The most failures {@code /api/failovers} shows (as many as the store keeps). */
  static final int SHOWN_MAX = 50;

  /** One failure: its steps in order and the resources still waiting to run elsewhere. */
  static final class Incident {
    final String node;
    final long silentMs;
    final List<Map<String, Object>> steps = new ArrayList<>();
    final Map<String, Long> resourcesRunning = new TreeMap<>();
    final Map<String, String> pending = new TreeMap<>();
    long endMs;
    String outcome = "open";
    /** The store holds this failure (written by this daemon or found there): not offered again. */
    boolean stored;

    Incident(String node, long silentMs) {
      this.node = node;
      this.silentMs = silentMs;
    }

    void step(String kind, String what, long ms) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("kind", kind);
      s.put("what", what);
      s.put("t", ms);
      steps.add(s);
    }
  }

  private final Deque<Incident> incidents = new ArrayDeque<>();
  private final Map<String, Incident> open = new TreeMap<>();
  private ManagerState previous;

  /** Fed with each tick's state (only a changed record costs a pass over nodes and resources). */
  synchronized void update(ManagerState ms, long nowMs) {
    if (ms == null || ms == previous) return;
    ManagerState before = previous;
    previous = ms;
    if (before == null) return;
    for (var e : ms.nodes().entrySet()) {
      NodeStatus was = before.nodes().get(e.getKey());
      node(e.getKey(), was, e.getValue(), before, nowMs);
    }
    for (var it = open.values().iterator(); it.hasNext(); ) {
      Incident i = it.next();
      for (var p = i.pending.entrySet().iterator(); p.hasNext(); ) {
        var r = p.next();
        ServiceStatus s = ms.services().get(r.getKey());
        if (s == null) {
          p.remove();
        } else if (s.state() == ServiceState.STARTED && s.node() != null && !s.node().equals(i.node)) {
          i.step("running", r.getKey() + " running on " + s.node(), nowMs);
          i.resourcesRunning.put(r.getKey(), nowMs);
          p.remove();
        }
      }
      if (i.pending.isEmpty() && i.steps.stream().anyMatch(s -> s.get("kind").equals("fenced")
          || s.get("kind").equals("confirmed"))) {
        i.outcome = "recovered";
        i.endMs = nowMs;
        it.remove();
      }
    }
  }

  private void node(String name, NodeStatus was, NodeStatus now, ManagerState before, long nowMs) {
    NodeState a = was == null ? null : was.state();
    NodeState b = now.state();
    Incident i = open.get(name);
    if (a == NodeState.ONLINE && (b == NodeState.UNKNOWN || b == NodeState.FENCING)) {
      i = new Incident(name, nowMs);
      open.put(name, i);
      incidents.addLast(i);
      while (incidents.size() > KEEP) incidents.removeFirst();
      i.step("silent", name + ": online -> " + Metrics.label(b.name()), nowMs);
      for (var s : before.services().entrySet()) {
        if (name.equals(s.getValue().node())) i.pending.put(s.getKey(), name);
      }
    }
    if (i == null) return;
    if (b == NodeState.FENCING && a != NodeState.FENCING) i.step("decision", "fence decision: " + name
        + " fencing", nowMs);
    if (now.confirmation() != null && (was == null || was.confirmation() == null)) {
      i.step("confirmed", "confirmed off: " + Metrics.label(now.confirmation().kind().name()) + " by "
          + now.confirmation().by(), nowMs);
    }
    if (b == NodeState.FENCED && a != NodeState.FENCED) i.step("fenced", name + ": fenced", nowMs);
    if (b == NodeState.ONLINE && a != NodeState.ONLINE) {
      i.step("online", name + ": online again", nowMs);
      if (i.pending.isEmpty() || !i.resourcesRunning.isEmpty()) i.outcome = "recovered";
      else i.outcome = "back online";
      i.pending.clear();
      i.endMs = nowMs;
      open.remove(name);
    }
  }

  /** This daemon's failures as {@code /api/failovers} shows them (without the stored ones). */
  Map<String, Object> json(FenceHistory history, long leaseMs) {
    return Map.of("failovers", own(history, leaseMs));
  }

  /** The failures this daemon saw, newest first, with the fence history's device actions and each step's offset. */
  synchronized List<Map<String, Object>> own(FenceHistory history, long leaseMs) {
    List<Incident> newestFirst = new ArrayList<>(incidents);
    java.util.Collections.reverse(newestFirst);
    return render(newestFirst, history, leaseMs);
  }

  /** The finished failures not stored yet, oldest first, as {@link #own} shows them. */
  synchronized List<Map<String, Object>> unstored(FenceHistory history, long leaseMs) {
    return render(incidents.stream().filter(i -> !i.stored && !i.outcome.equals("open")).toList(), history,
        leaseMs);
  }

  /** The store holds the failure of node seen silent at silentMs: it is not offered again. */
  synchronized void stored(String node, long silentMs) {
    for (Incident i : incidents) {
      if (i.node.equals(node) && i.silentMs == silentMs) i.stored = true;
    }
  }

  /**
   * What {@code /api/failovers} shows: the stored failures and this daemon's own (open, or finished and maybe not
   * stored yet), newest first, at most {@link #SHOWN_MAX}. Two are one failure when they are of the same node and
   * their spans (silent to end; an open one has no end) overlap: each daemon saw it at slightly different times, and
   * one node's failures follow each other. The stored one is shown then, the same on every node.
   */
  static List<Map<String, Object>> merge(List<Map<String, Object>> stored, List<Map<String, Object>> own) {
    List<Map<String, Object>> out = new ArrayList<>(stored);
    for (Map<String, Object> o : own) {
      if (stored.stream().noneMatch(s -> same(s, o))) out.add(o);
    }
    out.sort(java.util.Comparator.<Map<String, Object>>comparingLong(f -> millis(f.get("silent_ms"))).reversed()
        .thenComparing(f -> String.valueOf(f.get("node"))));
    return out.size() > SHOWN_MAX ? new ArrayList<>(out.subList(0, SHOWN_MAX)) : out;
  }

  /** Whether two failovers are views of one failure: the same node, overlapping spans. */
  static boolean same(Map<String, Object> a, Map<String, Object> b) {
    if (!String.valueOf(a.get("node")).equals(String.valueOf(b.get("node")))) return false;
    return millis(a.get("silent_ms")) <= end(b) && millis(b.get("silent_ms")) <= end(a);
  }

  private static long end(Map<String, Object> f) {
    return f.get("end_ms") instanceof Number n ? n.longValue() : Long.MAX_VALUE;
  }

  private static long millis(Object v) {
    return v instanceof Number n ? n.longValue() : -1;
  }

  private static List<Map<String, Object>> render(List<Incident> incidents, FenceHistory history, long leaseMs) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Incident i : incidents) {
      long renewed = i.silentMs - leaseMs;
      List<Map<String, Object>> steps = new ArrayList<>();
      Map<String, Object> first = new LinkedHashMap<>();
      first.put("kind", "renewal");
      first.put("what", "last renewal (the lease timeout before the manager saw " + i.node + " silent)");
      first.put("t", renewed);
      steps.add(first);
      for (Map<String, Object> s : i.steps) steps.add(new LinkedHashMap<>(s)); // copies: rendered on two threads
      for (FenceEntry e : history == null ? List.<FenceEntry>of() : history.entries()) {
        if (!e.target().equals(i.node) || e.startedMs() < renewed || (i.endMs > 0 && e.startedMs() > i.endMs)
            || e.action().equals(FenceEntry.CHECK)) { // a periodic device check is no step of the failure
          continue;
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kind", "device");
        s.put("what", (e.device() == null ? "" : e.device() + " ") + e.action() + ": " + e.result() + " (by "
            + e.executor() + ")");
        s.put("t", e.startedMs());
        s.put("duration_ms", e.endedMs() > 0 ? e.endedMs() - e.startedMs() : null);
        steps.add(s);
      }
      steps.sort((x, y) -> Long.compare((Long) x.get("t"), (Long) y.get("t")));
      for (Map<String, Object> s : steps) s.put("offset_ms", (Long) s.get("t") - renewed);
      long lastRunning = i.resourcesRunning.values().stream().mapToLong(Long::longValue).max().orElse(-1);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("node", i.node);
      m.put("outcome", i.outcome);
      m.put("last_renewal_ms", renewed);
      m.put("silent_ms", i.silentMs);
      m.put("end_ms", i.endMs > 0 ? i.endMs : null);
      m.put("total_seconds", lastRunning > 0 ? (lastRunning - renewed) / 1000.0 : null);
      m.put("waiting", new ArrayList<>(i.pending.keySet()));
      m.put("steps", steps);
      out.add(m);
    }
    return out;
  }
}
