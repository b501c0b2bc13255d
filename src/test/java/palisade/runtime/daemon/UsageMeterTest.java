package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import palisade.core.Capacity;
import palisade.runtime.resource.ResourceSample;
import palisade.runtime.store.Codec;
import palisade.runtime.store.NodeUsage;

/** CPU shares from counter readings, when a record is worth writing, and how the manager merges the records. */
class UsageMeterTest {
  private static final long S = 1_000_000_000L;

  private static SortedMap<String, ResourceSample> samples(Object... idCpuNanosMem) {
    SortedMap<String, ResourceSample> m = new TreeMap<>();
    for (int i = 0; i < idCpuNanosMem.length; i += 3) {
      m.put((String) idCpuNanosMem[i], new ResourceSample((Long) idCpuNanosMem[i + 1], (Long) idCpuNanosMem[i + 2]));
    }
    return m;
  }

  @Test
  void cpuIsTheCounterDeltaOverElapsedTimeAndANewResourceWaitsForItsSecondReading() {
    UsageMeter m = new UsageMeter(30_000);
    NodeUsage first = m.read(samples("a", 10 * S, 100L), 100 * S, 1_000, 4, 8L << 30);
    assertThat(first.resources()).as("one reading tells no rate").isEmpty();
    NodeUsage second = m.read(samples("a", 15 * S, 200L, "b", 1 * S, 50L), 105 * S, 6_000, 4, 8L << 30);
    assertThat(second.resources()).containsOnlyKeys("a");
    assertThat(second.resources().get("a").cpu()).as("5 s of CPU in 5 s: one core").isEqualTo(1.0);
    assertThat(second.resources().get("a").memBytes()).isEqualTo(200);
    assertThat(second.intervalMs()).isEqualTo(5_000);
    NodeUsage third = m.read(samples("a", 17 * S, 200L, "b", 1 * S, 50L), 110 * S, 11_000, 4, 8L << 30);
    assertThat(third.resources().get("a").cpu()).isEqualTo(0.4);
    assertThat(third.resources().get("b").cpu()).isZero();
    assertThat(third.used().cpu()).isEqualTo(0.4);
    NodeUsage restarted = m.read(samples("a", 1 * S, 200L), 115 * S, 16_000, 4, 8L << 30);
    assertThat(restarted.resources().get("a").cpu()).as("a counter that went back counts 0").isZero();
    UsageMeter negative = new UsageMeter(30_000); // System.nanoTime may be negative
    negative.read(samples("a", 0L, 1L), -10 * S, 0, 1, 1);
    assertThat(negative.read(samples("a", 5 * S, 1L), -5 * S, 5_000, 1, 1).resources().get("a").cpu()).isEqualTo(1.0);
  }

  @Test
  void aRecordIsWrittenWhenFiguresMoveOrTheRefreshIsDue() {
    UsageMeter m = new UsageMeter(30_000);
    NodeUsage a = new NodeUsage(0, 5_000, 4, 100, new TreeMap<>(java.util.Map.of("x", new NodeUsage.Used(1.0, 1000))));
    assertThat(m.worthWriting(a)).as("nothing written yet").isTrue();
    m.wrote(a);
    assertThat(m.worthWriting(usage(5_000, 1.02, 1010))).as("a small move is no news").isFalse();
    assertThat(m.worthWriting(usage(5_000, 1.1, 1000))).as("0.1 core more").isTrue();
    assertThat(m.worthWriting(usage(5_000, 1.0, 2000))).as("memory doubled").isTrue();
    assertThat(m.worthWriting(new NodeUsage(5_000, 5_000, 4, 100, new TreeMap<>()))).as("x stopped").isTrue();
    assertThat(m.worthWriting(usage(30_000, 1.0, 1000))).as("refresh due").isTrue();
  }

  private static NodeUsage usage(long at, double cpu, long mem) {
    return new NodeUsage(at, 5_000, 4, 100, new TreeMap<>(java.util.Map.of("x", new NodeUsage.Used(cpu, mem))));
  }

  @Test
  void theManagerTakesEachResourceFromItsFreshestRecordAndIgnoresStaleOnes() throws Exception {
    SortedMap<String, NodeUsage> records = new TreeMap<>();
    records.put("n1", new NodeUsage(100_000, 5_000, 2, 4L << 30, new TreeMap<>(java.util.Map.of(
        "moved", new NodeUsage.Used(0.9, 10), "busy", new NodeUsage.Used(1.0, 20)))));
    records.put("n2", new NodeUsage(104_000, 5_000, 4, 8L << 30, new TreeMap<>(java.util.Map.of(
        "moved", new NodeUsage.Used(0.1, 30)))));
    records.put("dead", new NodeUsage(1_000, 5_000, 8, 16L << 30, new TreeMap<>(java.util.Map.of(
        "ghost", new NodeUsage.Used(3.0, 40)))));
    SortedMap<String, Capacity> m = NodeUsage.measured(records, 105_000);
    assertThat(m).containsOnlyKeys("busy", "moved");
    assertThat(m.get("moved")).isEqualTo(new Capacity(0.1, 30));
    assertThat(NodeUsage.capacities(records)).containsEntry("dead", new Capacity(8, 16L << 30))
        .containsEntry("n1", new Capacity(2, 4L << 30));
    // and the record round-trips through the store's codec at its path
    Object back = Codec.decode("/usage/n1", Codec.encode(records.get("n1")));
    assertThat(back).isEqualTo(records.get("n1"));
  }
}
