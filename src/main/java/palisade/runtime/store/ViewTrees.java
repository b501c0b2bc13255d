package palisade.runtime.store;

import java.util.List;
import palisade.core.StorePaths;

/**
 * Which top-level trees of the store a {@link ZkStore} view mirrors. Every tree is in exactly one list
 * ({@code ViewTreesTest} checks each path constant), so a new tree is classified on purpose, never forgotten.
 *
 * <p>Why: each mirrored znode costs every daemon a watch event and a read whenever it changes. The per-node trees
 * are rewritten all the time (a node record every renewal, about 1 s; usage every 5 – 30 s), so with every daemon
 * mirroring all of them the peers served N^2 reads a second (at 100 agents renewals' p99 was 416 ms). An agent
 * needs its own node record only; a manager candidate needs all of them.
 */
final class ViewTrees {
  /** The event log's parent: appended by every daemon, read by the operator's handle ({@link Admin#events}). */
  static final String EVENTS = "/events";

  /** Mirrored by every view: small, rarely written, read by every daemon's core. */
  static final List<String> BASE = List.of(StorePaths.CONFIG, "/manager", StorePaths.COMMANDS, StorePaths.TIMING,
      StorePaths.SCHEMA, "/fence", ShutdownRequest.PARENT, StorePaths.NOTIFY);

  /**
   * One record per node, rewritten often: mirrored whole only by a full view (a manager candidate, or a view never
   * scoped); a scoped view mirrors its own node's record and the records it reads (ZkStore's interests).
   */
  static final List<String> CLUSTER_WIDE = List.of(StorePaths.NODES, StorePaths.USAGE);

  /**
   * Never mirrored: the event log and the failover log grow by appends and are read directly with a Curator client
   * (Admin, FailoverLog, Events); the peers' offers are read by the operator's handle only (StorePeers). None of
   * them has a record type in {@link Codec#typeOf}, so no view ever held them: mirroring them cost reads only.
   */
  static final List<String> NOT_MIRRORED = List.of(EVENTS, StorePaths.FAILOVERS, StorePeers.OFFERS);

  private ViewTrees() {}

  /** The top-level tree of path: {@code /manager} for {@code /manager/state/nodes/3/x}. */
  static String top(String path) {
    int slash = path.indexOf('/', 1);
    return slash < 0 ? path : path.substring(0, slash);
  }

  /** A path below a cluster-wide tree ({@code /nodes/<node>}, {@code /usage/<node>}). */
  static boolean clusterWide(String path) {
    int slash = path.indexOf('/', 1);
    return slash > 0 && CLUSTER_WIDE.contains(path.substring(0, slash));
  }

  /** A node record's path, {@code /nodes/<node>}: what a scoped view mirrors on demand. */
  static boolean nodeRecord(String path) {
    return path.startsWith(StorePaths.NODES + "/") && path.indexOf('/', StorePaths.NODES.length() + 1) < 0
        && path.length() > StorePaths.NODES.length() + 1;
  }

  /** A cache's path without the client's namespace prefix (empty: none). */
  static String strip(String prefix, String path) {
    if (!prefix.isEmpty() && path.startsWith(prefix)) {
      String rest = path.substring(prefix.length());
      return rest.isEmpty() ? "/" : rest;
    }
    return path;
  }

  /** Whether path is in a tree every view mirrors. */
  static boolean base(String path) {
    return BASE.contains(top(path));
  }
}
