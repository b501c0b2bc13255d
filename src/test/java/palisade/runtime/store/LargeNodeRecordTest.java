package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.AgentMode;
import palisade.core.NodeRecord;
import palisade.core.Op;
import palisade.core.RequestOutcome;
import palisade.core.ResourceResult;
import palisade.core.StorePaths;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;

/**
 * A node running thousands of resources: its record (a result per resource, about 50 bytes each) passes store
 * layout 2's 100 KB znode bound near 2,000, and every renewal was refused until its watchdog reset the node. Such a
 * record is stored compressed, and every reader (a view, the operator's handle) reads it as written.
 */
class LargeNodeRecordTest {
  @TempDir
  Path dir;

  LayoutFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new LayoutFixture(dir, "127.0.2.18", 18_000 + (int) (ProcessHandle.current().pid() % 3_000) * 3);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private static NodeRecord running(int resources) {
    TreeMap<String, ResourceResult> results = new TreeMap<>();
    for (int i = 0; i < resources; i++) {
      results.put(String.format("vm:web-frontend-%05d", i), new ResourceResult(100_000 + i, RequestOutcome.STARTED));
    }
    return NodeRecord.fresh("node1").renewed(AgentMode.ACTIVE, results, true, true, 0);
  }

  @Test
  void aNodeRecordAboveTheZnodeBoundIsStoredCompressedAndReadAsWritten() throws Exception {
    Admin admin = f.admin();
    admin.update(StorePaths.SCHEMA, Integer.class, v -> 2);
    LayoutFixture.Client agent = f.client();
    await().atMost(Duration.ofSeconds(30)).until(() -> agent.onLoop(() -> agent.store.view().get(StorePaths.SCHEMA)
        != null));
    NodeRecord small = running(10);
    assertThat(agent.submit(Txn.of(new Op.Put(StorePaths.node("node1"), Op.ABSENT, small))))
        .isInstanceOf(TxnResult.Committed.class);
    assertThat(Codec.compressed(admin.client().getData().forPath(StorePaths.node("node1")))).as("small: JSON")
        .isFalse();

    NodeRecord big = running(5_000);
    assertThat(Codec.encode(big).length).as("its JSON").isGreaterThan(2 * Layout2.ZNODE_MAX);
    assertThat(agent.submit(Txn.of(new Op.Put(StorePaths.node("node1"), 0, big))))
        .isInstanceOf(TxnResult.Committed.class);
    byte[] stored = admin.client().getData().forPath(StorePaths.node("node1"));
    assertThat(Codec.compressed(stored)).isTrue();
    assertThat(stored.length).isLessThan(Layout2.ZNODE_MAX);

    assertThat(admin.value(StorePaths.node("node1"), NodeRecord.class)).isEqualTo(big);
    LayoutFixture.Client manager = f.client();
    await().atMost(Duration.ofSeconds(30)).until(() -> manager.onLoop(() -> {
      Versioned<Object> v = manager.store.view().get(StorePaths.node("node1"));
      return v != null && v.value().equals(big);
    }));
  }
}
