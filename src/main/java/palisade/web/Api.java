package palisade.web;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeStatus;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;
import palisade.runtime.daemon.Telemetry;
import palisade.runtime.store.Admin;
import palisade.runtime.store.NotifySettings;

/**
 * The read API's JSON bodies, built from one tick's immutable snapshot of the node's store view (a daemon answers
 * what it sees; a node whose view is not synced answers 503). Field names are snake_case; no field carries a
 * resource command, a fence option or a password. Public because the command line's {@code -o json} prints the same
 * bodies (built here, so the two cannot drift).
 */
public final class Api {
  private Api() {}

  /** The node's store view is not synced: 503, ask another node. */
  static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String why) {
      super(why, null, false, false);
    }
  }

  /** Bad input: 400, naming the parameter. */
  static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String why) {
      super(why, null, false, false);
    }
  }

  /** A parameter as echoed in an error: at most 40 characters. */
  static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  public static Map<String, Object> events(List<Admin.Event> events) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Admin.Event e : events) out.add(event(e));
    return Map.of("events", out);
  }

  public static Map<String, Object> event(Admin.Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("t", e.t());
    m.put("node", e.node());
    m.put("source", e.source());
    m.put("message", e.message());
    return m;
  }

  public static Map<String, Object> cluster(String cluster, String node, Telemetry.Tick t) {
    ManagerState ms = t.state();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cluster", cluster);
    m.put("answered_by", node);
    m.put("manager_epoch", ms.epoch());
    m.put("nodes", ms.nodes().size());
    m.put("resources", ms.services().size());
    Map<String, Object> spm = null;
    if (ms.spm() != null) {
      spm = new LinkedHashMap<>();
      spm.put("node", ms.spm().node());
      spm.put("token", ms.spm().token());
      spm.put("releasing", ms.spm().releasing());
      spm.put("move_to", ms.spm().moveTo());
      spm.put("since_utc", Inventory.utc(ms.spm().sinceMs()));
    }
    m.put("spm", spm);
    return m;
  }

  /** The nodes; {@code leaseAges}: seconds since each node's record was written, as the store says (may miss some). */
  public static Map<String, Object> nodes(Telemetry.Tick t, Map<String, Double> leaseAges) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map.Entry<String, NodeStatus> e : t.state().nodes().entrySet()) {
      NodeStatus s = e.getValue();
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("name", e.getKey());
      n.put("state", Metrics.label(s.state().name()));
      n.put("generation", s.generation());
      n.put("lease_age_seconds", leaseAges.get(e.getKey()));
      Map<String, Object> c = null;
      if (s.confirmation() != null) {
        c = new LinkedHashMap<>();
        c.put("kind", Metrics.label(s.confirmation().kind().name()));
        c.put("by", s.confirmation().by());
        c.put("generation", s.confirmation().generation());
      }
      n.put("fence_confirmation", c);
      out.add(n);
    }
    return Map.of("nodes", out);
  }

  /**
   * Seconds (to the millisecond) since each node's record was last written (its last renewal, or the manager's fence
   * write), as the store says: the {@code leaseAges} of {@link #nodes}. A node without a record is left out, and every
   * node when the store does not answer: the rest of an answer stands without them.
   */
  public static Map<String, Double> leaseAges(Admin store, Collection<String> nodes, long nowMs) {
    Map<String, Double> out = new TreeMap<>();
    try {
      for (String n : new TreeSet<>(nodes)) {
        long mtime = store.modifiedAtMs(StorePaths.node(n));
        if (mtime >= 0) out.put(n, Math.max(0, nowMs - mtime) / 1000.0);
      }
    } catch (Exception e) {
      return new TreeMap<>(); // the store did not answer: no ages rather than some
    }
    return out;
  }

  public static Map<String, Object> resources(Telemetry.Tick t) {
    return resources(t, ResourceQuery.ALL);
  }

  /** The resources the query asks for, with how many match and how many each node holds (ResourceQuery). */
  static Map<String, Object> resources(Telemetry.Tick t, ResourceQuery q) {
    return q.page(t.state().services(), e -> {
      ServiceStatus s = e.getValue();
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", e.getKey());
      r.put("state", Metrics.label(s.state().name()));
      r.put("node", s.node());
      r.put("target", s.target());
      r.put("token", s.token());
      r.put("failed_starts", s.failedStarts());
      return r;
    });
  }

  /** The placement groups of the configuration (none before the first configuration): nodes with priorities. */
  public static Map<String, Object> groups(palisade.core.ClusterConfig config) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (config != null) {
      for (palisade.core.GroupConfig g : config.groups().values()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("nodes", g.nodes());
        m.put("restricted", g.restricted());
        m.put("failback", g.failback());
        out.add(m);
      }
    }
    return Map.of("groups", out);
  }

  public static Map<String, Object> fenceHistory(Telemetry.Tick t) {
    FenceHistory h = t.history() == null ? FenceHistory.empty() : t.history();
    List<Map<String, Object>> out = new ArrayList<>();
    for (FenceEntry e : h.entries()) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("target", e.target());
      f.put("kind", e.kind()); // watchdog, power or manual: how the node was handled; check: a device check
      f.put("attempt", e.attempt());
      f.put("level", e.level());
      f.put("device", e.device());
      f.put("action", e.action());
      f.put("result", e.result());
      f.put("executor", e.executor());
      f.put("started_ms", e.startedMs());
      f.put("ended_ms", e.endedMs());
      out.add(f);
    }
    return Map.of("entries", out);
  }

  /**
   * The cluster's notification settings as {@code palisade notify show} prints them: the webhook as
   * {@code scheme://host[:port]/…} (its path and query may hold a token), the e-mail relay with its user name but never
   * the password; null for a channel that is not set.
   */
  public static Map<String, Object> notifySettings(NotifySettings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("webhook", s.webhook() == null ? null : NotifySettings.redact(s.webhook()));
    Map<String, Object> smtp = null;
    if (s.smtp() != null) {
      smtp = new LinkedHashMap<>();
      smtp.put("host", s.smtp().host());
      smtp.put("port", s.smtp().port());
      smtp.put("from", s.smtp().from());
      smtp.put("to", s.smtp().to());
      smtp.put("username", s.smtp().username()); // null: mail is sent without AUTH
    }
    m.put("smtp", smtp);
    return m;
  }
}
