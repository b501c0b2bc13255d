package palisade.core;

import java.util.List;

/**
 * A cluster member.
 *
 * @param watchdog whether the node is watchdog-protected (self-fencing)
 * @param fenceLevels fence devices by level: all devices of a level together, levels in order
 * @param spmPriority -1 = never SPM, 0..10 = preference for the SPM role
 * @param manualOnly explicitly allowed to rely on manual fence confirmation only
 * @param shutdownPolicy this node's own shutdown policy, or null: the cluster's ({@link
 *     ClusterConfig#shutdownPolicyOf})
 * @param site where the node stands (a data center, a rack), or null: a fence proxy of the target's site is
 *     preferred ({@link FenceProxies})
 */
public record NodeConfig(String name, boolean watchdog, List<List<String>> fenceLevels, int spmPriority,
    boolean manualOnly, ShutdownPolicy shutdownPolicy, String site) {

  /** A node without a site. */
  public NodeConfig(String name, boolean watchdog, List<List<String>> fenceLevels, int spmPriority,
      boolean manualOnly, ShutdownPolicy shutdownPolicy) {
    this(name, watchdog, fenceLevels, spmPriority, manualOnly, shutdownPolicy, null);
  }

  /** A node that follows the cluster's shutdown policy. */
  public NodeConfig(String name, boolean watchdog, List<List<String>> fenceLevels, int spmPriority,
      boolean manualOnly) {
    this(name, watchdog, fenceLevels, spmPriority, manualOnly, null, null);
  }

  public NodeConfig {
    fenceLevels = fenceLevels.stream().map(List::copyOf).toList();
    if (site != null && !site.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw new ConfigException("node " + name + ": site '" + site + "' is not a valid name (letters, digits, "
          + "'_', '.', '-'; at most 63)");
    }
    if (spmPriority < -1 || spmPriority > 10) {
      throw new ConfigException("node " + name + ": spm_priority=" + spmPriority + " is out of range (-1 to 10)");
    }
    if (!watchdog && fenceLevels.isEmpty() && !manualOnly) {
      throw new ConfigException("node " + name + ": without a watchdog it needs a fence device "
          + "(or must be marked manual-only), otherwise it could never be safely fenced");
    }
  }

  /** The same node with its own shutdown policy (null: the cluster's). */
  public NodeConfig withShutdownPolicy(ShutdownPolicy policy) {
    return new NodeConfig(name, watchdog, fenceLevels, spmPriority, manualOnly, policy, site);
  }

  /** The same node at another site (null: none). */
  public NodeConfig withSite(String s) {
    return new NodeConfig(name, watchdog, fenceLevels, spmPriority, manualOnly, shutdownPolicy, s);
  }

  public static NodeConfig standard(String name) {
    return new NodeConfig(name, true, List.of(), -1, false);
  }
}
