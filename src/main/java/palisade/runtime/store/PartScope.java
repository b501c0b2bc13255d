package palisade.runtime.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import palisade.core.StorePaths;

/**
 * The caches of an agent-only node's view that stand in for the whole {@code /config} and {@code /manager} trees: what
 * its agent reads of them ({@code NodePart}). The manager's lease, the state's head, its node statuses and disk
 * leases whole; of the resource statuses the buckets of the node's group (layout 3; a layout-2 state has no groups
 * and is held whole); the configuration's head and nodes whole, and one entry per resource of the node's part, each
 * a single-node cache opened when the resource enters the part and closed when it leaves. Guarded by the
 * {@link ViewScope} that owns it; no method blocks on I/O.
 */
final class PartScope {
  /** The trees a part view does not hold whole. */
  static final List<String> REPLACED = List.of(StorePaths.CONFIG, "/manager");

  private final ViewScope.Builder builder;
  private final int group;
  /** The caches opened with the part, by path. */
  private final Map<String, ViewCache> fixed = new LinkedHashMap<>();
  /** The resource statuses' caches, by path, and the head layout they were opened for (0: none yet). */
  private final Map<String, ViewCache> statuses = new LinkedHashMap<>();
  private int statusesLayout;
  /** The configuration entries of the part's resources, by resource id. */
  private final Map<String, ViewCache> resources = new HashMap<>();

  PartScope(ViewScope.Builder builder, String node) {
    this.builder = builder;
    this.group = Layout2.groupOf(node);
  }

  int group() {
    return group;
  }

  /** Opens (does not start) the caches every part holds; they count for the view's initialization. */
  List<ViewCache> open() {
    List<ViewCache> made = new ArrayList<>();
    made.add(add(fixed, StorePaths.MANAGER_LEASE, ViewCache.Kind.PART_NODE, true));
    made.add(add(fixed, StorePaths.MANAGER_STATE, ViewCache.Kind.PART_NODE, true));
    made.add(add(fixed, StorePaths.MANAGER_STATE + "/nodes", ViewCache.Kind.PART_TREE, true));
    made.add(add(fixed, StorePaths.MANAGER_STATE + "/disks", ViewCache.Kind.PART_TREE, true));
    made.add(add(fixed, StorePaths.CONFIG, ViewCache.Kind.PART_NODE, true));
    made.add(add(fixed, StorePaths.CONFIG + "/nodes", ViewCache.Kind.PART_TREE, true));
    return made;
  }

  /**
   * The resource statuses' caches for a head of layout: the group's buckets of the statuses and of the targets'
   * copies (layout 3), or the statuses whole (layout 2). Returns the caches opened now (to start), closing the ones a
   * head of another layout needed.
   */
  List<ViewCache> statusesFor(int layout) {
    int want = layout >= 3 ? 3 : 2;
    if (layout == 0 || want == statusesLayout) return List.of();
    statuses.values().forEach(ViewCache::close);
    statuses.clear();
    statusesLayout = want;
    List<ViewCache> made = new ArrayList<>();
    if (want == 2) {
      made.add(add(statuses, StorePaths.MANAGER_STATE + "/services", ViewCache.Kind.PART_TREE, false));
      return made;
    }
    for (String field : List.of("services", Layout2.TARGETS)) {
      for (int b = group * Layout2.PER_GROUP; b < (group + 1) * Layout2.PER_GROUP; b++) {
        made.add(add(statuses, Layout2.bucketPath(StorePaths.MANAGER_STATE, field, b), ViewCache.Kind.PART_TREE,
            false));
      }
    }
    return made;
  }

  /** Opens the configuration entries of ids not held yet and closes those of resources no longer in the part. */
  List<ViewCache> resources(Set<String> ids) {
    resources.entrySet().removeIf(e -> {
      if (ids.contains(e.getKey())) return false;
      e.getValue().close();
      return true;
    });
    List<ViewCache> made = new ArrayList<>();
    for (String id : ids) {
      if (resources.containsKey(id)) continue;
      ViewCache c = builder.build(Layout2.entryPath(StorePaths.CONFIG, "resources", id), ViewCache.Kind.PART_NODE,
          false);
      resources.put(id, c);
      made.add(c);
    }
    return made;
  }

  /** Every one of ids has its configuration entry's cache open and loaded (present or not). */
  boolean resourcesLoaded(Set<String> ids) {
    for (String id : ids) {
      ViewCache c = resources.get(id);
      if (c == null || !c.initialized) return false;
    }
    return true;
  }

  Collection<ViewCache> all() {
    List<ViewCache> out = new ArrayList<>(fixed.values());
    out.addAll(statuses.values());
    out.addAll(resources.values());
    return out;
  }

  void close() {
    all().forEach(ViewCache::close);
    fixed.clear();
    statuses.clear();
    resources.clear();
    statusesLayout = 0;
  }

  private ViewCache add(Map<String, ViewCache> to, String path, ViewCache.Kind kind, boolean counted) {
    ViewCache c = builder.build(path, kind, counted);
    to.put(path, c);
    return c;
  }
}
