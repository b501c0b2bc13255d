package palisade.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import palisade.web.NodeLoad;

/**
 * `status`'s per-node load: what each node's resources were measured using against its capacity, as its agent
 * reported it in /usage/NODE (every 5 s when it moved; crs=dynamic weighs the same figures). Shown only when some
 * node reported.
 */
final class LoadSection {
  private LoadSection() {}

  static void print(SortedMap<String, NodeLoad> loads, PrintStream out) {
    if (loads.isEmpty()) return;
    out.println("load (measured by each node's agent: CPU in cores and resident memory of its resources, "
        + "against the node's capacity):");
    Table t = new Table("NODE", "CPU", "MEMORY", "RESOURCES", "MEASURED");
    loads.forEach((n, l) -> t.row(n, l.cpu(), l.memory(), l.resourcesMeasured(),
        l.measuredUtc() + (l.stale() ? " (stale: not counted)" : "")));
    t.print(out);
  }

  /** Adds "load" to each node of the API's node list (maps with a "name"): the JSON shape only grows. */
  @SuppressWarnings("unchecked")
  static void addTo(Object nodes, SortedMap<String, NodeLoad> loads) {
    if (!(nodes instanceof List<?> list)) return;
    for (Object o : list) {
      if (o instanceof Map<?, ?> m) ((Map<String, Object>) m).put("load", loads.get(String.valueOf(m.get("name"))));
    }
  }
}
