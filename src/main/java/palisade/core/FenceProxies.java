package palisade.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Who runs a power fence (oVirt's proxy preference: same cluster, same data center, any). In rank order: an online
 * node of the target's site other than the manager's; any other online node but the manager's; the manager's own
 * node. Never the target. Within a rank the lowest name, except that the proxy whose previous attempt for this
 * target failed goes to the end of its rank: a proxy that cannot reach the target's BMC (its own network, a firewall)
 * does not get the same order again and again while another could do it.
 */
final class FenceProxies {
  private FenceProxies() {}

  /** The chosen proxy and why, for the event log and the fence history ("same site dc1"). */
  record Choice(String node, String reason) {
    Choice {
      Check.that(node != null && reason != null && !reason.isEmpty(), "proxy choice without node or reason");
    }
  }

  /**
   * online: the nodes that are online in the manager's view (and have a record); failedProxy: the proxy of the
   * target's previous failed attempt, or null. A null target (a device check) has no site.
   */
  static Choice choose(ClusterConfig config, String target, String manager, Predicate<String> online,
      String failedProxy) {
    String site = target == null ? null : config.nodes().get(target).site();
    List<String> sameSite = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (NodeConfig n : config.nodes().values()) { // sorted by name
      if (n.name().equals(target) || n.name().equals(manager) || !online.test(n.name())) continue;
      if (site != null && site.equals(n.site())) sameSite.add(n.name());
      else others.add(n.name());
    }
    String first = pick(sameSite, failedProxy);
    if (first != null) return new Choice(first, "same site " + site + retried(first, failedProxy));
    String second = pick(others, failedProxy);
    if (second != null) {
      return new Choice(second, (site == null ? "online, not the manager's node"
          : "no other online node of site " + site) + retried(second, failedProxy));
    }
    Check.that(!manager.equals(target), "the manager's node %s is the fence target", target);
    if (target == null) return new Choice(manager, "the manager's own node");
    return new Choice(manager, "the manager's own node: no other online node");
  }

  /** The lowest name of a rank, with the failed proxy last. */
  private static String pick(List<String> rank, String failedProxy) {
    for (String n : rank) {
      if (!n.equals(failedProxy)) return n;
    }
    return rank.isEmpty() ? null : rank.get(0);
  }

  private static String retried(String chosen, String failedProxy) {
    if (failedProxy == null) return "";
    return chosen.equals(failedProxy) ? "; again, none better" : "; " + failedProxy + " failed last time";
  }
}
