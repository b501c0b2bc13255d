package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.NodeRecord;
import palisade.core.StorePaths;
import palisade.lab.FaultProxy;

/**
 * A record created while the daemon's store connection was down reaches its view even when the listing that would
 * have found it was cut off too (the store flapping): the next reconnection lists every parent again.
 */
class ViewRelistTest {
  @TempDir
  Path dir;

  private LayoutFixture peer;
  private FaultProxy proxy;
  private CuratorFramework viewClient;
  private CuratorFramework writer;
  private ExecutorService loop;
  private ZkStore store;

  @BeforeEach
  void start() throws Exception {
    int port = 26_000 + (int) (ProcessHandle.current().pid() % 3_000);
    peer = new LayoutFixture(dir, "127.0.2.1", port);
    Credential node = Credential.load(Credentials.nodeDir(peer.creds, "node1"));
    proxy = new FaultProxy();
    int via = proxy.link("view", new InetSocketAddress("127.0.2.1", 0), new InetSocketAddress("127.0.2.1", port))
        .port();
    viewClient = ZkStore.newClient("127.0.2.1:" + via, "test", node, b -> b
        .sessionTimeoutMs(20_000).connectionTimeoutMs(2_000).retryPolicy(new RetryNTimes(0, 0)));
    viewClient.start();
    writer = ZkStore.newClient(peer.connect, "test", node, b -> b.retryPolicy(new RetryNTimes(3, 200)));
    writer.start();
    loop = Executors.newSingleThreadExecutor();
    store = new ZkStore(viewClient, loop, System::currentTimeMillis);
    store.start();
    await().atMost(Duration.ofSeconds(30)).until(store::synced);
  }

  @AfterEach
  void stop() throws Exception {
    store.close();
    viewClient.close();
    writer.close();
    loop.shutdownNow();
    proxy.close();
    peer.close();
  }

  @Test
  void aRecordWhoseListingWasCutOffReachesTheViewAtTheNextReconnection() throws Exception {
    writer.create().forPath(StorePaths.node("node1"), Codec.encode(NodeRecord.fresh("node1")));
    await().atMost(Duration.ofSeconds(10)).until(() -> store.view().get(StorePaths.node("node1")) != null);
    ChildData parent = store.scope().storage(StorePaths.NODES).stream()
        .filter(d -> d.getPath().endsWith(StorePaths.NODES)).findFirst().orElseThrow();

    proxy.cutAll(); // the view's connection drops; node2 is created meanwhile
    await().atMost(Duration.ofSeconds(10)).until(() -> !store.synced());
    writer.create().forPath(StorePaths.node("node2"), Codec.encode(NodeRecord.fresh("node2")));
    // What a cut-off re-read leaves: /nodes stored at its current child-list version, node2 never listed; the
    // cache tells its handler the listing failed.
    Stat now = writer.checkExists().forPath(StorePaths.NODES);
    store.scope().storage(StorePaths.NODES).put(new ChildData(parent.getPath(), now, parent.getData()));
    store.onCacheError(new KeeperException.ConnectionLossException());

    proxy.healAll();
    await().atMost(Duration.ofSeconds(30)).until(store::synced);
    await().atMost(Duration.ofSeconds(20)).until(() -> store.view().get(StorePaths.node("node2")) != null);
    assertThat(store.view().get(StorePaths.node("node2"), NodeRecord.class).value()).isEqualTo(
        NodeRecord.fresh("node2"));
    assertThat(store.scope().storage(StorePaths.NODES).forgets()).isEqualTo(1);
  }
}
