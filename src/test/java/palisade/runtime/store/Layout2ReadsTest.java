package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.StorePaths;

/**
 * The operator's read of a layout-2 record in batches of read-only multis against a real peer: the record a
 * one-znode-at-a-time read gives, entry by entry; a write landing between the head and the entries (before the
 * listing, or between the listing and the data) read again, never a mix returned; entries too large for a batch's
 * answer read in smaller batches.
 */
class Layout2ReadsTest {
  @TempDir
  Path dir;

  LayoutFixture f;
  Admin admin;
  Admin writer;

  @BeforeEach
  void start() throws Exception {
    f = new LayoutFixture(dir, "127.0.2.17", 21_000 + (int) (ProcessHandle.current().pid() % 1_000) * 3);
    admin = f.admin();
    writer = f.admin();
    writer.update(StorePaths.SCHEMA, Integer.class, v -> 2);
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  /** The config of n resources written 1,000 a write (as `resource import` writes), each with its command. */
  private ClusterConfig seed(int n, int perWrite, String command) throws Exception {
    for (int from = 0; from < n; from += perWrite) {
      int start = from;
      writer.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
        ClusterConfig next = c == null ? LayoutFixture.config(0) : c;
        for (int i = start; i < Math.min(n, start + perWrite); i++) next = next.withResource(resource(i, command));
        return next;
      });
    }
    return writer.value(StorePaths.CONFIG, ClusterConfig.class);
  }

  private static ResourceConfig resource(int i, String command) {
    return new ResourceConfig(String.format("vm:%05d", i), "node1", RequestState.STOPPED, null, 0, 1, 1, List.of(),
        "process", new TreeMap<>(Map.of("command", command)));
  }

  @Test
  void aBatchedReadGivesWhatReadingEachZnodeGives() throws Exception {
    ClusterConfig written = seed(3_000, 1_000, "sleep 100000");
    Layout2.Stored s = Layout2Reads.read(admin.client(), StorePaths.CONFIG, null);
    assertThat(s.record()).isEqualTo(written);
    Map<String, Map<String, Long>> ats = new HashMap<>();
    Map<String, TreeMap<String, Object>> oneByOne = oneAtATime(admin.client(), StorePaths.CONFIG, ats);
    assertThat(s.ats()).isEqualTo(ats);
    assertThat(Layout2.assemble(StorePaths.CONFIG, s.head(), oneByOne)).isEqualTo(s.record());
    assertThat(s.version()).isEqualTo(admin.client().checkExists().forPath(StorePaths.CONFIG).getVersion());
  }

  /**
   * A read of some maps only (`status`'s totals) gives those maps and the head's census, and is never what the
   * handle's next write starts from: the write keeps every resource.
   */
  @Test
  void aPartialReadIsForShowingAndNoWriteStartsFromIt() throws Exception {
    seed(1_200, 1_000, "sleep 100000");
    ClusterConfig part = (ClusterConfig) admin.readPart(StorePaths.CONFIG, List.of("nodes")).value();
    assertThat(part.nodes()).containsOnlyKeys("node1", "node2");
    assertThat(part.resources()).isEmpty();
    assertThat(admin.head(StorePaths.CONFIG).census()).isEqualTo(Map.of("resources",
        Map.of("request:stopped", 1_200L)));
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withResource(resource(5_000, "true")
        .withState(RequestState.STARTED)));
    assertThat(writer.value(StorePaths.CONFIG, ClusterConfig.class).resources()).hasSize(1_201);
    assertThat(writer.head(StorePaths.CONFIG).census()).isEqualTo(Map.of("resources",
        Map.of("request:stopped", 1_200L, "request:started", 1L)));
  }

  @Test
  void aWriteBeforeTheListingIsReadAgainNotMixed() throws Exception {
    writeLandsBeforeRead(0);
  }

  @Test
  void aWriteBetweenTheListingAndTheDataIsReadAgainNotMixed() throws Exception {
    writeLandsBeforeRead(1);
  }

  /** A write changing, adding and removing an entry lands just before the entries' read number `which`. */
  private void writeLandsBeforeRead(int which) throws Exception {
    seed(2_000, 1_000, "sleep 100000");
    int[] calls = {0};
    MultiReads reads = new MultiReads(admin.client()) {
      @Override
      void read(List<String> paths, boolean children, int perBatch, Answered answered) throws Exception {
        if (calls[0]++ == which) {
          writer.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withoutResource("vm:00005")
              .withResource(resource(7, "sleep 7")).withResource(resource(2_000, "sleep 1")));
        }
        super.read(paths, children, perBatch, answered);
      }
    };
    Layout2.Stored s = Layout2Reads.read(admin.client(), StorePaths.CONFIG, null, reads);
    ClusterConfig after = writer.value(StorePaths.CONFIG, ClusterConfig.class);
    assertThat(s.record()).isEqualTo(after);
    assertThat(((ClusterConfig) s.record()).resources()).doesNotContainKey("vm:00005").containsKey("vm:02000");
    assertThat(s.version()).isEqualTo(admin.client().checkExists().forPath(StorePaths.CONFIG).getVersion());
    assertThat(calls[0]).as("listing and data, twice: the first attempt's entries disagreed with its head")
        .isEqualTo(4);
  }

  @Test
  void entriesTooLargeForOneAnswerAreReadInSmallerBatches() throws Exception {
    // 24 entries of ~90 KB (each within the layout's 100 KB bound): 2 MB, twice what one answer may carry.
    ClusterConfig written = seed(24, 4, "x".repeat(90_000));
    MultiReads reads = new MultiReads(admin.client());
    Layout2.Stored s = Layout2Reads.read(admin.client(), StorePaths.CONFIG, null, reads);
    assertThat(s.record()).isEqualTo(written);
    assertThat(reads.split()).as("the whole batch failed and was split").isPositive();
    // The handle works on after the lost connection that the oversized answer cost it.
    assertThat(admin.value(StorePaths.CONFIG, ClusterConfig.class)).isEqualTo(written);
  }

  /** The old way: every bucket listed and every entry read with a request of its own. */
  private static Map<String, TreeMap<String, Object>> oneAtATime(CuratorFramework client, String logical,
      Map<String, Map<String, Long>> ats) throws Exception {
    Map<String, TreeMap<String, Object>> maps = new HashMap<>();
    for (String field : Layout2.fields(logical)) {
      TreeMap<String, Object> values = new TreeMap<>();
      Map<String, Long> at = new HashMap<>();
      for (int b = 0; b < Layout2.BUCKETS; b++) {
        String bucket = Layout2.bucketPath(logical, field, b);
        if (client.checkExists().forPath(bucket) == null) continue;
        for (String child : client.getChildren().forPath(bucket)) {
          var e = Layout2.decodeEntry(logical, field, client.getData().forPath(bucket + "/" + child));
          values.put(e.getKey(), ((Layout2.Valued) e.getValue()).value());
          at.put(e.getKey(), ((Layout2.Valued) e.getValue()).at());
        }
      }
      maps.put(field, values);
      ats.put(field, at);
    }
    return maps;
  }
}
