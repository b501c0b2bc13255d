package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ManagerLease;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.Op;
import palisade.core.StorePaths;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;

/**
 * The store client against a standalone embedded ZooKeeper on loopback: CAS semantics, the view, the loop; a view
 * scoped to one node (its own record, others' on demand, widened and narrowed live).
 */
class ZkStoreTest {
  @TempDir
  Path dir;

  private EmbeddedPeer peer;
  private Credential node;
  private String connect;
  private CuratorFramework curator;
  private ExecutorService loop;
  private ZkStore store;
  private Thread loopThread;

  @BeforeEach
  void start() throws Exception {
    int port = 21_000 + (int) (ProcessHandle.current().pid() % 5_000);
    Path creds = dir.resolve("credentials");
    Credentials.initCa(creds, "test");
    node = Credential.load(Credentials.issueNode(creds, "node1", 1));
    connect = "127.0.2.1:" + port;
    peer = EmbeddedPeer.start(dir.resolve("zk"), 1,
        List.of(new EmbeddedPeer.Member(1, "127.0.2.1", port, port + 1, port + 2)), node, code -> { });
    curator = ZkStore.newClient(connect, "test", node, b -> b
        .sessionTimeoutMs(3_000).connectionTimeoutMs(2_000).retryPolicy(new RetryNTimes(0, 0)));
    curator.start();
    loop = Executors.newSingleThreadExecutor(r -> {
      loopThread = new Thread(r, "test-loop");
      return loopThread;
    });
    store = new ZkStore(curator, loop, System::currentTimeMillis);
    store.start();
    await().atMost(Duration.ofSeconds(30)).until(store::synced);
  }

  @AfterEach
  void stop() {
    store.close();
    curator.close();
    loop.shutdownNow();
    peer.close();
  }

  private TxnResult submit(Txn txn) throws InterruptedException {
    return submit(store, txn);
  }

  private TxnResult submit(ZkStore via, Txn txn) throws InterruptedException {
    LinkedBlockingQueue<TxnResult> q = new LinkedBlockingQueue<>();
    via.submit(txn, (r, t) -> {
      assertThat(Thread.currentThread()).isSameAs(loopThread); // completions run on the event loop
      q.add(r);
    });
    TxnResult r = q.poll(10, TimeUnit.SECONDS);
    assertThat(r).isNotNull();
    return r;
  }

  @Test
  void everyWriteIsACompareAndSet() throws Exception {
    String path = StorePaths.node("node1");
    NodeRecord fresh = NodeRecord.fresh("node1");
    TxnResult created = submit(Txn.of(new Op.Put(path, Op.ABSENT, fresh)));
    assertThat(created).isEqualTo(new TxnResult.Committed(java.util.Map.of(path, 0L)));
    // The view shows our own write at once, typed by path.
    assertThat(store.view().get(path, NodeRecord.class)).isEqualTo(new Versioned<>(fresh, 0));

    assertThat(submit(Txn.of(new Op.Put(path, Op.ABSENT, fresh)))).isEqualTo(new TxnResult.Conflict(path));
    NodeRecord renewed = fresh.renewed(fresh.mode(), fresh.results(), false, true, 0);
    assertThat(submit(Txn.of(new Op.Put(path, 0, renewed))))
        .isEqualTo(new TxnResult.Committed(java.util.Map.of(path, 1L)));
    assertThat(submit(Txn.of(new Op.Put(path, 0, renewed)))).isEqualTo(new TxnResult.Conflict(path));

    // Atomic: a failing check leaves the put undone, and names the failing path.
    ManagerLease lease = new ManagerLease("node1", 1, 0);
    TxnResult r = submit(Txn.of(new Op.Unchanged(path, 0), new Op.Put(StorePaths.MANAGER_LEASE, Op.ABSENT, lease)));
    assertThat(r).isEqualTo(new TxnResult.Conflict(path));
    assertThat(curator.checkExists().forPath(StorePaths.MANAGER_LEASE)).isNull();
    assertThat(store.view().get(path).version()).isEqualTo(1);
  }

  @Test
  void writesByOthersReachTheView() throws Exception {
    ManagerLease lease = new ManagerLease("node2", 4, 9);
    curator.create().forPath(StorePaths.MANAGER_LEASE, Codec.encode(lease));
    await().atMost(Duration.ofSeconds(10)).until(() -> store.view().get(StorePaths.MANAGER_LEASE) != null);
    assertThat(store.view().get(StorePaths.MANAGER_LEASE, ManagerLease.class)).isEqualTo(new Versioned<>(lease, 0));
  }

  @Test
  void renewalsTravelOnTheLeaseSessionAndOnlyThey() throws Exception {
    String path = StorePaths.node("node1");
    Txn renewal = Txn.of(new Op.Put(path, Op.ABSENT, NodeRecord.fresh("node1")));
    Txn managerRenewal = Txn.of(new Op.Put(StorePaths.MANAGER_LEASE, Op.ABSENT, new ManagerLease("node1", 1, 0)));
    Txn state = Txn.of(new Op.Put(StorePaths.MANAGER_STATE, Op.ABSENT, palisade.core.ManagerState.empty()));
    Txn takeover = Txn.of(managerRenewal.ops().get(0), state.ops().get(0));
    assertThat(List.of(renewal, managerRenewal, state, takeover)).map(ZkTxn::leaseOnly)
        .containsExactly(true, true, false, false);

    CuratorFramework leases = ZkStore.newClient(connect, "test", node, b -> b.sessionTimeoutMs(3_000)
        .connectionTimeoutMs(2_000).retryPolicy(new RetryNTimes(0, 0)));
    leases.start();
    ZkStore two = new ZkStore(curator, leases, loop, System::currentTimeMillis);
    try {
      two.start();
      await().atMost(Duration.ofSeconds(30)).until(two::synced);
      assertThat(submit(two, renewal)).isEqualTo(new TxnResult.Committed(java.util.Map.of(path, 0L)));
      // Without its lease session a renewal fails at once, while the rest still goes through the view's session.
      leases.close();
      NodeRecord fresh = NodeRecord.fresh("node1");
      Txn next = Txn.of(new Op.Put(path, 0, fresh.renewed(fresh.mode(), fresh.results(), false, true, 0)));
      assertThat(submit(two, next)).isInstanceOf(TxnResult.Unavailable.class);
      assertThat(submit(two, state)).isEqualTo(new TxnResult.Committed(java.util.Map.of(StorePaths.MANAGER_STATE,
          0L)));
      assertThat(curator.getData().forPath(path)).isEqualTo(Codec.encode(NodeRecord.fresh("node1")));
    } finally {
      two.close();
    }
  }

  @Test
  void aLostStoreIsUnavailableAndNotSynced() throws Exception {
    peer.close();
    await().atMost(Duration.ofSeconds(15)).until(() -> !store.synced());
    TxnResult r = submit(Txn.of(new Op.Put(StorePaths.node("n"), Op.ABSENT, NodeRecord.fresh("n"))));
    assertThat(r).isInstanceOf(TxnResult.Unavailable.class);
  }

  // ---- scoped views --------------------------------------------------------------------------------------------

  private static final String NODE1 = StorePaths.node("node1");
  private static final String NODE2 = StorePaths.node("node2");
  private static final String USAGE2 = StorePaths.usage("node2");

  /** A view scoped to node1, on a session of its own (the writes of this test go through the other one). */
  private final class Scoped implements AutoCloseable {
    final CuratorFramework client;
    final ZkStore store;

    Scoped(long interestIdleMs, LongSupplier clock) {
      client = ZkStore.newClient(connect, "test", node, b -> b.sessionTimeoutMs(3_000).connectionTimeoutMs(2_000)
          .retryPolicy(new RetryNTimes(0, 0)));
      client.start();
      store = new ZkStore(client, loop, clock);
      store.scopeTo("node1");
      if (interestIdleMs > 0) store.scope().interestIdleMs(interestIdleMs);
      try {
        store.start();
        await().atMost(Duration.ofSeconds(30)).until(store::synced);
      } catch (RuntimeException | Error e) {
        close();
        throw e;
      }
    }

    Scoped() {
      this(0, System::currentTimeMillis);
    }

    @Override
    public void close() {
      store.close();
      client.close();
    }
  }

  private void createRecord(String name) throws Exception {
    curator.create().forPath(StorePaths.node(name), Codec.encode(NodeRecord.fresh(name)));
  }

  private static NodeRecord renewed(String name, int times) {
    NodeRecord r = NodeRecord.fresh(name);
    for (int i = 0; i < times; i++) r = r.renewed(r.mode(), r.results(), false, true, 0);
    return r;
  }

  private static final NodeUsage USAGE = new NodeUsage(1, 5_000, 4, 1L << 30, null);

  @Test
  void aScopedViewMirrorsTheBaseTreesAndItsOwnRecordAndOtherRecordsOnceAskedFor() throws Exception {
    curator.create().forPath(StorePaths.CONFIG, Codec.encode(LayoutFixture.config(1)));
    curator.create().forPath(StorePaths.MANAGER_STATE, Codec.encode(ManagerState.empty()));
    createRecord("node2");
    curator.create().creatingParentsIfNeeded().forPath(USAGE2, Codec.encode(USAGE));
    try (Scoped s = new Scoped()) {
      ZkStore v = s.store;
      // Synced: the base trees are in.
      assertThat(v.mirrored(StorePaths.CONFIG)).isNotNull();
      assertThat(v.mirrored(StorePaths.MANAGER_STATE)).isNotNull();
      // Its own record, created after the view started, arrives and is followed.
      assertThat(v.mirrored(NODE1)).isNull();
      createRecord("node1");
      await().atMost(Duration.ofSeconds(10)).until(() -> v.mirrored(NODE1) != null);
      curator.setData().forPath(NODE1, Codec.encode(renewed("node1", 1)));
      await().atMost(Duration.ofSeconds(10)).until(() -> v.mirrored(NODE1).version() == 1);
      // The full view holds every node's record and usage, as it always did; the scoped one does not.
      await().atMost(Duration.ofSeconds(10)).until(() -> store.view().get(NODE2) != null
          && store.view().get(USAGE2) != null);
      assertThat(v.mirrored(NODE2)).isNull();
      assertThat(v.mirrored(USAGE2)).isNull();
      assertThat(v.allNodesLoaded()).isFalse();
      assertThat(store.allNodesLoaded()).isTrue();

      // Asked for another node's record: null at first, then mirrored and followed; synced all along.
      assertThat(v.view().get(NODE2)).isNull();
      assertThat(v.synced()).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> v.view().get(NODE2) != null);
      assertThat(v.view().get(NODE2, NodeRecord.class)).isEqualTo(new Versioned<>(NodeRecord.fresh("node2"), 0));
      curator.setData().forPath(NODE2, Codec.encode(renewed("node2", 1)));
      await().atMost(Duration.ofSeconds(10)).until(() -> v.view().get(NODE2).version() == 1);
      assertThat(v.view().get(NODE2, NodeRecord.class).value()).isEqualTo(renewed("node2", 1));
      // Usage is never mirrored on demand: only node records are.
      assertThat(v.view().get(USAGE2)).isNull();
      assertThat(v.scope().interests()).containsExactly(NODE2);
      assertThat(v.synced()).isTrue();
    }
  }

  @Test
  void aRecordNotReadForTheIdleTimeLeavesTheView() throws Exception {
    createRecord("node2");
    try (Scoped s = new Scoped(1_000, System::currentTimeMillis)) {
      ZkStore v = s.store;
      await().atMost(Duration.ofSeconds(10)).until(() -> v.view().get(NODE2) != null);
      long until = System.currentTimeMillis() + 2_500; // read for more than twice the idle time: kept
      while (System.currentTimeMillis() < until) {
        assertThat(v.view().get(NODE2)).isNotNull();
        Thread.sleep(50);
      }
      assertThat(v.scope().interests()).containsExactly(NODE2);
      // No longer read: dropped by the sweep, from the mirror too; asked again, it comes back.
      await().atMost(Duration.ofSeconds(10)).until(() -> v.scope().interests().isEmpty()
          && v.mirrored(NODE2) == null);
      await().atMost(Duration.ofSeconds(10)).until(() -> v.view().get(NODE2) != null);
    }
  }

  @Test
  void anInterestLastsSixtySecondsAfterItsLastRead() throws Exception {
    createRecord("node2");
    AtomicLong skew = new AtomicLong();
    try (Scoped s = new Scoped(0, () -> System.currentTimeMillis() + skew.get())) {
      ZkStore v = s.store;
      await().atMost(Duration.ofSeconds(10)).until(() -> v.view().get(NODE2) != null);
      skew.addAndGet(ViewScope.INTEREST_IDLE_MS - 2_000);
      v.scope().sweep();
      assertThat(v.scope().interests()).containsExactly(NODE2);
      skew.addAndGet(2_001);
      v.scope().sweep();
      assertThat(v.scope().interests()).isEmpty();
      await().atMost(Duration.ofSeconds(10)).until(() -> v.mirrored(NODE2) == null);
    }
  }

  @Test
  void watchingAllNodesWidensAndNarrowsTheViewLive() throws Exception {
    for (String n : List.of("node1", "node2", "node3")) createRecord(n);
    curator.create().creatingParentsIfNeeded().forPath(USAGE2, Codec.encode(USAGE));
    try (Scoped s = new Scoped()) {
      ZkStore v = s.store;
      assertThat(v.mirrored(NODE1)).isNotNull();
      await().atMost(Duration.ofSeconds(10)).until(() -> v.view().get(NODE2) != null); // a live interest

      v.watchAllNodes(true);
      v.watchAllNodes(true);
      await().atMost(Duration.ofSeconds(10)).until(v::allNodesLoaded);
      assertThat(v.mirrored(StorePaths.node("node3"))).isNotNull(); // loaded means in the mirror
      assertThat(v.mirrored(USAGE2)).isNotNull();
      assertThat(v.synced()).isTrue();
      createRecord("node4");
      await().atMost(Duration.ofSeconds(10)).until(() -> v.mirrored(StorePaths.node("node4")) != null);

      v.watchAllNodes(false);
      v.watchAllNodes(false);
      assertThat(v.allNodesLoaded()).isFalse();
      await().atMost(Duration.ofSeconds(10)).until(() -> v.mirrored(StorePaths.node("node3")) == null
          && v.mirrored(StorePaths.node("node4")) == null && v.mirrored(USAGE2) == null);
      assertThat(v.mirrored(NODE1)).isNotNull(); // its own
      assertThat(v.mirrored(NODE2)).isNotNull(); // still read
      assertThat(v.synced()).isTrue();
      // Others' later writes stay out; its own are followed.
      curator.setData().forPath(StorePaths.node("node3"), Codec.encode(renewed("node3", 1)));
      curator.setData().forPath(NODE1, Codec.encode(renewed("node1", 1)));
      await().atMost(Duration.ofSeconds(10)).until(() -> v.mirrored(NODE1).version() == 1);
      assertThat(v.mirrored(StorePaths.node("node3"))).isNull();
    }
  }

  @Test
  void aScopedViewGetsNoEventsForOtherNodesRecordWrites() throws Exception {
    createRecord("node1");
    createRecord("node2");
    try (Scoped s = new Scoped()) {
      AtomicInteger others = new AtomicInteger();
      AtomicInteger own = new AtomicInteger();
      AtomicInteger full = new AtomicInteger();
      s.store.onDelivery(p -> (p.equals(NODE1) ? own : p.startsWith(StorePaths.NODES) ? others : new AtomicInteger())
          .incrementAndGet());
      store.onDelivery(p -> {
        if (p.equals(NODE2)) full.incrementAndGet();
      });
      for (int i = 1; i <= 50; i++) curator.setData().forPath(NODE2, Codec.encode(renewed("node2", i)));
      // Written after the others: the scoped session's notifications and reads come in order, so once this one
      // arrived, any for node2 would have too.
      curator.setData().forPath(NODE1, Codec.encode(renewed("node1", 1)));
      await().atMost(Duration.ofSeconds(10)).until(() -> own.get() > 0 && full.get() > 0);
      assertThat(others.get()).isZero();
      assertThat(s.store.mirrored(NODE2)).isNull();
    }
  }
}
