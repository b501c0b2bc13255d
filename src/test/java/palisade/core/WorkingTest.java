package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The one funnel of the manager's state machines: validates transitions against the tables and logs them. */
class WorkingTest {
  private final List<String> log = new ArrayList<>();
  private final Working w = new Working(ManagerState.empty(), (src, msg) -> log.add(src + ": " + msg));

  private static ServiceStatus at(ServiceState s, String node, long token) {
    return new ServiceStatus(s, node, null, token, 0, new TreeSet<>(), null);
  }

  @Test
  void logsEveryChangeLikeProxmox() {
    w.setService("vm:101", at(ServiceState.STARTED, "node1", 1), "start requested");
    w.setService("vm:101", at(ServiceState.FENCE, "node1", 1), "node1 is fencing");
    assertThat(log).containsExactly("manager: vm:101: started on node1, token 1 (start requested)",
        "manager: vm:101: started -> fence on node1, token 1 (node1 is fencing)");
    assertThat(w.changed()).isTrue();
  }

  @Test
  void refusesTransitionsOutsideTheTable() {
    w.setService("vm:1", at(ServiceState.STOPPED, "node1", 1), "added");
    assertThatThrownBy(() -> w.setService("vm:1", at(ServiceState.RECOVERY, "node1", 1), "bogus"))
        .hasMessageContaining("illegal transition stopped -> recovery");
    w.setNode("node1", new NodeStatus(NodeState.ONLINE, 0, null), "renewing");
    assertThatThrownBy(() -> w.setNode("node1", new NodeStatus(NodeState.FENCED, 0, null), "bogus"))
        .hasMessageContaining("illegal transition online -> fenced");
  }

  @Test
  void refusesNoOps() {
    w.setService("vm:1", at(ServiceState.STOPPED, "node1", 1), "added");
    assertThatThrownBy(() -> w.setService("vm:1", at(ServiceState.STOPPED, "node1", 1), "again"))
        .hasMessageContaining("no-op");
  }

  @Test
  void everyStateIsReachableAndTheFenceGateIsNarrow() {
    for (ServiceState s : ServiceState.values()) {
      boolean reachable = s == ServiceState.REQUEST_START || s == ServiceState.STOPPED || s == ServiceState.DISABLED
          || s == ServiceState.IGNORED;
      for (ServiceState from : ServiceState.values()) reachable |= s.predecessors().contains(from);
      assertThat(reachable).as(s.label()).isTrue();
    }
    // A resource may only be recovered out of `fence` (or after a clean release from `started`/`freeze`).
    assertThat(ServiceState.RECOVERY.predecessors()).containsExactlyInAnyOrder(ServiceState.FENCE,
        ServiceState.STARTED, ServiceState.FREEZE);
    assertThat(NodeState.FENCED.predecessors()).containsExactly(NodeState.FENCING);
  }

  @Test
  void tokensOnlyGrow() {
    long a = w.newToken();
    long b = w.newToken();
    assertThat(b).isGreaterThan(a);
    assertThat(w.build(3).nextToken()).isGreaterThan(b);
  }
}
