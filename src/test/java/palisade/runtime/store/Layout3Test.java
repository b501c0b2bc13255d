package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ManagerState;
import palisade.core.Op;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;

/**
 * Store layout 3 against a real peer: each resource status is filed in its node's group, with a copy in its
 * target's group while it has a target; a status that changes node moves its znode in the same write; the head's
 * group sums are those of the znodes each group holds, so a view of one group can tell it holds all of it; readers
 * assemble the same record as in layout 2, and a store of schema 2 keeps writing layout 2.
 */
class Layout3Test {
  private static final List<String> NODES = List.of("node1", "node2", "node3", "node4", "node5");

  @TempDir
  Path dir;

  LayoutFixture f;
  Admin admin;

  @BeforeEach
  void start() throws Exception {
    f = new LayoutFixture(dir, "127.0.2.19", 24_000 + (int) (ProcessHandle.current().pid() % 1_000) * 3);
    admin = f.admin();
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private static ServiceStatus status(ServiceState state, String node, String target, long token) {
    return new ServiceStatus(state, node, target, token, 0, new TreeSet<>(), null);
  }

  @Test
  void statusesAreFiledByNodeAndMoveWithTheirNode() throws Exception {
    LayoutFixture.Client manager = manager(3);
    assertThat(write(manager, s -> {
      for (int i = 0; i < 2_000; i++) {
        s.put(String.format("vm:%05d", i), status(ServiceState.STARTED, NODES.get(i % NODES.size()), null, i + 1));
      }
      s.put("vm:unplaced", status(ServiceState.STOPPED, null, null, 0));
    })).isInstanceOf(TxnResult.Committed.class);
    checkFiled(manager);

    // A recovery (node3's resources to node4, with a target while in recovery), then a migration, then the end.
    assertThat(write(manager, s -> s.replaceAll((k, v) -> "node3".equals(v.node())
        ? status(ServiceState.RECOVERY, "node3", "node4", v.token()) : v))).isInstanceOf(TxnResult.Committed.class);
    checkFiled(manager);
    assertThat(write(manager, s -> s.replaceAll((k, v) -> v.state() == ServiceState.RECOVERY
        ? status(ServiceState.STARTED, "node4", null, v.token() + 10_000) : v)))
        .isInstanceOf(TxnResult.Committed.class);
    checkFiled(manager);
    assertThat(write(manager, s -> s.put("vm:00001", status(ServiceState.MIGRATE, "node2", "node5", 2))))
        .isInstanceOf(TxnResult.Committed.class);
    checkFiled(manager);
    assertThat(write(manager, s -> {
      s.put("vm:00001", status(ServiceState.STARTED, "node5", null, 3));
      s.remove("vm:00002");
    })).isInstanceOf(TxnResult.Committed.class);
    ManagerState written = checkFiled(manager);
    assertThat(written.services()).hasSize(2_000).doesNotContainKey("vm:00002");

    // Another view and the operator's read assemble the very record.
    LayoutFixture.Client reader = f.client();
    await().atMost(Duration.ofSeconds(60)).until(() -> reader.onLoop(() -> {
      Versioned<Object> v = reader.store.view().get(StorePaths.MANAGER_STATE);
      return v != null && v.value().equals(written);
    }));
    assertThat(admin.value(StorePaths.MANAGER_STATE, ManagerState.class)).isEqualTo(written);
    // The reader's own write (it became the manager) keeps the layout.
    assertThat(write(reader, s -> s.put("vm:00003", status(ServiceState.STARTED, "node1", null, 99))))
        .isInstanceOf(TxnResult.Committed.class);
    checkFiled(reader);
  }

  /**
   * The manager's status budget keeps its largest writes under the transaction bound in layout 3: a budget of
   * statuses that each gain a target (their copies written too) or each change node (deleted in one group, created
   * in another), with 20-character ids and 12-character node names.
   */
  @Test
  void aBudgetOfMovesStaysUnderTheTransactionBound() throws Exception {
    LayoutFixture.Client manager = manager(3);
    int n = palisade.core.StatusBudget.DEFAULT;
    java.util.function.IntFunction<String> id = i -> String.format("vm:web-frontend-%04d", i);
    for (int from = 0; from < n; from += 200) { // placed 200 a write first
      int start = from;
      assertThat(write(manager, s -> {
        for (int i = start; i < start + 200; i++) s.put(id.apply(i), status(ServiceState.STARTED, "hypervisor-a1",
            null, i + 1));
      })).isInstanceOf(TxnResult.Committed.class);
    }
    assertThat(write(manager, s -> s.replaceAll((k, v) -> status(ServiceState.MIGRATE, "hypervisor-a1",
        "hypervisor-b2", v.token() + n)))).isInstanceOf(TxnResult.Committed.class);
    long gained = manager.store.lastTxnBytes();
    assertThat(write(manager, s -> s.replaceAll((k, v) -> status(ServiceState.STARTED, "hypervisor-b2", null,
        v.token())))).isInstanceOf(TxnResult.Committed.class);
    long moved = manager.store.lastTxnBytes();
    System.out.printf("layout 3: %d statuses gaining a target: %d bytes; changing node and losing it: %d bytes%n", n,
        gained, moved);
    assertThat(gained).isLessThanOrEqualTo(Layout2.TXN_MAX);
    assertThat(moved).isLessThanOrEqualTo(Layout2.TXN_MAX);
    checkFiled(manager);
  }

  @Test
  void aStoreOfSchema2KeepsLayout2() throws Exception {
    LayoutFixture.Client manager = manager(2);
    assertThat(write(manager, s -> s.put("vm:1", status(ServiceState.MIGRATE, "node1", "node2", 1))))
        .isInstanceOf(TxnResult.Committed.class);
    Layout2.Head head = Layout2.decodeHead(admin.client().getData().forPath(StorePaths.MANAGER_STATE));
    assertThat(head.layout()).isEqualTo(2);
    assertThat(head.groups()).isNull();
    assertThat(admin.client().checkExists().forPath(StorePaths.MANAGER_STATE + "/" + Layout2.TARGETS)).isNull();
    assertThat(admin.client().checkExists().forPath(Layout2.entryPath(StorePaths.MANAGER_STATE, "services", "vm:1")))
        .isNotNull();
  }

  /** A store of schema with an empty manager's state, and the client that wrote it. */
  private LayoutFixture.Client manager(int schema) throws Exception {
    admin.update(StorePaths.SCHEMA, Integer.class, v -> schema);
    LayoutFixture.Client manager = f.client();
    await().atMost(Duration.ofSeconds(30)).until(() -> manager.onLoop(
        () -> manager.store.view().get(StorePaths.SCHEMA) != null));
    assertThat(manager.submit(Txn.of(new Op.Put(StorePaths.MANAGER_STATE, Op.ABSENT, ManagerState.empty()))))
        .isInstanceOf(TxnResult.Committed.class);
    return manager;
  }

  /**
   * Every status in exactly one znode, in its node's group; a copy in its target's group iff it has a target; the
   * head's group sums those of the znodes; returns the state the client's view holds.
   */
  private ManagerState checkFiled(LayoutFixture.Client c) throws Exception {
    ManagerState s = c.onLoop(() -> (ManagerState) c.store.view().get(StorePaths.MANAGER_STATE).value());
    CuratorFramework z = admin.client();
    Layout2.Head head = Layout2.decodeHead(z.getData().forPath(StorePaths.MANAGER_STATE));
    assertThat(head.layout()).isEqualTo(3);
    for (String field : List.of("services", Layout2.TARGETS)) {
      Map<String, Integer> bucketOf = new TreeMap<>();
      List<Layout2.Sum> sums = new ArrayList<>(java.util.Collections.nCopies(Layout2.GROUPS, Layout2.Sum.EMPTY));
      for (int b = 0; b < Layout2.BUCKETS; b++) {
        String bucket = Layout2.bucketPath(StorePaths.MANAGER_STATE, field, b);
        List<String> children;
        try {
          children = z.getChildren().forPath(bucket);
        } catch (KeeperException.NoNodeException e) {
          children = List.of();
        }
        for (String child : children) {
          var e = Layout2.decodeEntry(StorePaths.MANAGER_STATE, field, z.getData().forPath(bucket + "/" + child));
          assertThat(bucketOf.put(e.getKey(), b)).as("%s filed twice in %s", e.getKey(), field).isNull();
          int g = b / Layout2.PER_GROUP;
          sums.set(g, sums.get(g).plus(e.getKey(), ((Layout2.Valued) e.getValue()).at()));
        }
      }
      for (var e : s.services().entrySet()) {
        ServiceStatus ss = e.getValue();
        String node = field.equals("services") ? ss.node() : ss.target();
        if (field.equals(Layout2.TARGETS) && node == null) {
          assertThat(bucketOf).as("copy of %s without a target", e.getKey()).doesNotContainKey(e.getKey());
          continue;
        }
        assertThat(bucketOf).as("%s in %s", e.getKey(), field).containsKey(e.getKey());
        if (node != null) assertThat(bucketOf.get(e.getKey()) / Layout2.PER_GROUP).isEqualTo(Layout2.groupOf(node));
      }
      assertThat(bucketOf.keySet()).as(field).isSubsetOf(s.services().keySet());
      assertThat(head.groups().get(field)).as("group sums of %s", field).isEqualTo(sums);
    }
    return s;
  }

  private static TxnResult write(LayoutFixture.Client c, java.util.function.Consumer<Map<String, ServiceStatus>> edit)
      throws Exception {
    Op.Put put = c.stateWrite(edit);
    TxnResult r = c.submit(Txn.of(put));
    if (r instanceof TxnResult.Committed) {
      // the view holds its own write once the cache delivered it
      long want = put.expectedVersion() + 1;
      await().atMost(Duration.ofSeconds(60)).until(() -> c.onLoop(
          () -> c.store.view().get(StorePaths.MANAGER_STATE).version() >= want));
    }
    return r;
  }
}
