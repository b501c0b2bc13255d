package palisade.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import palisade.core.ConfirmKind;
import palisade.core.FenceConfirmation;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;

/** The fence timeline from successive manager decisions, at exact (given) wall-clock times. */
class TimelineTest {
  private static ManagerState state(NodeStatus a, String vmNode, ServiceState vm) {
    TreeMap<String, NodeStatus> n = new TreeMap<>(Map.of("a", a, "b", new NodeStatus(NodeState.ONLINE, 0, null)));
    return new ManagerState(1, 10, 0, n, new TreeMap<>(Map.of("vm:1", new ServiceStatus(vm, vmNode, null, 1, 0,
        new TreeSet<>(), null), "vm:2", new ServiceStatus(ServiceState.STARTED, "b", null, 1, 0, new TreeSet<>(),
        null))));
  }

  private static NodeStatus node(NodeState s, ConfirmKind confirmed) {
    return new NodeStatus(s, 1, confirmed == null ? null : new FenceConfirmation(confirmed, "bmc-a", 1));
  }

  @SuppressWarnings("unchecked")
  @Test
  void aPowerFencedNodeFromLastRenewalToItsResourceRunningElsewhere() {
    Timeline t = new Timeline();
    t.update(state(node(NodeState.ONLINE, null), "a", ServiceState.STARTED), 100_000);
    t.update(state(node(NodeState.UNKNOWN, null), "a", ServiceState.STARTED), 107_000);
    t.update(state(node(NodeState.FENCING, null), "a", ServiceState.STARTED), 108_000);
    t.update(state(node(NodeState.FENCED, ConfirmKind.POWER), "a", ServiceState.RECOVERY), 111_000);
    t.update(state(node(NodeState.FENCED, ConfirmKind.POWER), "b", ServiceState.STARTED), 113_500);
    FenceHistory h = FenceHistory.empty().append(List.of(new FenceEntry("a", 1, 1, "bmc-a", "off", "off confirmed",
        "b", 108_500, 110_500), new FenceEntry("a", 0, 1, "bmc-a", "off", "off confirmed", "b", 50_000, 51_000)));
    Map<String, Object> f = ((List<Map<String, Object>>) t.json(h, 6_500).get("failovers")).get(0);
    assertThat(f.get("node")).isEqualTo("a");
    assertThat(f.get("outcome")).isEqualTo("recovered");
    assertThat(f.get("total_seconds")).isEqualTo(13.0); // 113.5 s - (107 s - L)
    List<Map<String, Object>> steps = (List<Map<String, Object>>) f.get("steps");
    assertThat(steps).extracting(s -> s.get("kind")).containsExactly("renewal", "silent", "decision", "device",
        "confirmed", "fenced", "running");
    assertThat(steps).extracting(s -> s.get("offset_ms")).containsExactly(0L, 6_500L, 7_500L, 8_000L, 10_500L,
        10_500L, 13_000L);
    assertThat(steps.get(3).get("duration_ms")).isEqualTo(2_000L);
    assertThat(steps.get(4).get("what")).isEqualTo("confirmed off: power by bmc-a");
    assertThat(steps.get(6).get("what")).isEqualTo("vm:1 running on b");
  }

  @SuppressWarnings("unchecked")
  @Test
  void aNodeBackOnlineBeforeAnyFenceIsNoRecovery() {
    Timeline t = new Timeline();
    t.update(state(node(NodeState.ONLINE, null), "a", ServiceState.STARTED), 0);
    t.update(state(node(NodeState.UNKNOWN, null), "a", ServiceState.STARTED), 1_000);
    t.update(state(node(NodeState.ONLINE, null), "a", ServiceState.STARTED), 2_000);
    Map<String, Object> f = ((List<Map<String, Object>>) t.json(null, 500).get("failovers")).get(0);
    assertThat(f.get("outcome")).isEqualTo("back online");
    assertThat(f.get("total_seconds")).isNull();
  }

  private static Map<String, Object> failover(String node, long silentMs, Long endMs, String outcome) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("node", node);
    m.put("outcome", outcome);
    m.put("silent_ms", silentMs);
    m.put("end_ms", endMs);
    return m;
  }

  @Test
  void theStoredFailuresAndThisDaemonsOwnAreMergedNewestFirstWithoutDuplicates() {
    // the manager stored a's two failures as it saw them; this daemon saw the second one 40 ms later
    // (its own clock and tick), then b's (not stored yet) and a third of a, still open
    List<Map<String, Object>> stored = List.of(failover("a", 200_000, 215_000L, "recovered"),
        failover("a", 100_000, 112_000L, "back online"));
    List<Map<String, Object>> own = List.of(failover("a", 300_000, null, "open"),
        failover("b", 250_000, 260_000L, "recovered"), failover("a", 200_040, 215_030L, "recovered"));
    List<Map<String, Object>> merged = Timeline.merge(stored, own);
    assertThat(merged).extracting(f -> f.get("node") + "@" + f.get("silent_ms")).containsExactly("a@300000",
        "b@250000", "a@200000", "a@100000");
    assertThat(merged.get(2)).isSameAs(stored.get(0)); // the stored view wins: every node shows the same one
    // an open failure overlapping a stored (finished) one is that one: this daemon has not seen its end yet
    assertThat(Timeline.merge(stored, List.of(failover("a", 199_990, null, "open")))).hasSize(2);
    // the same node failing again right after it was back online is another failure
    assertThat(Timeline.merge(stored, List.of(failover("a", 215_001, 220_000L, "recovered")))).hasSize(3);
    // a restarted daemon shows what is stored; one that never reached the store shows its own
    assertThat(Timeline.merge(stored, List.of())).isEqualTo(stored);
    assertThat(Timeline.merge(List.of(), own)).hasSize(3);
  }

  @Test
  void atMostFiftyAreShown() {
    List<Map<String, Object>> stored = new java.util.ArrayList<>();
    for (int i = 0; i < Timeline.SHOWN_MAX; i++) stored.add(failover("a", 1_000_000 - i * 1_000, 1_000_500L - i
        * 1_000, "recovered"));
    List<Map<String, Object>> merged = Timeline.merge(stored, List.of(failover("b", 2_000_000, null, "open")));
    assertThat(merged).hasSize(Timeline.SHOWN_MAX);
    assertThat(merged.get(0).get("node")).isEqualTo("b");
    assertThat(merged.get(Timeline.SHOWN_MAX - 1)).isSameAs(stored.get(Timeline.SHOWN_MAX - 2));
  }

  @Test
  void onlyFinishedFailuresAreOfferedToTheStoreAndEachUntilItIsThere() {
    Timeline t = new Timeline();
    t.update(state(node(NodeState.ONLINE, null), "a", ServiceState.STARTED), 100_000);
    t.update(state(node(NodeState.UNKNOWN, null), "a", ServiceState.STARTED), 107_000);
    assertThat(t.unstored(null, 6_500)).as("open").isEmpty();
    t.update(state(node(NodeState.FENCED, ConfirmKind.POWER), "a", ServiceState.RECOVERY), 111_000);
    t.update(state(node(NodeState.FENCED, ConfirmKind.POWER), "b", ServiceState.STARTED), 113_500);
    List<Map<String, Object>> offered = t.unstored(null, 6_500);
    assertThat(offered).hasSize(1);
    assertThat(offered.get(0)).containsEntry("node", "a").containsEntry("outcome", "recovered")
        .containsEntry("silent_ms", 107_000L).containsEntry("end_ms", 113_500L).containsEntry("total_seconds", 13.0);
    t.stored("a", 107_000);
    assertThat(t.unstored(null, 6_500)).isEmpty();
    assertThat(t.own(null, 6_500)).hasSize(1); // still shown from memory until the store's copy replaces it
  }
}
