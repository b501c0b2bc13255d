package palisade.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;

/**
 * GET /api/resources' query, for a cluster of 50,000 resources that no page shows at once: which resources
 * (node, state, part of the id), how many (limit), and from where (after: the id the previous page ended with).
 * Without parameters every resource is given, as before.
 *
 * @param node only those on this node (or moving to it)
 * @param state only those in this state (`started`, `stopped`, `error`, ...)
 * @param idContains only those whose id contains this
 * @param after only ids after this one, in id order
 * @param limit at most this many (null: all)
 */
record ResourceQuery(String node, String state, String idContains, String after, Integer limit) {
  static final int LIMIT_MAX = 10_000;
  static final ResourceQuery ALL = new ResourceQuery(null, null, null, null, null);

  /** The query from the request's parameters; Api.BadRequest naming the parameter when one is not valid. */
  static ResourceQuery parse(Function<String, String> param) {
    String limit = param.apply("limit");
    Integer n = null;
    if (limit != null) {
      n = limit.matches("\\d{1,5}") ? Integer.parseInt(limit) : -1;
      if (n < 1 || n > LIMIT_MAX) {
        throw new Api.BadRequest("limit: '" + Api.shorten(limit) + "' must be a number from 1 to " + LIMIT_MAX);
      }
    }
    String state = param.apply("state");
    if (state != null && ServiceState.parse(state) == null) {
      throw new Api.BadRequest("state: '" + Api.shorten(state) + "' is not a resource state (started, stopped, "
          + "error, ...)");
    }
    return new ResourceQuery(blankIsNull(param.apply("node")), state, blankIsNull(param.apply("q")),
        blankIsNull(param.apply("after")), n);
  }

  private static String blankIsNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  boolean matches(String id, ServiceStatus s) {
    return (node == null || node.equals(s.node()) || node.equals(s.target()))
        && (state == null || s.state().label().equals(state))
        && (idContains == null || id.contains(idContains));
  }

  /**
   * {"resources": the page, "total": how many match, "next": the `after` of the next page (null: none), "by_node":
   * how many resources each node holds, of all of them}.
   */
  Map<String, Object> page(SortedMap<String, ServiceStatus> services, Function<Map.Entry<String, ServiceStatus>,
      Map<String, Object>> item) {
    List<Map<String, Object>> out = new java.util.ArrayList<>();
    TreeMap<String, Integer> byNode = new TreeMap<>();
    int total = 0;
    String next = null;
    for (Map.Entry<String, ServiceStatus> e : services.entrySet()) {
      if (e.getValue().node() != null) byNode.merge(e.getValue().node(), 1, Integer::sum);
      if (!matches(e.getKey(), e.getValue())) continue;
      total++;
      if (after != null && e.getKey().compareTo(after) <= 0) continue;
      if (limit != null && out.size() == limit) {
        if (next == null) next = out.get(out.size() - 1).get("id").toString();
        continue;
      }
      out.add(item.apply(e));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("resources", out);
    m.put("total", total);
    m.put("next", next);
    m.put("by_node", byNode);
    return m;
  }
}
