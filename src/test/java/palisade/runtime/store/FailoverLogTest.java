package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.StorePaths;

/**
 * The stored failovers against a standalone embedded ZooKeeper on loopback, written by two daemons (node
 * credentials), each with its own view of the same failures: each failure is stored once, with the role ACLs, the
 * newest 50 are kept.
 * Each test uses its own cluster namespace.
 */
class FailoverLogTest {
  @TempDir
  static Path dir;

  static Path creds;
  static EmbeddedPeer peer;
  static String connect;

  @BeforeAll
  static void start() throws Exception {
    creds = dir.resolve("credentials");
    Credentials.initCa(creds, "test");
    Credential node1 = Credential.load(Credentials.issueNode(creds, "node1", 1));
    Credentials.issueNode(creds, "node2", 1);
    int port = 33_000 + (int) (ProcessHandle.current().pid() % 5_000);
    peer = EmbeddedPeer.start(dir.resolve("zk"), 1,
        List.of(new EmbeddedPeer.Member(1, "127.0.2.3", port, port + 1, port + 2)), node1, code -> { });
    connect = "127.0.2.3:" + port;
  }

  @AfterAll
  static void stop() {
    if (peer != null) peer.close();
  }

  static Admin daemon(String cluster, String node) throws Exception {
    Admin a = new Admin(connect, cluster, Credential.load(Credentials.nodeDir(creds, node)));
    assertThat(a.connect(15_000)).as("%s connects", node).isTrue();
    return a;
  }

  /** What a daemon that just started reads. */
  static List<Map<String, Object>> reread(String cluster) throws Exception {
    try (Admin a = daemon(cluster, "node2")) {
      return a.failoverLog().read();
    }
  }

  /** A finished failure of node as a daemon's timeline renders it (abridged: one step). */
  static Map<String, Object> failover(String node, long silentMs, long endMs) {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("kind", "silent");
    step.put("what", node + ": online -> unknown");
    step.put("t", silentMs);
    step.put("offset_ms", 6_500L);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", node);
    m.put("outcome", "recovered");
    m.put("last_renewal_ms", silentMs - 6_500);
    m.put("silent_ms", silentMs);
    m.put("end_ms", endMs);
    m.put("total_seconds", (endMs - silentMs + 6_500) / 1000.0);
    m.put("waiting", List.of());
    m.put("steps", List.of(step));
    return m;
  }

  static final long T0 = 1_764_000_000_000L;
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aFailureIsStoredOnceWhicheverDaemonWritesItAndReadsBackAsWritten() throws Exception {
    try (Admin a = daemon("once", "node1"); Admin b = daemon("once", "node2")) {
      FailoverLog log1 = a.failoverLog();
      FailoverLog log2 = b.failoverLog();
      Map<String, Object> seenBy1 = failover("node3", T0, T0 + 12_000);
      assertThat(log1.store(seenBy1)).isEqualTo(FailoverLog.Result.STORED);
      // the new manager saw the same failure 40 ms later on its own clock; the old one retries after an error
      assertThat(log2.store(failover("node3", T0 + 40, T0 + 12_030))).isEqualTo(FailoverLog.Result.PRESENT);
      assertThat(log1.store(seenBy1)).isEqualTo(FailoverLog.Result.PRESENT);
      // node3 fails again after it was back: another failure
      assertThat(log2.store(failover("node3", T0 + 60_000, T0 + 70_000))).isEqualTo(FailoverLog.Result.STORED);
      List<Map<String, Object>> read = reread("once");
      assertThat(read).extracting(f -> f.get("silent_ms")).containsExactly(T0 + 60_000, T0);
      assertThat(JSON.writeValueAsString(read.get(1))).isEqualTo(JSON.writeValueAsString(seenBy1));
      assertThat(log1.read()).hasSize(2); // a cached reader sees the other daemon's write too
    }
    try (CuratorFramework c = ZkStore.newClient(connect, "once", Credential.load(Credentials.nodeDir(creds,
        "node1")), b -> b.retryPolicy(new RetryNTimes(3, 200)))) {
      c.start();
      List<String> znodes = new ArrayList<>(List.of(StorePaths.FAILOVERS));
      for (String child : c.getChildren().forPath(StorePaths.FAILOVERS)) znodes.add(StorePaths.FAILOVERS + "/" + child);
      assertThat(znodes).contains(StorePaths.FAILOVERS + "/f-" + T0 + "-node3");
      for (String z : znodes) {
        assertThat(c.getACL().forPath(z)).as(z).containsExactlyInAnyOrderElementsOf(StoreAcl.ACLS);
      }
    }
  }

  @Test
  void theNewestFiftyAreKept() throws Exception {
    try (Admin a = daemon("keep", "node1")) {
      FailoverLog log = a.failoverLog();
      int n = FailoverLog.KEEP + 5;
      for (int i = 0; i < n; i++) {
        assertThat(log.store(failover("node" + (i % 3 + 1), T0 + i * 60_000L, T0 + i * 60_000L + 10_000)))
            .isEqualTo(FailoverLog.Result.STORED);
      }
      List<Map<String, Object>> read = reread("keep");
      assertThat(read).hasSize(FailoverLog.KEEP);
      assertThat(read.get(0).get("silent_ms")).isEqualTo(T0 + (n - 1) * 60_000L);
      assertThat(read.get(FailoverLog.KEEP - 1).get("silent_ms")).isEqualTo(T0 + 5 * 60_000L);
      // an old failure a late daemon offers now would be trimmed at once: it is not written
      assertThat(log.store(failover("node2", T0 + 60_000L + 30_000, T0 + 60_000L + 40_000)))
          .isEqualTo(FailoverLog.Result.TOO_OLD);
      assertThat(log.read()).hasSize(FailoverLog.KEEP);
    }
  }

  @Test
  void twoManagersWritingAtOnceStoreEachFailureOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (Admin a = daemon("race", "node1"); Admin b = daemon("race", "node2")) {
      FailoverLog log1 = a.failoverLog();
      FailoverLog log2 = b.failoverLog();
      for (int i = 0; i < 10; i++) {
        long t = T0 + i * 60_000L;
        CountDownLatch go = new CountDownLatch(1);
        Future<FailoverLog.Result> r1 = pool.submit(() -> {
          go.await();
          return log1.store(failover("node3", t, t + 10_000));
        });
        Future<FailoverLog.Result> r2 = pool.submit(() -> {
          go.await();
          return log2.store(failover("node3", t + 25, t + 10_020));
        });
        go.countDown();
        List<FailoverLog.Result> results = new ArrayList<>(List.of(r1.get(30, TimeUnit.SECONDS),
            r2.get(30, TimeUnit.SECONDS)));
        assertThat(results).as("failure %d", i).containsExactlyInAnyOrder(FailoverLog.Result.STORED,
            FailoverLog.Result.PRESENT);
      }
      assertThat(reread("race")).hasSize(10);
    } finally {
      pool.shutdownNow();
    }
  }
}
