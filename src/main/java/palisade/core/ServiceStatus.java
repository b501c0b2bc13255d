package palisade.core;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The manager's persistent record of one resource: where it is assigned and what the agent there must do.
 *
 * @param node the node the resource is assigned to (source of a migration or relocation)
 * @param target destination of a migrate or relocate, else null
 * @param token the fencing token of the current request; only ever grows
 * @param failedStarts start failures on the current node (against max_restart)
 * @param triedNodes nodes already given up on after start failures (against max_relocate)
 * @param maintenanceNode node the resource left for maintenance, to return to afterwards; else null
 * @param migrationFailed a live migration of it failed: automatic moves relocate it instead (stop, then start)
 */
public record ServiceStatus(ServiceState state, String node, String target, long token, int failedStarts,
    SortedSet<String> triedNodes, String maintenanceNode, boolean migrationFailed) {

  public ServiceStatus {
    Check.that(state != null, "service status without state");
    triedNodes = Collections.unmodifiableSortedSet(new TreeSet<>(triedNodes));
  }

  public ServiceStatus(ServiceState state, String node, String target, long token, int failedStarts,
      SortedSet<String> triedNodes, String maintenanceNode) {
    this(state, node, target, token, failedStarts, triedNodes, maintenanceNode, false);
  }

  public ServiceStatus withMigrationFailed(boolean failed) {
    return new ServiceStatus(state, node, target, token, failedStarts, triedNodes, maintenanceNode, failed);
  }

  public ServiceStatus with(ServiceState s) {
    return new ServiceStatus(s, node, target, token, failedStarts, triedNodes, maintenanceNode, migrationFailed);
  }

  public ServiceStatus onNode(String n, long newToken) {
    return new ServiceStatus(state, n, null, newToken, 0, triedNodes, maintenanceNode, migrationFailed);
  }

  public ServiceStatus withTarget(String t, long newToken) {
    return new ServiceStatus(state, node, t, newToken, failedStarts, triedNodes, maintenanceNode, migrationFailed);
  }

  public ServiceStatus withToken(long newToken) {
    return new ServiceStatus(state, node, target, newToken, failedStarts, triedNodes, maintenanceNode, migrationFailed);
  }

  public ServiceStatus withFailedStarts(int n) {
    return new ServiceStatus(state, node, target, token, n, triedNodes, maintenanceNode, migrationFailed);
  }

  public ServiceStatus withTried(SortedSet<String> tried) {
    return new ServiceStatus(state, node, target, token, failedStarts, tried, maintenanceNode, migrationFailed);
  }

  public ServiceStatus withMaintenanceNode(String n) {
    return new ServiceStatus(state, node, target, token, failedStarts, triedNodes, n, migrationFailed);
  }

  /**
   * Whether operators count it among the failed actions: in error, or with failed starts, nodes given up on, or a
   * failed migration (`status` adds a node's last failed result, which lives in the node's record).
   */
  public boolean hasFailed() {
    return state == ServiceState.ERROR || failedStarts > 0 || !triedNodes.isEmpty() || migrationFailed;
  }
}
