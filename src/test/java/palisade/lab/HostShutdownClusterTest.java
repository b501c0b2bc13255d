package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.FenceHistory;
import palisade.core.GroupConfig;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;
import palisade.core.Versioned;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;

/**
 * Clean host shutdowns and reboots of a real 3-node lab cluster (process resources, one shared cluster): each
 * shutdown policy, started by the host (a queued job and SIGTERM, as systemd does) or asked through the store
 * ({@code palisade node shutdown}). Each test adds its own resource on the node it takes down, and asserts where it
 * ends, that the node is never fenced (its generation unchanged, nothing about it in the fence history), that it
 * went down cleanly (its daemon ended, its supervisor too after a power-off), and the progress events. After the
 * class, the trace checker: never two instances of a resource alive at once.
 */
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostShutdownClusterTest {
  static final Duration LONG = Duration.ofSeconds(120);
  static final Duration POLL = Duration.ofMillis(250);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs; static: one per class
  static Path dir;

  private LocalCluster cluster;
  private Admin admin;

  @BeforeAll
  void up() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 3, RealClusterFaultTest.TIMING);
    admin = DemoLab.start(cluster);
  }

  @AfterAll
  void down() throws Exception {
    DemoLab.stopAndCheck(cluster, admin);
  }

  @Test
  @Order(1)
  void hostPowerOffUnderFailoverRecoversElsewhereAndTheNodeStaysOff() throws Exception {
    assertThat(cli("node", "set", "node3", "--shutdown-policy", "failover")).isZero();
    String id = addOn("vm:201", "node3");
    long gen = generation("node3");
    long t0 = System.nanoTime();
    cluster.hostShutdown("node3", false);
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> running(id)
        .filter(i -> !i.node().equals("node3")).isPresent());
    System.out.printf("host power-off of node3 (failover): %s running on %s %.1fs after the SIGTERM%n", id,
        running(id).orElseThrow().node(), (System.nanoTime() - t0) / 1e9);
    await().atMost(LONG).pollInterval(POLL).until(() -> !cluster.powered("node3")); // its supervisor ended
    assertThat(nodeState("node3")).isEqualTo(NodeState.OFFLINE);
    assertNeverFenced("node3", gen);
    assertThat(events("node3/daemon")).anyMatch(m -> m.startsWith("shutdown: power-off (the host's poweroff job is "
        + "queued), policy failover: stopping")).anyMatch(m -> m.startsWith("shutdown: " + id + " stopped"))
        .anyMatch(m -> m.startsWith("shutdown: down"));
    bootAgain("node3");
  }

  @Test
  @Order(2)
  void hostRebootUnderConditionalFreezesAndTheResourceRunsThereAgain() throws Exception {
    assertThat(cli("node", "set", "node3", "--shutdown-policy", "default")).isZero();
    assertThat(cli("config", "set", "shutdown_policy=conditional")).isZero();
    String id = addOn("vm:202", "node3");
    long gen = generation("node3");
    long supervisor = cluster.supervisorPid("node3").orElseThrow();
    long at = System.currentTimeMillis();
    cluster.hostShutdown("node3", true);
    await().ignoreExceptions().atMost(LONG).pollInterval(Duration.ofMillis(100))
        .until(() -> service(id).state() == ServiceState.FREEZE);
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> running(id)
        .filter(i -> i.node().equals("node3") && i.startMs() > at).isPresent());
    assertThat(cluster.supervisorPid("node3")).as("rebooted by the same supervisor").contains(supervisor);
    assertThat(Traces.read(cluster.traceDir())).as("frozen: never started elsewhere")
        .filteredOn(i -> i.resource().equals(id)).allMatch(i -> i.node().equals("node3"));
    assertNeverFenced("node3", gen);
    assertThat(events("node3/daemon")).anyMatch(m -> m.startsWith("shutdown: reboot (the host's reboot job is "
        + "queued), policy conditional (freeze): stopping"));
    awaitOnline("node3");
  }

  @Test
  @Order(3)
  void askedRebootUnderFreezeThroughTheStore() throws Exception {
    Versioned<Object> before = admin.read(StorePaths.CONFIG);
    assertThat(cli("node", "shutdown", "node9")).as("unknown node").isEqualTo(2);
    assertThat(cli("config", "set", "shutdown_policy=sometimes")).as("bad value").isEqualTo(2);
    assertThat(cli("node", "set", "node2", "--shutdown-policy", "never")).as("bad value").isEqualTo(2);
    assertThat(admin.read(StorePaths.CONFIG).version()).as("nothing written").isEqualTo(before.version());
    assertThat(admin.read("/shutdown/node9")).isNull();

    assertThat(cli("node", "set", "node2", "--shutdown-policy", "freeze")).isZero();
    // The admin handle may read from a store peer that has not applied the write yet: wait for it, as a user would.
    await().atMost(LONG).pollInterval(POLL).until(() -> admin.value(StorePaths.CONFIG, ClusterConfig.class)
        .shutdownPolicyOf("node2") == ShutdownPolicy.FREEZE);
    String status = stdout(() -> assertThat(cli("status")).isZero());
    assertThat(status).contains("shutdown policy: conditional (cluster default)").contains("SHUTDOWN-POLICY")
        .containsPattern("(?m)^node2 .* freeze \\(node's own\\)$").containsPattern("(?m)^node1 .* conditional$");
    String id = addOn("vm:203", "node2");
    long gen = generation("node2");
    long at = System.currentTimeMillis();
    assertThat(cli("node", "shutdown", "node2", "--reboot")).isZero();
    await().ignoreExceptions().atMost(LONG).pollInterval(Duration.ofMillis(100))
        .until(() -> service(id).state() == ServiceState.FREEZE);
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> running(id)
        .filter(i -> i.node().equals("node2") && i.startMs() > at).isPresent());
    assertThat(Traces.read(cluster.traceDir())).filteredOn(i -> i.resource().equals(id))
        .allMatch(i -> i.node().equals("node2"));
    assertNeverFenced("node2", gen);
    assertThat(events("node2/daemon")).anyMatch(m -> m.startsWith("shutdown: reboot (asked by admin"));
    awaitOnline("node2");
    assertThat(cli("node", "set", "node2", "--shutdown-policy", "default")).isZero();
  }

  @Test
  @Order(4)
  void askedShutdownUnderMigrateMovesTheResourceFirstAndItReturns() throws Exception {
    assertThat(cli("config", "set", "shutdown_policy=migrate")).isZero();
    String id = addOn("vm:204", "node2");
    long gen = generation("node2");
    long t0 = System.nanoTime();
    assertThat(cli("node", "shutdown", "node2")).isZero();
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> running(id)
        .filter(i -> !i.node().equals("node2")).isPresent());
    System.out.printf("power-off of node2 asked (migrate): %s running on %s %.1fs after the request%n", id,
        running(id).orElseThrow().node(), (System.nanoTime() - t0) / 1e9);
    await().atMost(LONG).pollInterval(POLL).until(() -> !cluster.powered("node2"));
    Instance moved = running(id).orElseThrow();
    NodeRecord rec = admin.value(StorePaths.node("node2"), NodeRecord.class);
    assertThat(rec.mode().down()).as("down cleanly").isTrue();
    assertNeverFenced("node2", gen);
    assertThat(events("node2/daemon")).anyMatch(m -> m.contains("policy migrate: migrating"))
        .anyMatch(m -> m.matches("shutdown: " + id + " (relocated|migrated|moved) to " + moved.node() + ".*"));
    bootAgain("node2");
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> running(id)
        .filter(i -> i.node().equals("node2")).isPresent()); // back once its node is
    assertThat(cli("config", "set", "shutdown_policy=conditional")).isZero();
  }

  /**
   * A shutdown that cannot finish: under migrate, a resource restricted to its node has nowhere to go. After
   * shutdown_timeout the daemon says so and exits anyway, still armed: its watchdog resets the node (the resource
   * dies with it), and the resource, recovered after the fence, runs on the node again once it is back. Never two.
   */
  @Test
  @Order(5)
  void aShutdownThatCannotFinishExitsAtItsTimeoutAndTheWatchdogTakesOver() throws Exception {
    // A short shutdown_timeout for node3: a clean power-off, a new file, power on.
    cluster.hostShutdown("node3", false);
    await().atMost(LONG).pollInterval(POLL).until(() -> !cluster.powered("node3"));
    Path yaml = cluster.dir().resolve("node3").resolve("node.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("shutdown_timeout: 120s", "shutdown_timeout: 5s"));
    bootAgain("node3");
    assertThat(cli("node", "set", "node3", "--shutdown-policy", "migrate")).isZero();
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
      TreeMap<String, GroupConfig> groups = new TreeMap<>(c.groups());
      groups.put("only3", new GroupConfig("only3", new TreeMap<>(Map.of("node3", 1)), true, true));
      return new ClusterConfig(c.nodes(), groups, c.resources(), c.shutdownPolicy(), c.timing());
    });
    String id = "vm:205";
    ResourceConfig demo = cluster.demoResource(id, "node3");
    ResourceConfig r = new ResourceConfig(id, "node3", demo.state(), "only3", 0, 1, 1, List.of(), demo.type(),
        demo.options());
    awaitOnline(cluster.nodeNames().toArray(new String[0]));
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withResource(r));
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> running(id)
        .filter(i -> i.node().equals("node3")).isPresent() && service(id).state() == ServiceState.STARTED);
    long daemon = cluster.daemonPid("node3").orElseThrow();
    long at = System.currentTimeMillis();
    assertThat(cli("node", "shutdown", "node3")).isZero();
    await().atMost(LONG).pollInterval(POLL).until(() -> !ProcessHandle.of(daemon).map(ProcessHandle::isAlive)
        .orElse(false));
    assertThat(Files.readString(cluster.nodeLog("node3"))).contains("node3/daemon: shutdown: timed out after 5s "
        + "(shutdown_timeout) with 1 resources still running [" + id + "]: exiting anyway");
    // The watchdog resets the node; the resource runs on node3 again, started after the reset.
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> running(id)
        .filter(i -> i.node().equals("node3") && i.startMs() > at).isPresent());
    awaitOnline("node3");
    assertThat(cli("node", "set", "node3", "--shutdown-policy", "default")).isZero();
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  private int cli(String... args) {
    return LabCli.run(cluster, args);
  }

  /** What a CLI call printed (the daemons are other processes: nothing else writes to this JVM's stdout). */
  private static String stdout(Runnable call) {
    java.io.PrintStream saved = System.out;
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      call.run();
    } finally {
      System.setOut(saved);
    }
    return buf.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Adds a demo resource homed on node and waits until it runs there. */
  private String addOn(String id, String node) throws Exception {
    awaitOnline(cluster.nodeNames().toArray(new String[0]));
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withResource(cluster.demoResource(id, node)));
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> running(id)
        .filter(i -> i.node().equals(node)).isPresent() && service(id).state() == ServiceState.STARTED);
    return id;
  }

  private void bootAgain(String node) throws Exception {
    cluster.powerOn(node);
    awaitOnline(node);
  }

  private void awaitOnline(String... nodes) {
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> List.of(nodes).stream()
        .allMatch(n -> nodeStateUnchecked(n) == NodeState.ONLINE));
  }

  /** Never fenced: the same lease generation, nothing about it in the fence history. */
  private void assertNeverFenced(String node, long generationBefore) throws Exception {
    assertThat(generation(node)).as(node + "'s lease generation").isEqualTo(generationBefore);
    FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    assertThat(h == null ? List.of() : h.entries()).as("fence history").noneMatch(e -> e.target().equals(node));
  }

  private long generation(String node) throws Exception {
    return admin.value(StorePaths.node(node), NodeRecord.class).generation();
  }

  private List<String> events(String source) throws Exception {
    return admin.events(null, 2000).stream().filter(e -> e.source().equals(source)).map(Admin.Event::message)
        .toList();
  }

  private ServiceStatus service(String id) throws Exception {
    return admin.value(StorePaths.MANAGER_STATE, ManagerState.class).services().get(id);
  }

  private NodeState nodeState(String node) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null || ms.nodes().get(node) == null ? null : ms.nodes().get(node).state();
  }

  private NodeState nodeStateUnchecked(String node) {
    try {
      return nodeState(node);
    } catch (Exception e) {
      return null;
    }
  }

  /** The single live instance of id, if exactly one runs. */
  private Optional<Instance> running(String id) throws Exception {
    List<Instance> alive = Traces.alive(Traces.read(cluster.traceDir()), id, System.currentTimeMillis());
    return alive.size() == 1 ? Optional.of(alive.get(0)) : Optional.empty();
  }
}
