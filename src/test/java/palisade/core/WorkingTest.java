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
  /** Tokens below 10 count as issued already. */
  private final Working w = new Working(new ManagerState(0, 10, 0, new java.util.TreeMap<>(),
      new java.util.TreeMap<>()), (src, msg) -> log.add(src + ": " + msg));

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
  void aDiskLeaseIsNeverTakenFromAnotherResourceAndCarriesItsResourcesToken() {
    w.setService("vm:1", at(ServiceState.STARTED, "node1", 1), "start requested");
    w.setService("vm:2", at(ServiceState.STARTED, "node2", 2), "start requested");
    w.setDisk("d1", new DiskLease("node1", "vm:1", 1, 0), "start requested");
    assertThat(log).contains("manager: disk d1: free -> node1 (vm:1, token 1) (start requested)");
    assertThatThrownBy(() -> w.setDisk("d1", new DiskLease("node2", "vm:2", 2, 0), "taken"))
        .hasMessageStartingWith("invariant 1: ");
    assertThatThrownBy(() -> w.setDisk("d2", new DiskLease("node1", "vm:1", 3, 0), "not its token"))
        .hasMessageStartingWith("invariant 2: ");
    w.setDisk("d1", null, "stopped");
    w.setDisk("d1", new DiskLease("node2", "vm:2", 2, 0), "start requested");
    assertThat(w.build(0).disks()).containsOnlyKeys("d1");
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
  void refusesATokenNeverIssuedOrGoingBack() {
    assertThatThrownBy(() -> w.setService("vm:1", at(ServiceState.STARTED, "node1", 10), "bogus"))
        .hasMessageStartingWith("invariant 2: ");
    w.setService("vm:1", at(ServiceState.STARTED, "node1", 5), "start requested");
    assertThatThrownBy(() -> w.setService("vm:1", at(ServiceState.REQUEST_STOP, "node1", 4), "bogus"))
        .hasMessageStartingWith("invariant 2: ").hasMessageContaining("vm:1");
    assertThat(log).hasSize(1);
  }

  @Test
  void fencedOnlyWithTheProofOfThatFence() {
    w.setNode("node1", new NodeStatus(NodeState.FENCING, 0, null), "silent");
    assertThatThrownBy(() -> w.setNode("node1", new NodeStatus(NodeState.FENCED, 1, null), "bogus"))
        .hasMessageStartingWith("invariant 4: ");
    assertThatThrownBy(() -> w.setNode("node1", new NodeStatus(NodeState.FENCED, 1,
        new FenceConfirmation(ConfirmKind.WATCHDOG, "watchdog", 0)), "an older fence's proof"))
        .hasMessageStartingWith("invariant 4: ");
    w.setNode("node1", new NodeStatus(NodeState.FENCED, 1, new FenceConfirmation(ConfirmKind.WATCHDOG, "watchdog",
        1)), "confirmed");
    assertThat(w.nodeState("node1")).isEqualTo(NodeState.FENCED);
  }

  @Test
  void namesAnSpmHolderOnlyIntoAnEmptySlot() {
    w.setSpm(new SpmRole("node1", w.newToken(), false), "first");
    assertThatThrownBy(() -> w.setSpm(new SpmRole("node2", w.newToken(), false), "while node1 holds it"))
        .hasMessageStartingWith("invariant 3: ");
    w.setSpm(null, "node1 released it");
    w.setSpm(new SpmRole("node2", w.newToken(), false), "then");
    assertThat(w.spm().node()).isEqualTo("node2");
  }

  @Test
  void tokensOnlyGrow() {
    long a = w.newToken();
    long b = w.newToken();
    assertThat(b).isGreaterThan(a);
    assertThat(w.build(3).nextToken()).isGreaterThan(b);
  }
}
