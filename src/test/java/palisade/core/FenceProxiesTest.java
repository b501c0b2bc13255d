package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The fence proxy order: an online node of the target's site but the manager's; any other online node but the
 * manager's; the manager's own node. Never the target; the lowest name within a rank; the proxy of the last failed
 * attempt at the end of its rank.
 */
class FenceProxiesTest {
  private static ClusterConfig cluster(String... nameSite) {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String ns : nameSite) {
      String[] p = ns.split("@");
      nodes.put(p[0], new NodeConfig(p[0], false, List.of(List.of("bmc-" + p[0])), -1, false, null).withSite(
          p.length > 1 ? p[1] : null));
    }
    return new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL);
  }

  private static FenceProxies.Choice choose(ClusterConfig c, String target, String manager, Set<String> online,
      String failed) {
    return FenceProxies.choose(c, target, manager, online::contains, failed);
  }

  @Test
  void sameSiteFirstThenAnyOtherThenTheManagersOwnNeverTheTarget() {
    ClusterConfig c = cluster("a@dc1", "b@dc1", "c@dc2", "d@dc2", "e");
    Set<String> all = Set.of("a", "b", "c", "d", "e");
    assertThat(choose(c, "d", "a", all, null)).isEqualTo(new FenceProxies.Choice("c", "same site dc2"));
    assertThat(choose(c, "d", "c", all, null).node()).as("the manager's node is not preferred, even of the site")
        .isEqualTo("a");
    assertThat(choose(c, "d", "c", all, null).reason()).isEqualTo("no other online node of site dc2");
    assertThat(choose(c, "d", "a", Set.of("a", "b", "d"), null).node()).as("c offline: another site")
        .isEqualTo("b");
    assertThat(choose(c, "d", "a", Set.of("a", "d"), null))
        .isEqualTo(new FenceProxies.Choice("a", "the manager's own node: no other online node"));
    assertThat(choose(c, "e", "a", all, null).node()).as("no site: the lowest name but the manager's")
        .isEqualTo("b");
  }

  @Test
  void theProxyOfTheLastFailedAttemptGoesToTheEndOfItsRank() {
    ClusterConfig c = cluster("a@dc1", "b@dc2", "c@dc2", "d@dc2", "e");
    Set<String> all = Set.of("a", "b", "c", "d", "e");
    assertThat(choose(c, "d", "a", all, null).node()).isEqualTo("b");
    FenceProxies.Choice retry = choose(c, "d", "a", all, "b");
    assertThat(retry.node()).isEqualTo("c");
    assertThat(retry.reason()).isEqualTo("same site dc2; b failed last time");
    assertThat(choose(c, "d", "a", Set.of("a", "b", "d", "e"), "b"))
        .as("alone in its rank, the failed proxy is still preferred over another site")
        .isEqualTo(new FenceProxies.Choice("b", "same site dc2; again, none better"));
    assertThat(choose(c, "e", "a", all, "b").node()).as("no site: the next lowest").isEqualTo("c");
  }
}
