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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.RetryNTimes;
import palisade.core.ClusterConfig;
import palisade.core.NodeConfig;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.Txn;
import palisade.core.TxnResult;

/** A standalone embedded peer on loopback, an admin handle and store clients on their own loops (layout tests). */
final class LayoutFixture implements AutoCloseable {
  final EmbeddedPeer peer;
  final String connect;
  final Path creds;
  private final List<AutoCloseable> open = new ArrayList<>();

  LayoutFixture(Path dir, String host, int port) throws Exception {
    creds = dir.resolve("credentials");
    Credentials.initCa(creds, "test");
    Credential node = Credential.load(Credentials.issueNode(creds, "node1", 1));
    Credentials.issueOperator(creds, "alice", Credential.Role.ADMIN, 1);
    peer = EmbeddedPeer.start(dir.resolve("zk"), 1, List.of(new EmbeddedPeer.Member(1, host, port, port + 1,
        port + 2)), node, code -> { });
    connect = host + ":" + port;
  }

  Admin admin() throws Exception {
    Admin a = new Admin(connect, "test", Credential.load(Credentials.operatorDir(creds, "alice")));
    assertThat(a.connect(15_000)).isTrue();
    open.add(a);
    return a;
  }

  /** A store client of node1 on a loop of its own. */
  Client client() throws Exception {
    return client(null);
  }

  /** A store client of node1 on a loop of its own, its view scoped to node (null: a whole view). */
  Client client(String scopedTo) throws Exception {
    Client c = new Client(this, scopedTo);
    open.add(c);
    return c;
  }

  static final class Client implements AutoCloseable {
    final CuratorFramework curator;
    final ExecutorService loop = Executors.newSingleThreadExecutor();
    final ZkStore store;

    Client(LayoutFixture f, String scopedTo) throws Exception {
      curator = ZkStore.newClient(f.connect, "test", Credential.load(Credentials.nodeDir(f.creds, "node1")), b -> b
          .sessionTimeoutMs(10_000).connectionTimeoutMs(5_000).retryPolicy(new RetryNTimes(0, 0)));
      curator.start();
      store = new ZkStore(curator, loop, System::currentTimeMillis);
      if (scopedTo != null) store.scopeTo(scopedTo);
      store.start();
      try {
        // 100,000 znodes take a while to load on a busy machine.
        await().atMost(Duration.ofSeconds(180)).until(store::synced);
      } catch (RuntimeException | Error e) {
        close(); // no client outlives the test (it would retry with credentials the test deleted)
        throw e;
      }
    }

    TxnResult submit(Txn txn) throws Exception {
      LinkedBlockingQueue<TxnResult> q = new LinkedBlockingQueue<>();
      loop.execute(() -> store.submit(txn, (r, t) -> q.add(r))); // as the core does: from its loop
      TxnResult r = q.poll(60, TimeUnit.SECONDS);
      assertThat(r).isNotNull();
      return r;
    }

    /** A manager state write from the view's state, changed by edit (on the services), at the view's version. */
    palisade.core.Op.Put stateWrite(java.util.function.Consumer<Map<String, ServiceStatus>> edit) throws Exception {
      return onLoop(() -> {
        palisade.core.Versioned<Object> v = store.view().get(palisade.core.StorePaths.MANAGER_STATE);
        palisade.core.ManagerState s = (palisade.core.ManagerState) v.value();
        TreeMap<String, ServiceStatus> services = new TreeMap<>(s.services());
        edit.accept(services);
        return new palisade.core.Op.Put(palisade.core.StorePaths.MANAGER_STATE, v.version(),
            new palisade.core.ManagerState(s.epoch(), s.nextToken() + 1, s.commandSeq(), s.nodes(), services,
                s.fencing(), s.spm(), s.maintenance(), s.softFences(), s.deviceCheck(), s.ha(), s.disks()));
      });
    }

    /** Reads the view on the loop (the mirror changes only there). */
    <T> T onLoop(java.util.concurrent.Callable<T> read) throws Exception {
      return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return read.call();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, loop).get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      store.close();
      curator.close();
      loop.shutdownNow();
    }
  }

  static ResourceConfig resource(int i) {
    return new ResourceConfig(String.format("vm:%05d", i), "node1", RequestState.STOPPED, null, 0, 1, 1, List.of(),
        "process", new TreeMap<>(Map.of("command", "sleep 100000")));
  }

  static ServiceStatus status(String node, long token) {
    return new ServiceStatus(ServiceState.STARTED, node, null, token, 0, new TreeSet<>(), null);
  }

  static ClusterConfig config(int resources) {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>(Map.of("node1", NodeConfig.standard("node1"), "node2",
        NodeConfig.standard("node2")));
    TreeMap<String, ResourceConfig> rs = new TreeMap<>();
    for (int i = 0; i < resources; i++) rs.put(resource(i).id(), resource(i));
    return new ClusterConfig(nodes, new TreeMap<>(), rs, ShutdownPolicy.CONDITIONAL);
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : open) c.close();
    peer.close();
  }
}
