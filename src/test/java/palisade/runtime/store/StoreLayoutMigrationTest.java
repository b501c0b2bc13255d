package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.DiskLease;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeStatus;
import palisade.core.Op;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;

/**
 * Moving a store from layout 1 to 2 (records kept exactly; refused while a daemon of an older palisade runs), and a
 * reader that never assembles half of a write while writes land.
 */
class StoreLayoutMigrationTest {
  @TempDir
  Path dir;

  LayoutFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new LayoutFixture(dir, "127.0.2.15", 27_001 + (int) (ProcessHandle.current().pid() % 3_000) * 3);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  private static ManagerState state(int resources) {
    TreeMap<String, ServiceStatus> services = new TreeMap<>();
    for (int i = 0; i < resources; i++) services.put(LayoutFixture.resource(i).id(), LayoutFixture.status("node1", i));
    TreeMap<String, DiskLease> disks = new TreeMap<>();
    return new ManagerState(4, 900, 3, new TreeMap<>(Map.of("node1", NodeStatus.initial(), "node2",
        NodeStatus.initial())), services, new TreeMap<>(), null, new TreeSet<>(List.of("node2")), null, null, null,
        disks);
  }

  /** Renews a node record every 200 ms until stopped: through a store client announcing its layouts, or not. */
  private Thread renewing(String node, boolean announces, AtomicBoolean stop) throws Exception {
    LayoutFixture.Client c = f.client();
    if (announces) c.store.announceLayoutsFor(node);
    Thread t = new Thread(() -> {
      NodeRecord r = NodeRecord.fresh(node);
      long version = Op.ABSENT;
      try {
        while (!stop.get()) {
          r = r.renewed(r.mode(), r.results(), false, true, 0);
          TxnResult res = c.submit(Txn.of(new Op.Put(StorePaths.node(node), version, r)));
          if (res instanceof TxnResult.Committed ok) version = ok.version(StorePaths.node(node));
          Thread.sleep(200);
        }
      } catch (Exception e) {
        // stopped
      }
    }, "renew-" + node);
    t.start();
    return t;
  }

  @Test
  void migrationKeepsTheRecordsAndWaitsForOlderDaemons() throws Exception {
    Admin admin = f.admin();
    admin.update(StorePaths.SCHEMA, Integer.class, v -> 1);
    ClusterConfig config = LayoutFixture.config(3_000);
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> config);
    ManagerState state = state(3_000);
    admin.update(StorePaths.MANAGER_STATE, ManagerState.class, s -> state);
    LayoutFixture.Client daemon = f.client(); // a new daemon's client, running through the migration

    AtomicBoolean stopOld = new AtomicBoolean();
    Thread old = renewing("old", false, stopOld);
    AtomicBoolean stopNew = new AtomicBoolean();
    Thread neu = renewing("new", true, stopNew);
    try {
      assertThatThrownBy(() -> LayoutMigration.migrate(admin, 1_500)).isInstanceOf(LayoutMigration.Refused.class)
          .hasMessageContaining("the daemons on old run a palisade that does not read store layout 2")
          .hasMessageNotContaining("new,").hasMessageEndingWith("nothing changed");
      assertThat(admin.schema()).isEqualTo(1);
      assertThat(Layout2.isHead(admin.client().getData().forPath(StorePaths.CONFIG))).isFalse();

      stopOld.set(true);
      old.join();
      String said = LayoutMigration.migrate(admin, 1_500);
      assertThat(said).startsWith("migrated the store to schema 2 (6004 entries written)");
      assertThat(admin.schema()).isEqualTo(2);
      assertThat(Layout2.isHead(admin.client().getData().forPath(StorePaths.CONFIG))).isTrue();
      try (Admin fresh = f.admin()) {
        assertThat(fresh.value(StorePaths.CONFIG, ClusterConfig.class)).isEqualTo(config);
        assertThat(fresh.value(StorePaths.MANAGER_STATE, ManagerState.class)).isEqualTo(state);
      }
      assertThat(LayoutMigration.migrate(admin, 0)).contains("nothing to do");

      // The running client assembles the migrated records and writes in layout 2 from then on.
      await().atMost(Duration.ofSeconds(30)).until(() -> daemon.onLoop(() -> {
        Versioned<Object> v = daemon.store.view().get(StorePaths.MANAGER_STATE);
        return v != null && v.version() == 1 && v.value().equals(state);
      }));
      ManagerState next = state.withEpoch(5);
      assertThat(daemon.submit(Txn.of(new Op.Put(StorePaths.MANAGER_STATE, 1, next))))
          .isInstanceOf(TxnResult.Committed.class);
      assertThat(daemon.store.lastTxnBytes()).as("the head only").isLessThan(2_000);
      assertThat(admin.value(StorePaths.MANAGER_STATE, ManagerState.class)).isEqualTo(next);
    } finally {
      stopOld.set(true);
      stopNew.set(true);
      old.join();
      neu.join();
    }
  }

  @Test
  void aReaderNeverAssemblesHalfOfAWrite() throws Exception {
    f.admin().update(StorePaths.SCHEMA, Integer.class, v -> 2);
    LayoutFixture.Client writer = f.client();
    LayoutFixture.Client reader = f.client();
    assertThat(writer.submit(Txn.of(new Op.Put(StorePaths.MANAGER_STATE, Op.ABSENT, written(0)))))
        .isInstanceOf(TxnResult.Committed.class);
    AtomicBoolean done = new AtomicBoolean();
    List<String> broken = new ArrayList<>();
    TreeSet<Long> seen = new TreeSet<>();
    Thread check = new Thread(() -> {
      while (!done.get()) {
        try {
          reader.onLoop(() -> {
            Versioned<Object> v = reader.store.view().get(StorePaths.MANAGER_STATE);
            if (v == null) return null;
            ManagerState s = (ManagerState) v.value();
            seen.add(v.version());
            if (!s.equals(written(s.epoch()))) broken.add("version " + v.version() + ": " + s.services().keySet());
            return null;
          });
        } catch (Exception e) {
          broken.add(e.toString());
        }
      }
    }, "check");
    check.start();
    for (int k = 1; k <= 300; k++) {
      assertThat(writer.submit(Txn.of(new Op.Put(StorePaths.MANAGER_STATE, k - 1, written(k)))))
          .isInstanceOf(TxnResult.Committed.class);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains(300L));
    done.set(true);
    check.join();
    assertThat(broken).isEmpty();
    assertThat(seen.size()).as("the reader saw the record change many times").isGreaterThan(30);
  }

  /**
   * The state of write k: services a and b at token k, and c-k created as c-(k-1) is deleted — each write changes
   * several entries, so a reader that assembled part of one would see a mix.
   */
  private static ManagerState written(long k) {
    TreeMap<String, ServiceStatus> services = new TreeMap<>();
    for (String s : List.of("a", "b", "c-" + k)) services.put(s, LayoutFixture.status("node1", k));
    for (int i = 0; i < 50; i++) services.put("steady-" + i, LayoutFixture.status("node2", i));
    return new ManagerState(k, 1, 0, new TreeMap<>(), services, new TreeMap<>(), null, null, null, null, null,
        null);
  }
}
