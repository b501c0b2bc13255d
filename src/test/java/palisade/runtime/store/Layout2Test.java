package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import palisade.core.ClusterConfig;
import palisade.core.ResourceConfig;
import palisade.core.StorePaths;

/** Store layout 2 without a store: entry names, what a write sends, and a head and its entries read back. */
class Layout2Test {
  @Test
  void entryNamesAreZnodeNamesABackupAccepts() {
    String plain = Layout2.entryPath(StorePaths.CONFIG, "resources", "vm:101");
    assertThat(plain).matches("/config/resources/\\d+/vm:101");
    assertThat(Layout2.entryPath(StorePaths.CONFIG, "resources", "a/b c@")).endsWith("/a@002fb@0020c@0040");
    assertThat(Layout2.entryPath(StorePaths.CONFIG, "resources", "..")).endsWith("/@..");
    assertThat(Layout2.parseEntry(plain)).containsExactly(StorePaths.CONFIG, "resources");
    assertThat(Layout2.parseEntry("/config/resources/12")).as("a bucket, not an entry").isNull();
  }

  @Test
  void aWriteSendsTheHeadAndTheChangedEntriesOnly() throws Exception {
    ClusterConfig c = LayoutFixture.config(2_000);
    Layout2Writes.Plan created = Layout2Writes.plan(StorePaths.CONFIG, c, null);
    assertThat(created.writes()).hasSize(1 + 2 * (1 + Layout2.BUCKETS) + 2_002); // head, parents, entries
    ResourceConfig changed = LayoutFixture.resource(7).withState(palisade.core.RequestState.STARTED);
    Layout2Writes.Plan one = Layout2Writes.plan(StorePaths.CONFIG, c.withResource(changed), created.next());
    assertThat(one.writes()).extracting(Layout2Writes.Write::kind).containsExactly(
        Layout2Writes.Write.Kind.SET, Layout2Writes.Write.Kind.SET);
    assertThat(one.writes().get(0).version()).as("the head's compare-and-set").isEqualTo(0);
    assertThat(one.writes().get(1).path()).isEqualTo(Layout2.entryPath(StorePaths.CONFIG, "resources", "vm:00007"));
    Layout2Writes.Plan gone = Layout2Writes.plan(StorePaths.CONFIG, c.withoutResource("vm:00008"), created.next());
    assertThat(gone.writes().get(1).kind()).isEqualTo(Layout2Writes.Write.Kind.DELETE);

    // The head and the entries as a reader gets them give the record back, and their sums agree with the head's.
    Layout2.Head head = (Layout2.Head) Codec.decode(StorePaths.CONFIG, one.writes().get(0).data());
    Map<String, TreeMap<String, Object>> maps = new TreeMap<>();
    Map<String, Layout2.Sum> sums = new TreeMap<>();
    for (Layout2Writes.Write w : created.writes()) {
      String[] e = Layout2.parseEntry(w.path());
      if (e == null) continue;
      byte[] data = w.path().endsWith("/vm:00007") ? one.writes().get(1).data() : w.data();
      var entry = Layout2.decodeEntry(e[0], e[1], data);
      Layout2.Valued v = (Layout2.Valued) entry.getValue();
      maps.computeIfAbsent(e[1], k -> new TreeMap<>()).put(entry.getKey(), v.value());
      sums.put(e[1], sums.getOrDefault(e[1], Layout2.Sum.EMPTY).plus(entry.getKey(), v.at()));
    }
    assertThat(sums).isEqualTo(head.sums());
    assertThat(Layout2.assemble(StorePaths.CONFIG, head, maps)).isEqualTo(c.withResource(changed));
  }
}
