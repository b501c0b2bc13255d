package palisade.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeStatus;
import palisade.core.ServiceStatus;
import palisade.runtime.daemon.Telemetry;
import palisade.runtime.store.Admin;

/**
 * The read API's JSON bodies, built from one tick's immutable snapshot of the node's store view (a daemon answers
 * what it sees; a node whose view is not synced answers 503). Field names are snake_case; no field carries a
 * resource command, a fence option or a password.
 */
final class Api {
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

  static Map<String, Object> events(List<Admin.Event> events) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Admin.Event e : events) out.add(event(e));
    return Map.of("events", out);
  }

  static Map<String, Object> event(Admin.Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("t", e.t());
    m.put("node", e.node());
    m.put("source", e.source());
    m.put("message", e.message());
    return m;
  }

  static Map<String, Object> cluster(String cluster, String node, Telemetry.Tick t) {
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
    }
    m.put("spm", spm);
    return m;
  }

  /** The nodes; {@code leaseAges}: seconds since each node's record was written, as the store says (may miss some). */
  static Map<String, Object> nodes(Telemetry.Tick t, Map<String, Double> leaseAges) {
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

  static Map<String, Object> resources(Telemetry.Tick t) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map.Entry<String, ServiceStatus> e : t.state().services().entrySet()) {
      ServiceStatus s = e.getValue();
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", e.getKey());
      r.put("state", Metrics.label(s.state().name()));
      r.put("node", s.node());
      r.put("target", s.target());
      r.put("token", s.token());
      r.put("failed_starts", s.failedStarts());
      out.add(r);
    }
    return Map.of("resources", out);
  }

  /** The placement groups of the configuration (none before the first configuration): nodes with priorities. */
  static Map<String, Object> groups(palisade.core.ClusterConfig config) {
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

  static Map<String, Object> fenceHistory(Telemetry.Tick t) {
    FenceHistory h = t.history() == null ? FenceHistory.empty() : t.history();
    List<Map<String, Object>> out = new ArrayList<>();
    for (FenceEntry e : h.entries()) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("target", e.target());
      f.put("kind", e.kind()); // watchdog, power or manual: how the node was handled
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
}
