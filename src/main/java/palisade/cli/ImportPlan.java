package palisade.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import palisade.core.ClusterConfig;
import palisade.core.ResourceConfig;
import palisade.runtime.store.Operations;

/**
 * What `resource import` will do against the cluster's configuration: the entries to write (new, or replacing a
 * different one with --replace), how many are already there as given (skipped: an import runs again as a no-op),
 * and every problem found. Each entry passes the same checks as `resource add` ({@link Operations#checked}).
 */
record ImportPlan(List<Item> toWrite, int identical, int replaced, List<ResourceFile.Problem> problems) {

  /** An entry and the configuration it becomes. */
  record Item(ResourceFile.Entry entry, ResourceConfig config) {}

  /** Operations' checks that need no store: its store is never asked for. */
  private static final Operations CHECKS = new Operations(() -> {
    throw new IllegalStateException("import checks need no store");
  }, Operations.JSON_NAMES);

  static ImportPlan of(ResourceFile.Parsed parsed, ClusterConfig cfg, boolean replace) {
    List<ResourceFile.Problem> problems = new ArrayList<>(parsed.problems());
    List<Item> toWrite = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    Map<String, Integer> lineOfId = new HashMap<>();
    int identical = 0;
    int replaced = 0;
    for (ResourceFile.Entry e : parsed.entries()) {
      String id = e.resource().id();
      ResourceConfig rc;
      try {
        rc = CHECKS.checked(e.resource());
      } catch (Operations.Refused r) {
        String m = r.getMessage().startsWith("resource " + id + ": ") ? r.getMessage().substring(id.length() + 11)
            : r.getMessage();
        problems.add(new ResourceFile.Problem(e.lineOf(fieldOf(m)), id + ": " + m));
        continue;
      }
      Integer first = seen.putIfAbsent(id, e.lineOf("id"));
      if (first != null) {
        problems.add(new ResourceFile.Problem(e.lineOf("id"), id + ": id: given twice (also at line " + first + ")"));
        continue;
      }
      int before = problems.size();
      if (!cfg.nodes().containsKey(rc.node())) {
        problems.add(new ResourceFile.Problem(e.lineOf("node"), id + ": node: no node '" + rc.node() + "' in the "
            + "cluster"));
      }
      if (rc.group() != null && !cfg.groups().containsKey(rc.group())) {
        problems.add(new ResourceFile.Problem(e.lineOf("group"), id + ": group: no group '" + rc.group() + "' in "
            + "the cluster"));
      }
      ResourceConfig cur = cfg.resources().get(id);
      if (cur != null && cur.equals(rc)) {
        identical++;
        continue;
      }
      if (cur != null && !replace) {
        problems.add(new ResourceFile.Problem(e.lineOf("id"), id + ": id: the cluster has it with another "
            + "configuration (--replace overwrites it)"));
      }
      if (problems.size() > before) continue;
      if (cur != null) replaced++;
      toWrite.add(new Item(e, rc));
      lineOfId.put(id, e.line());
    }
    if (problems.isEmpty()) {
      try {
        merged(cfg, toWrite, replace);
      } catch (IllegalArgumentException x) { // the whole configuration's checks (placement rules, ...)
        problems.add(new ResourceFile.Problem(lineOf(x.getMessage(), lineOfId), x.getMessage()));
      }
    }
    return new ImportPlan(toWrite, identical, replaced, problems);
  }

  /**
   * cfg with items added, checked as a whole; an item the cluster gained meanwhile is skipped when equal and refused
   * when different unless replace (a batch re-checks against the configuration it is written over).
   */
  static ClusterConfig merged(ClusterConfig cfg, List<Item> items, boolean replace) {
    if (cfg == null) throw new Operations.Refused(Operations.Problem.NO_CONFIG, "the cluster has no configuration");
    TreeMap<String, ResourceConfig> rs = new TreeMap<>(cfg.resources());
    for (Item i : items) {
      ResourceConfig cur = rs.get(i.config().id());
      if (cur != null && !cur.equals(i.config()) && !replace) {
        throw new Operations.Refused(Operations.Problem.CONFLICT, i.config().id() + ": added to the cluster with "
            + "another configuration since the file was checked");
      }
      rs.put(i.config().id(), i.config());
    }
    return new ClusterConfig(cfg.nodes(), cfg.groups(), rs, cfg.shutdownPolicy(), cfg.timing(), cfg.repairAfterMs(),
        cfg.fence(), cfg.placement());
  }

  /** The line of the resource a configuration message names ("resource vm:1: ..."), else 0. */
  private static int lineOf(String message, Map<String, Integer> lineOfId) {
    for (Map.Entry<String, Integer> e : lineOfId.entrySet()) {
      if (message.startsWith("resource " + e.getKey() + ":")) return e.getValue();
    }
    return 0;
  }

  /** The field a check's message is about (the messages name it in the API's spelling), or null. */
  static String fieldOf(String message) {
    if (message.startsWith("resource id ")) return "id";
    for (String f : ResourceFile.FIELDS) {
      if (Pattern.compile("(^|[ ])" + f + "([ :']|$)").matcher(message).find()) return f;
    }
    return message.startsWith("option") ? "options" : null;
  }
}
