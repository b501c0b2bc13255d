package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.Op;
import palisade.core.ResourceConfig;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;

/**
 * Store layout 2 against a standalone embedded ZooKeeper on loopback: 50,000 resources through the operator's
 * config updates and the manager's state writes, every znode and transaction within the layout's bounds (the
 * figures are printed for BENCHMARKS.md "Store layout"); an oversized write refused whole.
 */
class StoreLayoutTest {
  static final int RESOURCES = 50_000;
  static final int BATCH = 1_000;

  @TempDir
  Path dir;

  LayoutFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new LayoutFixture(dir, "127.0.2.14", 27_000 + (int) (ProcessHandle.current().pid() % 3_000) * 3);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void fiftyThousandResourcesStayWithinTheBounds() throws Exception {
    Admin admin = f.admin();
    admin.update(StorePaths.SCHEMA, Integer.class, v -> 2);
    long t0 = System.nanoTime();
    for (int b = 0; b < RESOURCES / BATCH; b++) {
      int from = b * BATCH;
      admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
        ClusterConfig next = c == null ? LayoutFixture.config(0) : c;
        TreeMap<String, ResourceConfig> rs = new TreeMap<>(next.resources());
        for (int i = from; i < from + BATCH; i++) rs.put(LayoutFixture.resource(i).id(), LayoutFixture.resource(i));
        return new ClusterConfig(next.nodes(), next.groups(), rs, next.shutdownPolicy());
      });
    }
    long configMs = (System.nanoTime() - t0) / 1_000_000;
    ClusterConfig config = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    assertThat(config.resources()).hasSize(RESOURCES);
    assertThat(config).isEqualTo(LayoutFixture.config(RESOURCES));

    LayoutFixture.Client manager = f.client();
    await().atMost(Duration.ofSeconds(120)).until(() -> manager.onLoop(() -> {
      Versioned<Object> v = manager.store.view().get(StorePaths.CONFIG);
      return v != null && ((ClusterConfig) v.value()).resources().size() == RESOURCES;
    }));
    // The manager's state grows as resources are placed, a thousand a write.
    assertThat(manager.submit(Txn.of(new Op.Put(StorePaths.MANAGER_STATE, Op.ABSENT, ManagerState.empty()))))
        .isInstanceOf(TxnResult.Committed.class);
    long maxTxn = 0;
    int maxZnode = 0;
    for (int b = 0; b < RESOURCES / BATCH; b++) {
      int from = b * BATCH;
      TxnResult r = writeState(manager, s -> {
        for (int i = from; i < from + BATCH; i++) s.put(LayoutFixture.resource(i).id(), LayoutFixture.status("node1", i));
      });
      assertThat(r).as("state write %s", b).isInstanceOf(TxnResult.Committed.class);
      maxTxn = Math.max(maxTxn, manager.store.lastTxnBytes());
      maxZnode = Math.max(maxZnode, manager.store.lastTxnLargestZnode());
    }
    // One resource changes at 50,000: the head and one entry (the median of 9 writes, one after the other).
    double[] ms = new double[9];
    for (int i = 0; i < ms.length; i++) {
      int token = 100_000 + i;
      long w0 = System.nanoTime();
      assertThat(writeState(manager, s -> s.put("vm:00007", LayoutFixture.status("node2", token))))
          .isInstanceOf(TxnResult.Committed.class);
      ms[i] = (System.nanoTime() - w0) / 1e6;
    }
    java.util.Arrays.sort(ms);
    double oneMs = ms[ms.length / 2];
    long oneBytes = manager.store.lastTxnBytes();
    // A recovery: 1,000 resources move to node2 in one write.
    assertThat(writeState(manager, s -> {
      for (int i = 0; i < 1_000; i++) s.put(LayoutFixture.resource(i * 50).id(), LayoutFixture.status("node2", i));
    })).isInstanceOf(TxnResult.Committed.class);
    long recoveryBytes = manager.store.lastTxnBytes();
    ManagerState written = manager.onLoop(() -> (ManagerState) manager.store.view().get(StorePaths.MANAGER_STATE)
        .value());

    // A new client assembles both records from their entries, equal to what was written.
    long r0 = System.nanoTime();
    LayoutFixture.Client reader = f.client();
    await().atMost(Duration.ofSeconds(120)).until(() -> reader.onLoop(() -> {
      Versioned<Object> v = reader.store.view().get(StorePaths.MANAGER_STATE);
      return v != null && v.value().equals(written);
    }));
    double loadMs = (System.nanoTime() - r0) / 1e6;
    assertThat(reader.onLoop(() -> reader.store.view().get(StorePaths.CONFIG).value())).isEqualTo(config);
    double assembleMs = reader.store.assemblyNanos(StorePaths.MANAGER_STATE) / 1e6;
    long a0 = System.nanoTime();
    assertThat(admin.value(StorePaths.MANAGER_STATE, ManagerState.class)).isEqualTo(written);
    double adminReadMs = (System.nanoTime() - a0) / 1e6;

    assertThat(maxTxn).isLessThanOrEqualTo(Layout2.TXN_MAX);
    assertThat(maxZnode).isLessThanOrEqualTo(Layout2.ZNODE_MAX);
    assertThat(recoveryBytes).isLessThanOrEqualTo(Layout2.TXN_MAX);
    System.out.printf("store layout: resources=%d config_by_admin_batches_of_%d=%dms state_write_max=%dB "
        + "largest_znode=%dB one_resource_write=%.1fms/%dB recovery_1000=%dB new_client_load=%.0fms "
        + "assemble_state=%.1fms admin_read_state=%.0fms%n", RESOURCES, BATCH, configMs, maxTxn, maxZnode, oneMs,
        oneBytes, recoveryBytes, loadMs, assembleMs, adminReadMs);
  }

  /** A manager state write from the view's state, changed by edit (on the services), at the view's version. */
  private static TxnResult writeState(LayoutFixture.Client c, java.util.function.Consumer<Map<String,
      ServiceStatus>> edit) throws Exception {
    return c.submit(Txn.of(c.stateWrite(edit)));
  }

  @Test
  void anOversizedWriteIsRefusedWholeWithItsReason() throws Exception {
    Admin admin = f.admin();
    admin.update(StorePaths.SCHEMA, Integer.class, v -> 2);
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> LayoutFixture.config(10));
    Versioned<Object> before = admin.read(StorePaths.CONFIG);
    ResourceConfig huge = new ResourceConfig("vm:huge", "node1", palisade.core.RequestState.STOPPED, null, 0, 1, 1,
        java.util.List.of(), "process", new TreeMap<>(Map.of("command", "x".repeat(150_000))));
    assertThatThrownBy(() -> admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withResource(huge)))
        .isInstanceOf(Layout2Writes.TooLarge.class).hasMessageContaining("/config/resources/")
        .hasMessageContaining("at most 102400").hasMessageContaining("nothing was written");
    LayoutFixture.Client c = f.client();
    await().atMost(Duration.ofSeconds(30)).until(() -> c.onLoop(() -> c.store.view().get(StorePaths.CONFIG) != null));
    Versioned<Object> seen = c.onLoop(() -> c.store.view().get(StorePaths.CONFIG));
    TxnResult r = c.submit(Txn.of(new Op.Put(StorePaths.CONFIG, seen.version(),
        ((ClusterConfig) seen.value()).withResource(huge))));
    assertThat(r).isInstanceOfSatisfying(TxnResult.Unavailable.class, u -> assertThat(u.why())
        .contains("refused").contains("nothing was written"));
    Versioned<Object> after = admin.read(StorePaths.CONFIG);
    assertThat(after.version()).isEqualTo(before.version());
    assertThat(after.value()).isEqualTo(before.value());
  }
}
