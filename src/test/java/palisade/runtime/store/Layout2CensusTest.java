package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.RequestState;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;

/**
 * The census a layout-2 head keeps (what `status` sums up above 1,000 resources): after any sequence of writes it is
 * the count of the record's entries by class, kept by each write from the base's census and the changed entries, and
 * counted afresh when the base has none (a head an older release wrote) or one that is not of its record.
 */
class Layout2CensusTest {
  private static final ServiceState[] STATES = {ServiceState.STARTED, ServiceState.STOPPED, ServiceState.ERROR,
      ServiceState.FENCE, ServiceState.RECOVERY, ServiceState.MIGRATE};

  @Test
  void theStateHeadsCensusFollowsEveryWrite() {
    Random rnd = new Random(20261205);
    ManagerState ms = ManagerState.empty();
    Layout2.Stored stored = null;
    for (int step = 0; step < 400; step++) {
      TreeMap<String, ServiceStatus> services = new TreeMap<>(ms.services());
      for (int k = rnd.nextInt(20); k >= 0; k--) {
        String id = "vm:" + rnd.nextInt(300);
        ServiceStatus now = services.get(id);
        switch (rnd.nextInt(4)) {
          case 0 -> services.remove(id);
          case 1 -> services.put(id, LayoutFixture.status("node" + rnd.nextInt(3), step));
          case 2 -> { if (now != null) services.put(id, now.with(STATES[rnd.nextInt(STATES.length)])); }
          default -> { if (now != null) services.put(id, now.withFailedStarts(rnd.nextInt(2))); }
        }
      }
      ms = withServices(ms, services);
      Layout2Writes.Plan plan = Layout2Writes.plan(StorePaths.MANAGER_STATE, ms, stored);
      stored = plan.next();
      assertThat(stored.head().census()).as("step %d", step).containsOnlyKeys("services");
      assertThat(stored.head().census().get("services")).as("step %d", step).isEqualTo(recount(services.values()));
    }
    assertThat(stored.head().census().get("services")).as("the history reached several classes")
        .containsKeys("state:started", "state:error", Layout2.FAILED);
  }

  @Test
  void theConfigHeadCountsRequestedStates() {
    ClusterConfig c = LayoutFixture.config(1_500);
    Layout2.Stored s = Layout2Writes.plan(StorePaths.CONFIG, c, null).next();
    assertThat(s.head().census()).isEqualTo(Map.of("resources", Map.of("request:stopped", 1_500L)));
    c = c.withResource(LayoutFixture.resource(3).withState(RequestState.STARTED)).withoutResource("vm:00004");
    s = Layout2Writes.plan(StorePaths.CONFIG, c, s).next();
    assertThat(s.head().census().get("resources")).isEqualTo(Map.of("request:stopped", 1_498L,
        "request:started", 1L));
  }

  @Test
  void aBaseWithoutACensusOrAWrongOneIsCountedAfresh() {
    ClusterConfig c = LayoutFixture.config(10);
    Layout2.Stored s = Layout2Writes.plan(StorePaths.CONFIG, c, null).next();
    Layout2.Head h = s.head();
    Layout2.Head older = new Layout2.Head(h.layout(), h.buckets(), h.seq(), h.sums(), h.record(), null);
    ClusterConfig next = c.withResource(LayoutFixture.resource(1).withState(RequestState.STARTED));
    Layout2.Stored fromOlder = Layout2Writes.plan(StorePaths.CONFIG, next,
        new Layout2.Stored(s.version(), older, s.record(), s.ats())).next();
    assertThat(fromOlder.head().census().get("resources")).isEqualTo(Map.of("request:stopped", 9L,
        "request:started", 1L));
    // A census that is not of its record (no release writes one): once a count would go below zero, counted afresh
    Layout2.Head wrong = new Layout2.Head(h.layout(), h.buckets(), h.seq(), h.sums(), h.record(),
        new TreeMap<>(Map.of("resources", new TreeMap<>(Map.of("request:started", 3L)))));
    Layout2.Stored fromWrong = Layout2Writes.plan(StorePaths.CONFIG, next,
        new Layout2.Stored(s.version(), wrong, s.record(), s.ats())).next();
    assertThat(fromWrong.head().census().get("resources")).isEqualTo(Map.of("request:stopped", 9L,
        "request:started", 1L));
  }

  private static SortedMap<String, Long> recount(java.util.Collection<ServiceStatus> values) {
    TreeMap<String, Long> out = new TreeMap<>();
    for (ServiceStatus ss : values) {
      List<String> classes = new ArrayList<>(List.of("state:" + ss.state().label()));
      if (ss.state() == ServiceState.ERROR || ss.failedStarts() > 0 || !ss.triedNodes().isEmpty()
          || ss.migrationFailed()) {
        classes.add(Layout2.FAILED);
      }
      for (String c : classes) out.merge(c, 1L, Long::sum);
    }
    return out;
  }

  private static ManagerState withServices(ManagerState m, TreeMap<String, ServiceStatus> services) {
    return new ManagerState(m.epoch(), m.nextToken(), m.commandSeq(), m.nodes(), services, m.fencing(), m.spm(),
        m.maintenance(), m.softFences(), m.deviceCheck(), m.ha(), m.disks());
  }
}
