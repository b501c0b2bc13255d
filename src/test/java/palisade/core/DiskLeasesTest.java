package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The manager's disk leases through one resource's life (DESIGN "Disk leases"): written with every assignment,
 * handed to a migration's target, kept through a fence, moved by recovery under the new token, freed by a clean
 * stop; a second resource listing a held disk waits, told once.
 */
class DiskLeasesTest {
  private static final long WALL_MS = 1_700_000_000_000L;
  private final List<String> log = new ArrayList<>();
  private final Working w = new Working(new ManagerState(1, 10, 0, new TreeMap<>(), new TreeMap<>()),
      (src, msg) -> log.add(msg));
  private final DiskLeases.Memory memory = new DiskLeases.Memory();
  private final TreeMap<String, String> waits = memory.waits;
  private final DiskLeases leases;
  private final ClusterConfig config;

  DiskLeasesTest() {
    TreeMap<String, ResourceConfig> rs = new TreeMap<>();
    rs.put("vm:1", ResourceConfig.sim("vm:1", "node1", RequestState.STARTED, null, 0, 1, 1, List.of("d1")));
    rs.put("vm:2", ResourceConfig.sim("vm:2", "node2", RequestState.STARTED, null, 1, 1, 1, List.of("d1", "d2")));
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : List.of("node1", "node2", "node3")) nodes.put(n, NodeConfig.standard(n));
    config = new ClusterConfig(nodes, new TreeMap<>(), rs, ShutdownPolicy.CONDITIONAL);
    leases = new DiskLeases(config, w, WALL_MS, memory);
    w.leases(leases);
  }

  private void set(String id, ServiceState s, String node, String target, long token, String why) {
    w.setService(id, new ServiceStatus(s, node, target, token, 0, new TreeSet<>(), null), why);
  }

  private String holder(String disk) {
    DiskLease l = w.disks.get(disk);
    return l == null ? "free" : l.node() + "/" + l.resource() + "/" + l.token();
  }

  @Test
  void aLeaseFollowsItsResourceAndASecondResourceWaitsUntilItIsFree() {
    set("vm:2", ServiceState.STARTED, "node2", null, w.newToken(), "start requested");
    assertThat(holder("d1")).isEqualTo("node2/vm:2/10");
    assertThat(w.disks.get("d1").sinceMs()).isEqualTo(WALL_MS);
    assertThat(log).contains("disk d1: free -> node2 (vm:2, token 10) (start requested)");
    assertThat(w.diskWait("vm:1")).isEqualTo("vm:1 waits for disk d1 held by vm:2 on node2");
    w.diskWait("vm:1");
    assertThat(log.stream().filter(l -> l.contains("waits"))).hasSize(1); // told once, not every round

    set("vm:2", ServiceState.MIGRATE, "node2", "node3", w.newToken(), "operator: migrate to node3");
    assertThat(holder("d1")).isEqualTo("node3/vm:2/11");
    assertThat(holder("d2")).isEqualTo("node3/vm:2/11");
    set("vm:2", ServiceState.FENCE, "node2", "node3", 11, "node2 is fencing");
    set("vm:2", ServiceState.RECOVERY, "node2", "node3", 11, "fence of node2 confirmed");
    assertThat(holder("d1")).as("kept until the recovery decision").isEqualTo("node3/vm:2/11");
    set("vm:2", ServiceState.STARTED, "node1", null, w.newToken(), "recovered from node2");
    assertThat(holder("d1")).isEqualTo("node1/vm:2/12");
    assertThat(log).contains("disk d1: node3 (vm:2, token 11) -> node1 (vm:2, token 12) (recovered from node2)");

    set("vm:2", ServiceState.REQUEST_STOP, "node1", null, w.newToken(), "configured stopped");
    assertThat(holder("d2")).isEqualTo("node1/vm:2/13");
    assertThat(w.diskWait("vm:1")).isEqualTo("vm:1 waits for disk d1 held by vm:2 on node1"); // told again: new
    set("vm:2", ServiceState.STOPPED, "node1", null, 13, "stopped");
    assertThat(w.disks).isEmpty();
    assertThat(w.diskWait("vm:1")).isNull();
    set("vm:1", ServiceState.STARTED, "node1", null, w.newToken(), "start requested");
    assertThat(holder("d1")).isEqualTo("node1/vm:1/14");
    assertThat(waits).isEmpty();
    w.build(1); // every lease under its resource's current token
  }

  @Test
  void aRemovedResourceFreesItsLeases() {
    set("vm:1", ServiceState.STARTED, "node1", null, w.newToken(), "start requested");
    set("vm:1", ServiceState.REQUEST_STOP, "node1", null, w.newToken(), "removed from the configuration");
    w.setService("vm:1", null, "removed from the configuration");
    assertThat(w.disks).isEmpty();
    leases.sweep();
    assertThat(w.build(1).disks()).isEmpty();
  }

  /** Stale leases are dropped within the write's budget, the rest in the next rounds (one write stays bounded). */
  @Test
  void staleLeasesAreSweptWithinTheBudget() {
    TreeMap<String, ServiceStatus> services = new TreeMap<>();
    services.put("vm:1", new ServiceStatus(ServiceState.STARTED, "node1", null, 5, 0, new TreeSet<>(), null));
    TreeMap<String, DiskLease> disks = new TreeMap<>();
    for (String d : List.of("d1", "gone1", "gone2", "gone3")) {
      disks.put(d, new DiskLease("node1", "vm:1", 5, WALL_MS));
    }
    ManagerState state = new ManagerState(1, 10, 0, new TreeMap<>(), services, new TreeMap<>(), null, null, null,
        null, null, disks);
    List<Integer> left = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      Working w1 = new Working(state, (src, msg) -> log.add(msg));
      w1.budget(new StatusBudget(2));
      DiskLeases sweep = new DiskLeases(config, w1, WALL_MS, memory);
      w1.leases(sweep);
      sweep.sweep();
      assertThat(w1.disksTouched()).isLessThanOrEqualTo(2);
      state = w1.build(1);
      left.add(state.disks().size());
    }
    assertThat(left).containsExactly(2, 1, 1); // d1 stays: vm:1 lists it and runs under that token
    assertThat(state.disks()).containsOnlyKeys("d1");
  }
}
