package palisade.runtime.store;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import palisade.core.ManagerState;
import palisade.core.NodePart;
import palisade.core.StorePaths;
import palisade.core.Versioned;

/**
 * The mirror's records of /config and /manager/state in a view of its node's part ({@link PartScope}): assembles the
 * part of the manager's state (the node group's statuses) and holds it back until the configuration entry of every
 * resource in the node's part is loaded, then publishes it with the configuration of those resources. An agent thus
 * never sees a resource of its part without its configuration (a migration's source would stop what it cannot
 * migrate). Used on the owner's event loop only ({@link #any} also from it).
 */
final class PartMirror {
  private static final Logger log = LoggerFactory.getLogger(PartMirror.class);

  private final ShardMirror shards;
  private final ViewScope scope;
  private final Map<String, Versioned<Object>> mirror;
  /** Told each logical record the mirror changed. */
  private final Consumer<String> changed;
  /** Logical records the mirror holds only a node's part of. */
  private final Set<String> partial = ConcurrentHashMap.newKeySet();
  /** The newest part of the manager's state assembled: published once its resources' configurations are in. */
  private Layout2.Stored state;
  /** The part group the shards were delivered for (-1: whole records). */
  private int group = -1;
  /** The shards' delivery counts of the state and the configuration at their last assembly, and its resources. */
  private long stateSeen = -1;
  private long configSeen = -1;
  private Set<String> configFor = Set.of();
  /** The node's part of a state, taken once per state. */
  private NodePart nodePart;

  PartMirror(ShardMirror shards, ViewScope scope, Map<String, Versioned<Object>> mirror, Consumer<String> changed) {
    this.shards = shards;
    this.scope = scope;
    this.mirror = mirror;
    this.changed = changed;
  }

  /** The view started: its shards are delivered for its part, or whole. */
  void started() {
    group = scope.partGroup();
  }

  /** The mirror holds only a part of logical (a whole assembly replaces it at any version). */
  boolean holds(String logical) {
    return partial.contains(logical);
  }

  /** The mirror holds a part of some record (a manager may not tick on it). */
  boolean any() {
    return !partial.isEmpty();
  }

  /** The whole record replaced the part of logical. */
  void whole(String logical) {
    partial.remove(logical);
  }

  /**
   * The view switched between whole records and its part: what was delivered for the other is forgotten (the new
   * caches deliver everything afresh); the mirror keeps its records until the new ones replace them.
   */
  void switched() {
    if (scope.partGroup() == group) return;
    group = scope.partGroup();
    shards.forget(StorePaths.CONFIG);
    shards.forget(StorePaths.MANAGER_STATE);
    state = null;
    stateSeen = -1;
    configSeen = -1;
  }

  /** After anything of the part was delivered or loaded: publishes both records when they are complete. */
  void assemble() {
    int g = scope.partGroup();
    String node = scope.partNode();
    if (g < 0 || node == null) return;
    try {
      scope.partStatuses(shards.layout(StorePaths.MANAGER_STATE));
      long stateNow = shards.deliveries(StorePaths.MANAGER_STATE);
      if (stateNow != stateSeen) { // each assembly copies the group's statuses: only after something arrived
        Layout2.Stored ms = shards.assemblePart(StorePaths.MANAGER_STATE, new ShardMirror.Part(g, null));
        if (ms != null && (state == null || ms.version() >= state.version())) state = ms;
        if (ms != null) stateSeen = stateNow;
      }
      if (nodePart == null) nodePart = new NodePart(node);
      Set<String> ids = state == null ? Set.of() : nodePart.state((ManagerState) state.record()).services().keySet();
      if (!scope.partResources(ids)) return;
      if (state != null) publish(StorePaths.MANAGER_STATE, state);
      long configNow = shards.deliveries(StorePaths.CONFIG);
      if (configNow == configSeen && ids.equals(configFor)) return;
      Layout2.Stored config = shards.assemblePart(StorePaths.CONFIG, new ShardMirror.Part(g, ids));
      if (config == null) return;
      configSeen = configNow;
      configFor = ids;
      publish(StorePaths.CONFIG, config);
    } catch (IOException e) {
      log.warn("store view: this node's part cannot be assembled: {}", e.getMessage());
    }
  }

  private void publish(String logical, Layout2.Stored s) {
    Versioned<Object> before = mirror.get(logical);
    if (before != null && (before.version() > s.version() || before.value() == s.record())) return;
    mirror.put(logical, new Versioned<>(s.record(), s.version()));
    partial.add(logical);
    changed.accept(logical);
  }
}
