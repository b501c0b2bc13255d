package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodePart;
import palisade.core.Op;
import palisade.core.PlacementConfig;
import palisade.core.ResourceConfig;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;

/**
 * An agent-only node's view against a real peer (layout 3): it holds of the manager's state its node group's
 * statuses, with the target copies filed there, and of the configuration the entries of its node's resources only;
 * what concerns its node is there, every change of it arrives, and nothing of other groups is held. A resource enters
 * the view's state only with its configuration. Widened (the node becomes a manager candidate), the view holds both
 * records whole; it never writes over a record it holds only part of.
 */
class PartViewTest {
  private static final List<String> NODES = List.of("node1", "node2", "node3", "node4", "node5");
  private static final int RESOURCES = 1_000;

  @TempDir
  Path dir;

  LayoutFixture f;
  Admin admin;
  LayoutFixture.Client manager;

  @BeforeEach
  void start() throws Exception {
    f = new LayoutFixture(dir, "127.0.2.20", 27_000 + (int) (ProcessHandle.current().pid() % 1_000) * 3);
    admin = f.admin();
    admin.update(StorePaths.SCHEMA, Integer.class, v -> 3);
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : NODES) nodes.put(n, NodeConfig.standard(n));
    TreeMap<String, ResourceConfig> rs = new TreeMap<>();
    for (int i = 0; i < RESOURCES; i++) rs.put(LayoutFixture.resource(i).id(), LayoutFixture.resource(i));
    // A rule naming resources of other nodes: the part leaves rules out (they would name resources it lacks).
    palisade.core.Rule apart = new palisade.core.Rule("apart", palisade.core.Rule.Kind.NEGATIVE, new TreeMap<>(),
        new TreeSet<>(List.of(LayoutFixture.resource(0).id(), LayoutFixture.resource(3).id())), true, false);
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> new ClusterConfig(nodes, new TreeMap<>(), rs,
        ShutdownPolicy.CONDITIONAL, null, 0, new PlacementConfig(new TreeMap<>(java.util.Map.of("apart", apart)),
        null, true, null, null)));
    manager = f.client();
    await().atMost(Duration.ofSeconds(60)).until(() -> manager.onLoop(() -> manager.store.view()
        .get(StorePaths.SCHEMA) != null && manager.store.view().get(StorePaths.CONFIG) != null));
    assertThat(manager.submit(Txn.of(new Op.Put(StorePaths.MANAGER_STATE, Op.ABSENT, ManagerState.empty()))))
        .isInstanceOf(TxnResult.Committed.class);
    write(s -> {
      for (int i = 0; i < RESOURCES; i++) {
        s.put(LayoutFixture.resource(i).id(), status(ServiceState.STARTED, NODES.get(i % NODES.size()), null, i + 1));
      }
      // node3 migrates one of its resources to node2: node2's part holds it by the target copy
      s.put(LayoutFixture.resource(2).id(), status(ServiceState.MIGRATE, "node3", "node2", 3));
    });
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private static ServiceStatus status(ServiceState state, String node, String target, long token) {
    return new ServiceStatus(state, node, target, token, 0, new TreeSet<>(), null);
  }

  private void write(java.util.function.Consumer<Map<String, ServiceStatus>> edit) throws Exception {
    Op.Put put = manager.stateWrite(edit);
    assertThat(manager.submit(Txn.of(put))).isInstanceOf(TxnResult.Committed.class);
    long want = put.expectedVersion() + 1;
    await().atMost(Duration.ofSeconds(60)).until(() -> manager.onLoop(
        () -> manager.store.view().get(StorePaths.MANAGER_STATE).version() >= want));
  }

  private ManagerState whole() throws Exception {
    return manager.onLoop(() -> (ManagerState) manager.store.view().get(StorePaths.MANAGER_STATE).value());
  }

  /** The agent's view holds node2's part exactly as the whole state has it, and the configuration of just those. */
  private void holdsItsPart(LayoutFixture.Client agent) throws Exception {
    ManagerState want = NodePart.stateOf(whole(), "node2");
    ClusterConfig wholeConfig = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.onLoop(() -> {
      Versioned<Object> ms = agent.store.view().get(StorePaths.MANAGER_STATE);
      Versioned<Object> cfg = agent.store.view().get(StorePaths.CONFIG);
      return ms != null && cfg != null && NodePart.stateOf((ManagerState) ms.value(), "node2").equals(want)
          && ((ClusterConfig) cfg.value()).resources().keySet().equals(want.services().keySet());
    }));
    ManagerState held = agent.onLoop(() -> (ManagerState) agent.store.view().get(StorePaths.MANAGER_STATE).value());
    int group = Layout2.groupOf("node2");
    for (ServiceStatus ss : held.services().values()) {
      boolean inGroup = ss.node() != null && Layout2.groupOf(ss.node()) == group
          || ss.target() != null && Layout2.groupOf(ss.target()) == group;
      assertThat(inGroup).as("%s held by node2's view", ss).isTrue();
    }
    ClusterConfig config = agent.onLoop(() -> (ClusterConfig) agent.store.view().get(StorePaths.CONFIG).value());
    assertThat(config.nodes()).isEqualTo(wholeConfig.nodes());
    assertThat(config.timing()).isEqualTo(wholeConfig.timing());
    assertThat(config.placement()).isEqualTo(wholeConfig.placement().withoutResourceRules());
    assertThat(wholeConfig.placement().rules()).containsKey("apart");
    assertThat(config.placement().rebalanceOnStart()).isTrue();
    for (String id : want.services().keySet()) {
      assertThat(config.resources().get(id)).isEqualTo(wholeConfig.resources().get(id));
    }
  }

  @Test
  void anAgentOnlyViewHoldsItsNodesPartAndFollowsIt() throws Exception {
    LayoutFixture.Client agent = f.client("node2");
    holdsItsPart(agent);
    ManagerState held = agent.onLoop(() -> (ManagerState) agent.store.view().get(StorePaths.MANAGER_STATE).value());
    assertThat(held.services()).hasSizeLessThan(RESOURCES / 4).containsKey(LayoutFixture.resource(2).id());
    // What its caches hold: no whole /config or /manager, no other group's statuses, one entry per own resource.
    // A whole view holds every status and resource entry (2,000 here) besides its maps' 3 x 257 parent znodes.
    long znodes = agent.store.scope().storages().stream().mapToLong(st -> st.size()).sum();
    assertThat(znodes).as("znodes the view holds").isLessThan(3 * 257 + RESOURCES / 2);
    assertThat(agent.store.scope().caches()).noneMatch(c -> PartScope.REPLACED.contains(c.path) && c.kind
        == ViewCache.Kind.BASE || c.path.matches(".*/(services|targets)/\\d+") && Integer.parseInt(
        c.path.substring(c.path.lastIndexOf('/') + 1)) / Layout2.PER_GROUP != Layout2.groupOf("node2"));

    // A resource moved to node2, one moved away, one removed from both records: the view follows.
    String in = LayoutFixture.resource(0).id(); // node1's
    String away = LayoutFixture.resource(1).id(); // node2's
    String gone = LayoutFixture.resource(6).id(); // node2's
    write(s -> {
      s.put(in, status(ServiceState.STARTED, "node2", null, 5_000));
      s.put(away, status(ServiceState.STARTED, "node4", null, 5_001));
      s.remove(gone);
    });
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withoutResource(gone));
    holdsItsPart(agent);
    ClusterConfig config = agent.onLoop(() -> (ClusterConfig) agent.store.view().get(StorePaths.CONFIG).value());
    assertThat(config.resources()).containsKey(in).doesNotContainKeys(away, gone);

    // It never writes over a record it holds only part of.
    Versioned<Object> part = agent.onLoop(() -> agent.store.view().get(StorePaths.MANAGER_STATE));
    assertThat(agent.submit(Txn.of(new Op.Put(StorePaths.MANAGER_STATE, part.version(), part.value()))))
        .isInstanceOf(TxnResult.Conflict.class);
    assertThat(admin.value(StorePaths.MANAGER_STATE, ManagerState.class)).isEqualTo(whole());

    // Widened to a manager candidate's view: both records whole again, then narrowed back to the part.
    agent.store.watchAllNodes(true);
    ManagerState all = whole();
    await().atMost(Duration.ofSeconds(60)).until(() -> agent.onLoop(() -> agent.store.allNodesLoaded()
        && all.equals(agent.store.view().get(StorePaths.MANAGER_STATE).value())));
    assertThat(agent.onLoop(() -> agent.store.view().get(StorePaths.CONFIG).value()))
        .isEqualTo(admin.value(StorePaths.CONFIG, ClusterConfig.class));
    agent.store.watchAllNodes(false);
    holdsItsPart(agent);
    assertThat(agent.onLoop(() -> agent.store.allNodesLoaded())).isFalse();
  }
}
