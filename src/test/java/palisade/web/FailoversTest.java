package palisade.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;

class FailoversTest {
  private static ManagerState state(Map<String, NodeState> nodes, Map<String, ServiceStatus> services) {
    TreeMap<String, NodeStatus> n = new TreeMap<>();
    nodes.forEach((k, v) -> n.put(k, new NodeStatus(v, 0, null)));
    return new ManagerState(1, 10, 0, n, new TreeMap<>(services));
  }

  private static ServiceStatus on(ServiceState s, String node) {
    return new ServiceStatus(s, node, null, 1, 0, new TreeSet<>(), null);
  }

  @Test
  void countsFromTheFaultSeenToStartedElsewhere() {
    Failovers f = new Failovers();
    var online = Map.of("a", NodeState.ONLINE, "b", NodeState.ONLINE);
    assertThat(f.update(state(online, Map.of("vm:1", on(ServiceState.STARTED, "a"), "vm:2",
        on(ServiceState.STARTED, "b"))), 0)).isEmpty();
    assertThat(f.update(state(Map.of("a", NodeState.UNKNOWN, "b", NodeState.ONLINE), Map.of("vm:1",
        on(ServiceState.STARTED, "a"), "vm:2", on(ServiceState.STARTED, "b"))), 1_000)).isEmpty();
    assertThat(f.update(state(Map.of("a", NodeState.FENCED, "b", NodeState.ONLINE), Map.of("vm:1",
        on(ServiceState.RECOVERY, "a"), "vm:2", on(ServiceState.STARTED, "b"))), 5_000)).isEmpty();
    assertThat(f.update(state(Map.of("a", NodeState.FENCED, "b", NodeState.ONLINE), Map.of("vm:1",
        on(ServiceState.STARTED, "b"), "vm:2", on(ServiceState.STARTED, "b"))), 9_000)).containsExactly(8_000L);
  }

  @Test
  void aNodeBackOnlineIsNoFailover() {
    Failovers f = new Failovers();
    var vm = Map.of("vm:1", on(ServiceState.STARTED, "a"));
    f.update(state(Map.of("a", NodeState.ONLINE), vm), 0);
    f.update(state(Map.of("a", NodeState.UNKNOWN), vm), 1);
    f.update(state(Map.of("a", NodeState.ONLINE), Map.of("vm:1", on(ServiceState.STARTED, "a"))), 2);
    // a later relocation by an operator is not a failover
    assertThat(f.update(state(Map.of("a", NodeState.ONLINE, "b", NodeState.ONLINE), Map.of("vm:1",
        on(ServiceState.STARTED, "b"))), 3)).isEmpty();
  }
}
