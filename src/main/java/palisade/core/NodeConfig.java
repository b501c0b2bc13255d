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
 * @param softFence `soft_fence: ssh`: before its hard fence, a proxy restarts the node's silent daemon over SSH
 *     (DESIGN "Soft fencing"); only for a node without a watchdog, and never a proof of death
 * @param kdump `kdump: yes`: a kdump level runs before the power levels: a message from the node's crashing kernel
 *     confirms the fence without cutting power mid-dump (DESIGN "Fence confirmation")
 * @param site where the node stands (a data center, a rack), or null: a fence proxy of the target's site is
 *     preferred ({@link FenceProxies})
 * @param agentOnly `agent_only: yes`: the node never holds the manager lease (DESIGN "Manager candidates"); in a
 *     large cluster only a few nodes are candidates, and the others' daemons watch only what concerns their node
 */
public record NodeConfig(String name, boolean watchdog, List<List<String>> fenceLevels, int spmPriority,
    boolean manualOnly, ShutdownPolicy shutdownPolicy, boolean softFence, boolean kdump, String site,
    boolean agentOnly) {

  /** A node that may hold the manager lease. */
  public NodeConfig(String name, boolean watchdog, List<List<String>> fenceLevels, int spmPriority,
      boolean manualOnly, ShutdownPolicy shutdownPolicy, boolean softFence, boolean kdump, String site) {
    this(name, watchdog, fenceLevels, spmPriority, manualOnly, shutdownPolicy, softFence, kdump, site, false);
  }

  /** A node without soft fencing, kdump or site. */
  public NodeConfig(String name, boolean watchdog, List<List<String>> fenceLevels, int spmPriority,
      boolean manualOnly, ShutdownPolicy shutdownPolicy) {
    this(name, watchdog, fenceLevels, spmPriority, manualOnly, shutdownPolicy, false, false, null);
  }

  /** A node that follows the cluster's shutdown policy. */
  public NodeConfig(String name, boolean watchdog, List<List<String>> fenceLevels, int spmPriority,
      boolean manualOnly) {
    this(name, watchdog, fenceLevels, spmPriority, manualOnly, null);
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
    if (softFence && watchdog) {
      // The watchdog resets a node whose daemon stops feeding it within W, long before a restarted daemon could
      // renew: a soft fence there would only restart the daemon of a machine that is being reset.
      throw new ConfigException("node " + name + ": soft_fence=ssh is for a node without a watchdog (its watchdog "
          + "already acts on a silent daemon); set watchdog=no or drop soft_fence");
    }
    for (List<String> level : fenceLevels) {
      if (level.contains(KdumpLevel.DEVICE)) {
        throw new ConfigException("node " + name + ": fence device name '" + KdumpLevel.DEVICE + "' is reserved "
            + "(use kdump=yes for the kdump level)");
      }
    }
  }

  /** The same node with its own shutdown policy (null: the cluster's). */
  public NodeConfig withShutdownPolicy(ShutdownPolicy policy) {
    return new NodeConfig(name, watchdog, fenceLevels, spmPriority, manualOnly, policy, softFence, kdump, site,
        agentOnly);
  }

  /** The same node with soft fencing over SSH and the kdump level set as given. */
  public NodeConfig withFenceExtras(boolean soft, boolean dump) {
    return new NodeConfig(name, watchdog, fenceLevels, spmPriority, manualOnly, shutdownPolicy, soft, dump, site,
        agentOnly);
  }

  /** The same node at another site (null: none). */
  public NodeConfig withSite(String s) {
    return new NodeConfig(name, watchdog, fenceLevels, spmPriority, manualOnly, shutdownPolicy, softFence, kdump, s,
        agentOnly);
  }

  /** The same node, a manager candidate or not ({@code agent_only}). */
  public NodeConfig withAgentOnly(boolean only) {
    return new NodeConfig(name, watchdog, fenceLevels, spmPriority, manualOnly, shutdownPolicy, softFence, kdump,
        site, only);
  }

  public static NodeConfig standard(String name) {
    return new NodeConfig(name, true, List.of(), -1, false);
  }
}
