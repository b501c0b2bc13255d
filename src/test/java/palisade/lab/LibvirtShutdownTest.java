package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.libvirt.Connect;
import palisade.runtime.resource.QuietLibvirtErrors;
import palisade.core.ClusterConfig;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;

/**
 * Clean host shutdowns with a real libvirt VM (three lab nodes, a session libvirtd each, the diskless guest of
 * {@link LibvirtClusterTest}): a host reboot under the migrate policy moves the running guest away live (an incoming
 * migration on the target, no boot) and back live once the node has rebooted; a power-off asked with {@code node
 * shutdown} under the failover policy stops the guest and starts it on another node; a restart of the daemon alone
 * leaves the guest running where it is (the new daemon adopts it); a host reboot under the conditional policy
 * (freeze) and a power-off under freeze stop the guest and start it again on the same node once it is back, never
 * elsewhere. No node is fenced. Throughout, a poller asks every libvirtd for its running domains: the guest never runs on two at once.
 */
@Tag("libvirt")
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtShutdownTest {
  static final Duration LONG = Duration.ofSeconds(180);
  static final Duration POLL = Duration.ofMillis(100);
  static final String ID = "vm:101";
  static final String DOMAIN = "pal101";
  /** Held for the whole run: JNA frees a callback's native stub once its Java object is collected. */

  @org.junit.jupiter.api.io.TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  static Path dir;
  private LocalCluster cluster;
  private GuestWatch watch;
  private Admin admin;

  @BeforeAll
  void up() throws Exception {
    QuietLibvirtErrors.everywhere();
    cluster = LocalCluster.create(dir.resolve("c"), 3, LibvirtClusterTest.TIMING);
    LabLibvirt.enable(cluster);
    cluster.attachNetwork();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    watch = new GuestWatch(cluster.dir(), cluster.nodeNames(), DOMAIN);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> admin.read(StorePaths.CONFIG) != null);
    Path xml = Files.writeString(cluster.dir().resolve("pal101.xml"), LibvirtClusterTest.XML);
    ResourceConfig vm = new ResourceConfig(ID, "node1", RequestState.STARTED, null, 0, 1, 1, List.of(), "libvirt",
        new TreeMap<>(Map.of("domain", DOMAIN, "xml_file", xml.toString(), "migration", "client",
            "migrate_uri", "tcp://127.0.0.1", "migrate_timeout", "120")));
    admin.update(StorePaths.CONFIG, ClusterConfig.class, cfg -> cfg.withResource(vm));
    await().atMost(LONG).pollInterval(POLL).until(() -> settled() != null);
  }

  @AfterAll
  void down() throws Exception {
    try {
      if (watch != null) watch.close();
      if (admin != null) admin.close();
    } finally {
      if (cluster != null) cluster.down();
    }
    for (String n : List.of("node1", "node2", "node3")) {
      assertThat(LabLibvirt.libvirtd(dir.resolve("c"), n)).as(n + "'s libvirtd stopped").isEmpty();
    }
  }

  @Test
  @Order(1)
  void aHostRebootUnderMigrateMovesTheGuestAwayLiveAndBack() throws Exception {
    String from = settled();
    assertThat(cli("node", "set", from, "--shutdown-policy", "migrate")).isZero();
    long gen = generation(from);
    long supervisor = cluster.supervisorPid(from).orElseThrow();
    long t0 = System.nanoTime();
    cluster.hostShutdown(from, true);
    await().atMost(LONG).pollInterval(POLL).until(() -> watch.runningOn().size() == 1 && !watch.runningOn()
        .contains(from));
    String to = watch.runningOn().first();
    System.out.printf("host reboot of %s (migrate): guest running on %s %.1fs after the SIGTERM%n", from, to,
        (System.nanoTime() - t0) / 1e9);
    assertThat(watch.observer(to).history()).as("moved live, not booted").contains(DOMAIN + " STARTED MIGRATED")
        .noneMatch(e -> e.startsWith(DOMAIN + " STARTED BOOTED"));
    // The node reboots (same supervisor, a new libvirtd) and the guest comes back, live again.
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> nodeState(from) == NodeState.ONLINE);
    assertThat(cluster.supervisorPid(from)).contains(supervisor);
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> from.equals(settled()));
    System.out.printf("host reboot of %s (migrate): guest back on it %.1fs after the SIGTERM%n", from,
        (System.nanoTime() - t0) / 1e9);
    assertNeverFenced(from, gen);
    assertThat(Files.readString(cluster.nodeLog(from))).contains(from + "/daemon: shutdown: reboot (the host's "
        + "reboot job is queued), policy migrate: migrating 1 resource [" + ID + "]")
        .contains(from + "/daemon: shutdown: " + ID + " migrated to " + to)
        .contains(from + "/daemon: shutdown: down");
    assertThat(cli("node", "set", from, "--shutdown-policy", "default")).isZero();
  }

  @Test
  @Order(2)
  void aPowerOffAskedUnderFailoverStopsTheGuestAndStartsItElsewhere() throws Exception {
    String from = settled();
    assertThat(cli("node", "set", from, "--shutdown-policy", "failover")).isZero();
    long gen = generation(from);
    long t0 = System.nanoTime();
    assertThat(cli("node", "shutdown", from)).isZero();
    await().atMost(LONG).pollInterval(POLL).until(() -> watch.runningOn().size() == 1 && !watch.runningOn()
        .contains(from));
    String to = watch.runningOn().first();
    System.out.printf("power-off of %s (failover): guest running on %s %.1fs after the request%n", from, to,
        (System.nanoTime() - t0) / 1e9);
    await().atMost(LONG).pollInterval(POLL).until(() -> !cluster.powered(from));
    assertThat(watch.observer(to).history()).as("a cold start").contains(DOMAIN + " STARTED BOOTED");
    assertThat(admin.value(StorePaths.node(from), NodeRecord.class).mode().down()).isTrue();
    assertThat(nodeState(from)).isEqualTo(NodeState.OFFLINE);
    assertNeverFenced(from, gen);
    assertThat(to).isEqualTo(settled());
    cluster.powerOn(from);
    LabLibvirt.awaitReady(cluster.dir(), from);
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> nodeState(from) == NodeState.ONLINE);
  }

  @Test
  @Order(3)
  void aDaemonRestartLeavesTheGuestRunningWhereItIs() throws Exception {
    // On a node whose embedded store peer follows: the restart takes no store leader along.
    String on = RealDaemonRestartTest.follower(cluster);
    if (!on.equals(settled())) {
      assertThat(cli("resource", "migrate", ID, on)).isZero();
      await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> on.equals(settled()));
    }
    assertThat(watch.observer(on).isRunning(DOMAIN)).as("its observer connected, hearing events").isTrue();
    long gen = generation(on);
    long qemu = qemuPid(on);
    int domainId = domainId(on);
    long starts = startEvents(on);
    long daemon = cluster.daemonPid(on).orElseThrow();
    long supervisor = cluster.supervisorPid(on).orElseThrow();
    long counter = admin.value(StorePaths.node(on), NodeRecord.class).counter();
    watch.clearSeen();
    long t0 = System.nanoTime();

    ProcessHandle.of(daemon).orElseThrow().destroy(); // SIGTERM to the daemon's JVM alone, by pid

    await().atMost(LONG).until(() -> ProcessHandle.of(daemon).map(h -> !h.isAlive()).orElse(true));
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> {
      NodeRecord r = admin.value(StorePaths.node(on), NodeRecord.class);
      return cluster.daemonPid(on).filter(p -> p != daemon).isPresent() && r.holdMs() == 0 && r.armed()
          && r.counter() > counter + 2 && nodeState(on) == NodeState.ONLINE;
    });
    System.out.printf("daemon restart of %s with the guest: renewing again, hold cleared, %.1fs after SIGTERM%n",
        on, (System.nanoTime() - t0) / 1e9);
    assertThat(cluster.supervisorPid(on)).as("the same supervisor").contains(supervisor);
    assertThat(on).isEqualTo(settled());
    assertThat(qemuPid(on)).as("the same QEMU process").isEqualTo(qemu);
    assertThat(domainId(on)).as("the same domain id").isEqualTo(domainId);
    assertThat(startEvents(on)).as("no lifecycle start on its libvirtd").isEqualTo(starts);
    assertThat(watch.everOn()).as("seen on no other libvirtd").containsExactly(on);
    assertNeverFenced(on, gen);
    assertThat(Files.readString(cluster.nodeLog(on))).contains("while held for a restart: restarting it now")
        .contains("resource " + ID + ": adopted domain " + DOMAIN + ", token").contains("hold released: armed again")
        .doesNotContain("watchdog expired");
  }

  @Test
  @Order(4)
  void aHostRebootUnderConditionalFreezesTheGuestAndStartsItAgainOnTheSameNode() throws Exception {
    String on = settled();
    assertThat(cli("node", "set", on, "--shutdown-policy", "conditional")).isZero();
    long gen = generation(on);
    long qemu = qemuPid(on);
    watch.clearSeen();
    long gaps = watch.nowhere();
    long t0 = System.nanoTime();
    cluster.hostShutdown(on, true);
    await().atMost(LONG).pollInterval(POLL).until(() -> watch.nowhere() > gaps + 2);
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> nodeState(on) == NodeState.ONLINE
        && on.equals(settled()) && qemuPid(on) != qemu);
    System.out.printf("host reboot of %s (conditional: freeze): guest running on it again %.1fs after the "
        + "SIGTERM%n", on, (System.nanoTime() - t0) / 1e9);
    assertThat(watch.everOn()).as("never started elsewhere").containsExactly(on);
    assertNeverFenced(on, gen);
    assertThat(Files.readString(cluster.nodeLog(on))).contains(on + "/daemon: shutdown: reboot (the host's "
        + "reboot job is queued), policy conditional (freeze): stopping 1 resource [" + ID + "]")
        .contains(on + "/daemon: shutdown: " + ID + " stopped");
    assertThat(cli("node", "set", on, "--shutdown-policy", "default")).isZero();
  }

  @Test
  @Order(5)
  void aPowerOffUnderFreezeKeepsTheGuestStoppedUntilItsNodeIsBack() throws Exception {
    String on = settled();
    assertThat(cli("node", "set", on, "--shutdown-policy", "freeze")).isZero();
    long gen = generation(on);
    watch.clearSeen();
    long t0 = System.nanoTime();
    assertThat(cli("node", "shutdown", on)).isZero();
    await().atMost(LONG).pollInterval(POLL).until(() -> !cluster.powered(on));
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> nodeState(on) == NodeState.OFFLINE);
    ServiceStatus frozen = admin.value(StorePaths.MANAGER_STATE, ManagerState.class).services().get(ID);
    assertThat(frozen.state()).as("frozen on its node while it is off").isEqualTo(ServiceState.FREEZE);
    assertThat(frozen.node()).isEqualTo(on);
    assertThat(watch.runningOn()).as("running nowhere").isEmpty();
    cluster.powerOn(on);
    LabLibvirt.awaitReady(cluster.dir(), on);
    await().ignoreExceptions().atMost(LONG).pollInterval(POLL).until(() -> nodeState(on) == NodeState.ONLINE
        && on.equals(settled()));
    System.out.printf("power-off of %s (freeze) and power-on: guest running on it again %.1fs after the request%n",
        on, (System.nanoTime() - t0) / 1e9);
    assertThat(watch.everOn()).as("never started elsewhere").containsExactly(on);
    assertNeverFenced(on, gen);
    assertThat(Files.readString(cluster.nodeLog(on))).contains(on + "/daemon: shutdown: power-off (asked by ")
        .contains("policy freeze: stopping 1 resource [" + ID + "]");
    assertThat(cli("node", "set", on, "--shutdown-policy", "default")).isZero();
  }

  // ---- helpers ---------------------------------------------------------------------------------------------------

  /** The pid of the guest's QEMU on node, from its libvirtd's pid file. */
  private long qemuPid(String node) throws Exception {
    for (Path f : LabLibvirt.qemuPidFiles(cluster.dir(), node)) {
      if (f.getFileName().toString().equals(DOMAIN + ".pid")) return Long.parseLong(Files.readString(f).trim());
    }
    throw new IllegalStateException("no QEMU pid file of " + DOMAIN + " on " + node);
  }

  /** The guest's domain id on node's libvirtd (a new one at every start). */
  private int domainId(String node) throws Exception {
    Connect c = new Connect(LabLibvirt.uri(cluster.dir(), node));
    try {
      QuietLibvirtErrors.on(c);
      return c.domainLookupByName(DOMAIN).getID();
    } finally {
      c.close();
    }
  }

  /** How many lifecycle start events of the guest the observer of node has seen. */
  private long startEvents(String node) {
    return watch.observer(node).history().stream().filter(e -> e.startsWith(DOMAIN + " STARTED")).count();
  }

  /** The node the guest runs on, once the manager and every libvirtd agree that it runs there alone; else null. */
  private String settled() throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    ServiceStatus ss = ms == null ? null : ms.services().get(ID);
    if (ss == null || ss.state() != ServiceState.STARTED) return null;
    return watch.runningOn().equals(new TreeSet<>(List.of(ss.node()))) ? ss.node() : null;
  }

  private int cli(String... args) {
    return LabCli.run(cluster, args);
  }

  private void assertNeverFenced(String node, long generationBefore) throws Exception {
    assertThat(generation(node)).as(node + "'s lease generation").isEqualTo(generationBefore);
    FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    assertThat(h == null ? List.of() : h.entries()).as("fence history").noneMatch(e -> e.target().equals(node));
  }

  private long generation(String node) throws Exception {
    return admin.value(StorePaths.node(node), NodeRecord.class).generation();
  }

  private NodeState nodeState(String node) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null || ms.nodes().get(node) == null ? null : ms.nodes().get(node).state();
  }
}
