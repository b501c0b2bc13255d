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
}
