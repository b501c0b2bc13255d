package palisade.runtime.daemon;

import palisade.core.ClusterConfig;
import palisade.core.StorePaths;
import palisade.runtime.store.ZkStore;

/**
 * What of the store a daemon mirrors, by its node's manager candidacy (DESIGN "Manager candidates"): an agent-only
 * node's view holds, of the node records, only its own (and briefly a migration or fence target's); a candidate's
 * holds every node's record and usage, which its manager decides on.
 */
final class Candidacy {
  private Candidacy() {}

  /** Before the store starts: the YAML's initial say; the cluster's configuration decides from its first tick. */
  static void scope(ZkStore store, DaemonConfig config) {
    store.scopeTo(config.node());
    store.watchAllNodes(!config.self().agentOnly());
  }

  /**
   * On every tick: widens or narrows the view to the configuration's say, and tells whether the manager may tick
   * now (a candidate only once every node's record is in its view; a standby that skips a tick has a gap in its
   * watch and starts its timers afresh, which is the safe side).
   */
  static boolean managerMayTick(ZkStore store, String node) {
    var v = store.view().get(StorePaths.CONFIG);
    boolean candidate = v == null || !(v.value() instanceof ClusterConfig c) || c.managerCandidate(node);
    store.watchAllNodes(candidate);
    return !candidate || store.allNodesLoaded();
  }
}
