package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.NodeConfig;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;
import palisade.runtime.store.StorePeers;
import palisade.runtime.store.ZkStore;

/**
 * `store peer add|remove` refuses bad requests before it writes anything: exit 2, one line naming the problem, the
 * store's membership and events unchanged. A store of one peer (no lab): node1's peer answers, node4 published a
 * peer that does not run, node2 published none.
 */
class StorePeerCliTest {
  @TempDir
  Path dir;

  private TlsStore store;

  @BeforeEach
  void setUp() throws Exception {
    store = new TlsStore(dir, "peercli", "127.0.2.12", 38_000);
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : List.of("node1", "node2", "node3", "node4")) nodes.put(n, NodeConfig.standard(n));
    try (Admin a = store.admin()) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, cur -> new ClusterConfig(nodes, new TreeMap<>(),
          new TreeMap<>(), ShutdownPolicy.CONDITIONAL));
    }
    String host = store.connect.substring(0, store.connect.lastIndexOf(':'));
    int port = Integer.parseInt(store.connect.substring(store.connect.lastIndexOf(':') + 1));
    try (CuratorFramework c = ZkStore.newClient(store.connect, store.cluster,
        Credential.load(Credentials.nodeDir(store.creds, TlsStore.NODE)), b -> b
        .retryPolicy(new org.apache.curator.retry.RetryOneTime(100)))) {
      c.start();
      c.blockUntilConnected();
      StorePeers.publish(c, new StorePeers.Offer("node1", 1, host, port, port + 1, port + 2));
      StorePeers.publish(c, new StorePeers.Offer("node4", 4, host, port + 3, port + 4, port + 5)); // nobody there
    }
  }

  @AfterEach
  void tearDown() {
    if (store != null) store.close();
  }

  private void refused(String operator, String expected, String... args) {
    TlsStore.Run r = store.palisade(operator, args);
    assertThat(r.exit()).as("palisade %s", String.join(" ", args)).isEqualTo(2);
    assertThat(r.err()).contains(expected).contains("nothing changed").doesNotContain("Exception");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void badRequestsChangeNothing() throws Exception {
    String before;
    int events;
    try (Admin a = store.admin()) {
      before = StorePeers.membership(a).toString();
      events = a.events(null, 1000).size();
    }
    refused(TlsStore.ADMIN, "no node 'nosuch' in the cluster's configuration (node1, node2, node3, node4)",
        "store", "peer", "add", "nosuch");
    refused(TlsStore.ADMIN, "node2 runs no store peer: set store.peer: yes", "store", "peer", "add", "node2");
    refused(TlsStore.ADMIN, "node4's store peer does not answer", "store", "peer", "add", "node4");
    refused(TlsStore.ADMIN, "voting store peers would remain; at least 3", "store", "peer", "add", "node1");
    refused(TlsStore.ADMIN, "node1 is not a voting store peer", "store", "peer", "remove", "node1");
    refused(TlsStore.ADMIN, "a node is named twice", "store", "peer", "add", "node1", "node1");
    refused(TlsStore.VIEWER, "no node 'nosuch'", "store", "peer", "add", "nosuch");
    try (Admin a = store.admin()) {
      assertThat(StorePeers.membership(a).toString()).isEqualTo(before);
      assertThat(a.events(null, 1000)).as("no event: nothing was done").hasSize(events);
    }
    TlsStore.Run list = store.palisade(TlsStore.VIEWER, "store", "peers");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains("node1").contains("node4").contains("standby");
  }
}
