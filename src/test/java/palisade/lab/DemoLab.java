package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;

/**
 * What the real-cluster fault tests share: a lab whose nodes are powered on, the demo resources vm:101.. one per
 * node, each running once; and, at the end, every process stopped and the trace checker's verdict.
 */
final class DemoLab {
  static final Duration FORM = Duration.ofSeconds(90);

  private DemoLab() {}

  /** Powers every node on, waits for the store's configuration, adds one demo resource per node, waits for them. */
  static Admin start(LocalCluster cluster) throws Exception {
    cluster.attachNetwork();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    Admin admin = cluster.admin();
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> admin.read(StorePaths.CONFIG) != null);
    int count = cluster.nodeNames().size();
    cluster.addDemoResources(admin, count);
    String[] ids = new String[count];
    for (int i = 0; i < count; i++) ids[i] = "vm:" + (101 + i);
    awaitRunning(cluster, ids);
    // Every node online in the manager's view too: on a loaded machine a node's daemon can take long enough to start
    // that the manager fences it as never seen (it comes back online once it boots), and a test that took its
    // generations or states before that would blame its own fault for it.
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250)).until(() -> {
      ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
      return cluster.nodeNames().stream().allMatch(n -> ms.nodes().get(n).state() == NodeState.ONLINE);
    });
    return admin;
  }

  /** Each resource has exactly one live instance, by its own trace. */
  static void awaitRunning(LocalCluster cluster, String... ids) {
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250)).until(() -> {
      List<Traces.Instance> t = Traces.read(cluster.traceDir());
      long now = System.currentTimeMillis();
      return List.of(ids).stream().allMatch(id -> Traces.alive(t, id, now).size() == 1);
    });
  }

  /** Stops everything (admin first, then every process by PID), then: never two instances of a resource at once. */
  static void stopAndCheck(LocalCluster cluster, Admin admin) throws Exception {
    if (cluster == null) return;
    try {
      if (admin != null) admin.close();
    } finally {
      cluster.down();
    }
    List<String> bad = Traces.overlaps(Traces.read(cluster.traceDir()));
    assertThat(bad).as("never two instances of a resource alive at once").isEmpty();
  }
}
