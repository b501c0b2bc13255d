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
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ManagerLease;
import palisade.core.NodeRecord;
import palisade.core.Op;
import palisade.core.StorePaths;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;

/** The store client against a standalone embedded ZooKeeper on loopback: CAS semantics, the view, the loop. */
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
    assertThat(List.of(renewal, managerRenewal, state, takeover)).map(ZkStore::leaseOnly)
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
}
