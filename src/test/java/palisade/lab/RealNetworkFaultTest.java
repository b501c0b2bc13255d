package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import palisade.core.ConfirmKind;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.StorePaths;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;
import palisade.runtime.store.EmbeddedPeer;
import palisade.runtime.store.ZkStore;

/**
 * Network faults as Jepsen injects them, on one shared 3-node local cluster (3 store peers, each a process of its
 * own in its node's firewall identity; daemons under their watchdog supervisors; R=1s X=1s W=6s L=9s). Partitions
 * are iptables rules on loopback ({@link Firewall}): they cut every connection between the chosen nodes, ZooKeeper
 * election connections included, and leave the test's own store connections alone. Latency goes through the
 * fault-proxy links (this kernel has no netem).
 *
 * <p>Each test asserts: never two instances of a resource (trace checker, after every test and over the whole run);
 * no false fence — only a node the fault cut from the store majority may be fenced, and every fenced node's own
 * watchdog fired first (it really lost its store access for W); recovery within {@link #RECOVERY_BOUND}. Between
 * tests the cluster is healed and must be healthy again (every node online, every resource running once).
 */
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealNetworkFaultTest {
  /**
   * W = 6 s, not the 4 s of the other fault tests: a silent partition of the store leader costs more than its crash.
   * The followers wait syncLimit (2 s) before they give up on a leader that says nothing, then elect one, then
   * every daemon's session reconnects: with W = 4 s all three nodes were reset by their watchdogs in one run (every
   * node's renewals stopped for over 4 s), which fences nobody wrongly but restarts every resource. L follows the
   * inequality: (X + W)(1 + rho)^2 + R = 8.2 s <= 9 s.
   */
  static final Map<String, String> TIMING = Map.of("renew_interval", "1s", "ack_timeout", "1s",
      "watchdog_timeout", "6s", "lease_timeout", "9s");
  static final long L_MS = 9_000;
  /**
   * From a fault that cuts a node from the store majority to its resource running elsewhere: L of silence before
   * the fence write, another L when the manager lease was held on that node (the standbys wait for it to lapse,
   * then start the node's timer at "now"), and 10 s for a store leader election (2-4 s here), the manager's round
   * and the resource's start on a loaded machine. Documented in docs/RUNTIME.md.
   */
  static final Duration RECOVERY_BOUND = Duration.ofMillis(2 * L_MS + 10_000);
  /** After a heal, every node online and every resource running once again. */
  static final Duration HEALTHY_BOUND = Duration.ofSeconds(60);
  static final Duration FORM = Duration.ofSeconds(120);

  private Path dir;
  private boolean failed;

  /** A failed run keeps its cluster dir (logs, traces) for a look; a passing one removes it. */
  @org.junit.jupiter.api.extension.RegisterExtension
  final org.junit.jupiter.api.extension.TestWatcher keepOnFailure = new org.junit.jupiter.api.extension.TestWatcher() {
    @Override
    public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
      failed = true;
      System.out.println("failed: cluster dir kept in " + dir);
    }
  };
  private LocalCluster cluster;
  private Firewall firewall;
  private Admin admin;
  /** Per node, the length of its log when the current test began: evidence is looked for after it. */
  private final Map<String, Long> logMark = new TreeMap<>();
  private final Map<String, Long> generationsBefore = new TreeMap<>();
  /** Every demo resource added so far (each test adds one on its victim). */
  private final List<String> resources = new java.util.ArrayList<>(List.of("vm:101", "vm:102", "vm:103"));

  @BeforeAll
  void up() throws Exception {
    Optional<String> why = Firewall.unavailable();
    assertThat(why).as("iptables faults need root and Debian's iptables (bin/test installs it)").isEmpty();
    dir = Files.createTempDirectory("palisade-netfault");
    cluster = LocalCluster.create(dir.resolve("c"), 3, new LocalCluster.Options(TIMING, 3, false, Set.of(), Map.of()),
        true);
    cluster.attachNetwork();
    firewall = cluster.firewall();
    firewall.start(); // before any node: every connection they open is stamped with its initiator
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> admin.read(StorePaths.CONFIG) != null);
    cluster.addDemoResources(admin, 3);
  }

  @AfterAll
  void down() throws Exception {
    try {
      if (firewall != null) firewall.close();
    } finally {
      try {
        if (admin != null) admin.close();
      } finally {
        if (cluster != null) cluster.down();
      }
    }
    assertThat(Traces.overlaps(Traces.read(dir.resolve("c").resolve("trace"))))
        .as("never two instances of a resource alive at once, over the whole run").isEmpty();
    String rules = new String(new ProcessBuilder("iptables-save").start().getInputStream().readAllBytes(),
        StandardCharsets.UTF_8);
    assertThat(rules).as("no rule of ours left").doesNotContain(firewall.tag());
    if (!failed) deleteTree(dir);
  }

  @BeforeEach
  void healthyAndMarked() throws Exception {
    awaitHealthy();
    for (String n : cluster.nodeNames()) {
      logMark.put(n, Files.size(cluster.nodeLog(n)));
      generationsBefore.put(n, generation(n));
    }
  }

  @AfterEach
  void healAndCheck() throws Exception {
    firewall.heal();
    for (String n : cluster.nodeNames()) {
      if (cluster.peerPid(n).isPresent()) cluster.pausePeer(n, false); // a failed test may have left one stopped
    }
    assertThat(Traces.overlaps(traces())).as("never two instances of a resource alive at once").isEmpty();
    assertThat(firewall.activeRules()).as("only the connection stamps are left").allMatch(r -> r.contains("/track"));
  }

  // ---- the faults --------------------------------------------------------------------------------------------------

  /**
   * 200 ms on every packet the store leader's node sends to the others: every write now crosses that delay at
   * least twice, yet renewals stay within X = 1 s, so nothing is fenced and nothing moves.
   */
  @Test
  @Order(1)
  void latencyOnTheLeadersNodeFencesNothingAndMovesNothing() throws Exception {
    String slow = storeLeader();
    String follower = cluster.nodeNames().stream().filter(n -> !n.equals(slow)).findFirst().orElseThrow();
    Map<String, Long> kept = pids();
    long before = probeWriteMs(follower);
    firewall.latency(slow, 200);
    long t0 = now();
    long during = probeWriteMs(follower);
    awaitQuiet(Duration.ofSeconds(15));
    System.out.printf("latency 200 ms on %s (store leader): a write through %s took %d ms before, %d ms with it%n",
        slow, follower, before, during);
    assertThat(during).as("the delay is in the path of a write").isGreaterThanOrEqualTo(200);
    assertNothingFencedSince(t0);
    assertThat(pids()).as("every resource kept its instance").isEqualTo(kept);
  }

  /**
   * The node that hosts the ZooKeeper leader is cut from both others, election connections included: the majority
   * elects a new leader, the isolated node's watchdog resets it, it is fenced and its resource recovered; nobody
   * else is fenced.
   */
  @Test
  @Order(2)
  void isolatingTheStoreLeadersNodeFencesOnlyIt() throws Exception {
    String victim = storeLeader();
    List<String> others = others(victim);
    Instance mine = addResourceOn(victim);
    Map<String, Long> kept = pids();
    long t0 = now();
    firewall.isolate(victim);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> others.stream().anyMatch(n -> "leader".equals(zkMode(n))));
    System.out.printf("isolated %s (store leader): new store leader %s after %d ms%n", victim,
        others.stream().filter(n -> "leader".equals(zkMode(n))).findFirst().orElseThrow(), now() - t0);
    Instance moved = awaitMoved(mine, t0);
    System.out.printf("  %s moved to %s (token %d) %d ms after the cut%n", moved.resource(), moved.node(),
        moved.token(), moved.startMs() - t0);
    assertFencedOnlyAmong(Set.of(victim), t0, victim, moved);
    assertKept(kept, victim);
  }

  /**
   * One-way partition: the store leader's node sends nothing to a follower's node, which still sends to it. The
   * follower's peer stops hearing its leader and can't complete an election without it, so that node loses the
   * store, is reset by its watchdog and fenced; the leader's node and the third keep the store and are not.
   */
  @Test
  @Order(3)
  void oneWayPartitionFencesOnlyTheNodeThatLostTheStore() throws Exception {
    String leader = storeLeader();
    String deaf = followers().get(0);
    Instance mine = addResourceOn(deaf);
    Map<String, Long> kept = pids();
    long t0 = now();
    firewall.cutOneWay(leader, deaf);
    Instance moved = awaitMoved(mine, t0);
    System.out.printf("one-way %s -/-> %s: %s moved to %s after %d ms%n", leader, deaf, moved.resource(),
        moved.node(), moved.startMs() - t0);
    assertFencedOnlyAmong(Set.of(deaf), t0, deaf, moved);
    assertKept(kept, deaf);
  }

  /**
   * A link between the store leader's node and a follower's fails for 3 s and recovers for 3 s, for 18 s: each cut
   * outlasts the follower's patience with a silent leader (syncLimit, 2 s), so its peer drops out and must rejoin
   * in every healed phase — near, not past, W. Only these two nodes may be fenced, each only after its own watchdog
   * fired; afterwards the cluster is healthy again within the bound, every resource running once.
   */
  @Test
  @Order(4)
  void aFlappingLinkFencesNoNodeThatKeptTheStore() throws Exception {
    String leader = storeLeader();
    String other = followers().get(0);
    long t0 = now();
    firewall.flap(leader, other, 3_000, 18_000);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> !firewall.flapping());
    long healed = now();
    await().atMost(RECOVERY_BOUND).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(this::healthy);
    Map<String, Long> fenced = fencedSince();
    System.out.printf("flapping %s~%s (3 s cut, 3 s healed) for 18 s: fenced %s, watchdog fired on %s; healthy "
        + "%d ms after the last heal%n", leader, other, fenced.keySet(), cluster.nodeNames().stream().filter(n -> {
          try {
            return logSinceMark(n).contains("watchdog expired");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }).toList(), now() - healed);
    assertFencedOnlyAmong(Set.of(leader, other), t0, null, null);
  }

  /**
   * SIGSTOP of a follower's store peer process while its daemon lives: the daemon's store session dies with its
   * peer, its renewals stop, its watchdog resets it, and only then — after the fence is confirmed by watchdog — does
   * its resource start elsewhere. No other node is fenced. After SIGCONT the node rejoins.
   */
  @Test
  @Order(5)
  void aStoppedStorePeerGetsItsNodeFencedBeforeItsResourceMoves() throws Exception {
    String victim = followers().get(0);
    Instance mine = addResourceOn(victim);
    Map<String, Long> kept = pids();
    long t0 = now();
    cluster.pausePeer(victim, true);
    try {
      Instance moved = awaitMoved(mine, t0);
      System.out.printf("store peer of %s stopped: %s moved to %s (token %d) after %d ms%n", victim,
          moved.resource(), moved.node(), moved.token(), moved.startMs() - t0);
      assertFencedOnlyAmong(Set.of(victim), t0, victim, moved);
      assertKept(kept, victim);
      NodeStatus st = admin.value(StorePaths.MANAGER_STATE, ManagerState.class).nodes().get(victim);
      assertThat(st.confirmation()).as("fence of %s confirmed", victim).isNotNull();
      assertThat(st.confirmation().kind()).isEqualTo(ConfirmKind.WATCHDOG);
      assertThat(st.confirmation().generation()).isEqualTo(generation(victim));
      assertThat(cluster.daemonPid(victim)).as("the supervisor restarted %s's daemon", victim).isPresent();
    } finally {
      cluster.pausePeer(victim, false);
    }
  }

  // ---- assertions ----------------------------------------------------------------------------------------------

  /**
   * No false fence: every node fenced since the test began is among {@code mayLose} (the nodes the fault cut from
   * the store majority) and its own watchdog fired first; when {@code moved} is the victim's recovered resource,
   * it started after the fence write committed and with a larger token, and within {@link #RECOVERY_BOUND}.
   */
  private void assertFencedOnlyAmong(Set<String> mayLose, long faultAtMs, String from, Instance moved)
      throws Exception {
    Map<String, Long> fenced = fencedSince();
    assertThat(mayLose).as("fenced nodes %s", fenced.keySet()).containsAll(fenced.keySet());
    for (String n : fenced.keySet()) {
      assertThat(logSinceMark(n)).as("%s was fenced only after its own watchdog fired", n)
          .contains("watchdog expired");
    }
    if (moved == null) return;
    assertThat(fenced).as("the node %s lost was fenced", from).containsKey(from);
    long committed = fenceCommittedAt(from, faultAtMs);
    assertThat(moved.startMs()).as("%s started only after %s's fence was confirmed", moved, from)
        .isGreaterThanOrEqualTo(committed);
    assertThat(moved.startMs() - faultAtMs).as("recovered within the bound").isLessThanOrEqualTo(
        RECOVERY_BOUND.toMillis());
    for (String n : cluster.nodeNames()) {
      if (!fenced.containsKey(n)) assertThat(nodeState(n)).as("%s stays online", n).isEqualTo(NodeState.ONLINE);
    }
  }

  private void assertNothingFencedSince(long faultAtMs) throws Exception {
    assertThat(fencedSince()).as("nobody fenced").isEmpty();
    for (String n : cluster.nodeNames()) {
      assertThat(logSinceMark(n)).as("%s's watchdog never fired", n).doesNotContain("watchdog expired");
      assertThat(nodeState(n)).isEqualTo(NodeState.ONLINE);
    }
    assertThat(traces()).as("nothing started since the fault").noneMatch(i -> i.startMs() > faultAtMs);
  }

  /** Waits out a quiet period: nothing may happen in it (a negative fact needs an observation window). */
  private static void awaitQuiet(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    await().atMost(d.plusSeconds(5)).pollInterval(Duration.ofMillis(500)).until(() -> System.nanoTime() >= end);
  }

  // ---- observations ------------------------------------------------------------------------------------------------

  /** Waits until the resource that ran as {@code before} runs on another node with a larger token. */
  private Instance awaitMoved(Instance before, long faultAtMs) {
    String id = before.resource().replace('_', ':');
    await().atMost(RECOVERY_BOUND.plusSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> running(id).filter(i -> !i.node().equals(before.node()) && i.token() > before.token())
            .isPresent());
    try {
      Instance after = running(id).orElseThrow();
      Instance old = traces().stream().filter(i -> i.pid() == before.pid()).findFirst().orElseThrow();
      assertThat(after.startMs()).as("%s started after %s was dead", after, old).isGreaterThan(old.lastMs());
      return after;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void awaitHealthy() {
    await().atMost(HEALTHY_BOUND).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(this::healthy);
  }

  /**
   * Every node online and able to take work (its record active, not fenced, renewing in time: what placement
   * asks), every resource running exactly once, a store leader.
   */
  private boolean healthy() throws Exception {
    for (String n : cluster.nodeNames()) {
      if (nodeState(n) != NodeState.ONLINE) return false;
      NodeRecord r = admin.value(StorePaths.node(n), NodeRecord.class);
      if (r == null || r.fenced() || r.mode() != palisade.core.AgentMode.ACTIVE || !r.inTime()) return false;
    }
    List<Instance> t = traces();
    return resources.stream().allMatch(id -> Traces.alive(t, id, now()).size() == 1)
        && cluster.nodeNames().stream().anyMatch(n -> "leader".equals(zkMode(n)));
  }

  /** Nodes whose generation grew since the test began (each a fence write), with their generation now. */
  private Map<String, Long> fencedSince() throws Exception {
    Map<String, Long> out = new TreeMap<>();
    for (String n : cluster.nodeNames()) {
      long g = generation(n);
      if (g > generationsBefore.get(n)) out.put(n, g);
    }
    return out;
  }

  /**
   * Wall-clock time of the event "fence write for NODE committed" after faultAtMs. Events reach the store best effort
   * and a daemon sends those of each 100 ms together: the one read may come before the manager's batch does.
   */
  private long fenceCommittedAt(String node, long faultAtMs) throws Exception {
    java.util.concurrent.atomic.AtomicLong at = new java.util.concurrent.atomic.AtomicLong(-1);
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
        at.set(admin.events(null, 500).stream()
            .filter(e -> e.t() >= faultAtMs && e.message().equals("fence write for " + node + " committed"))
            .mapToLong(Admin.Event::t).min().orElse(-1));
        return at.get() >= 0;
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no 'fence write for " + node + " committed' event");
    }
    return at.get();
  }

  private long generation(String node) throws Exception {
    NodeRecord r = admin.value(StorePaths.node(node), NodeRecord.class);
    return r == null ? 0 : r.generation();
  }

  private NodeState nodeState(String node) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null || ms.nodes().get(node) == null ? null : ms.nodes().get(node).state();
  }

  private String logSinceMark(String node) throws Exception {
    byte[] all = Files.readAllBytes(cluster.nodeLog(node));
    int from = (int) Math.min(all.length, logMark.getOrDefault(node, 0L));
    return new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }

  /** The pid of every resource's single running instance. */
  private Map<String, Long> pids() throws Exception {
    Map<String, Long> out = new TreeMap<>();
    for (String id : resources) out.put(id, running(id).orElseThrow().pid());
    return out;
  }

  /** Every resource that did not run on the victim still runs as the same process. */
  private void assertKept(Map<String, Long> kept, String victim) throws Exception {
    for (Map.Entry<String, Long> e : kept.entrySet()) {
      Instance was = traces().stream().filter(i -> i.pid() == e.getValue()).findFirst().orElseThrow();
      if (was.node().equals(victim)) continue;
      assertThat(running(e.getKey()).map(Instance::pid)).as("%s kept running on %s (its watchdog fired since the "
          + "test began: %s)", e.getKey(), was.node(), logSinceMark(was.node()).contains("watchdog expired"))
          .contains(e.getValue());
    }
  }

  /** A new demo resource placed on node (this test's victim); returns its running instance. */
  private Instance addResourceOn(String node) throws Exception {
    String id = "vm:" + (101 + resources.size());
    admin.update(StorePaths.CONFIG, palisade.core.ClusterConfig.class, cfg -> cfg.withResource(
        cluster.demoResource(id, node)));
    resources.add(id);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> running(id).filter(i -> i.node().equals(node)).isPresent());
    return running(id).orElseThrow();
  }

  private Optional<Instance> running(String id) throws Exception {
    List<Instance> alive = Traces.alive(traces(), id, now());
    return alive.size() == 1 ? Optional.of(alive.get(0)) : Optional.empty();
  }

  private List<Instance> traces() throws Exception {
    return Traces.read(cluster.traceDir());
  }

  private String zkMode(String node) {
    int i = Layout.index(node);
    return EmbeddedPeer.mode(cluster.layout().address(i), cluster.layout().clientPort(), cluster.adminCredential());
  }

  private String storeLeader() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> cluster.nodeNames().stream().anyMatch(n -> "leader".equals(zkMode(n))));
    return cluster.nodeNames().stream().filter(n -> "leader".equals(zkMode(n))).findFirst().orElseThrow();
  }

  private List<String> followers() {
    String leader = storeLeader();
    return others(leader).stream().filter(n -> "follower".equals(zkMode(n))).toList();
  }

  private List<String> others(String node) {
    return cluster.nodeNames().stream().filter(n -> !n.equals(node)).toList();
  }

  /**
   * A write to a scratch znode through one peer only, as a client of that node would see it: the median of five,
   * in ms.
   */
  private long probeWriteMs(String node) throws Exception {
    int i = Layout.index(node);
    // The store speaks TLS only: the probe is an authenticated admin client of that one peer.
    try (CuratorFramework c = ZkStore.newClient(cluster.layout().address(i) + ":" + cluster.layout().clientPort(),
        LocalCluster.CLUSTER, cluster.adminCredential(), b -> b
        .sessionTimeoutMs(10_000).connectionTimeoutMs(5_000).retryPolicy(new RetryNTimes(3, 200)))) {
      c.start();
      assertThat(c.blockUntilConnected(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      String path = "/palisade-fault-probe";
      if (c.checkExists().forPath(path) == null) c.create().withMode(CreateMode.EPHEMERAL).forPath(path);
      long[] ms = new long[5];
      for (int k = 0; k < ms.length; k++) {
        long t = System.nanoTime();
        c.setData().forPath(path, new byte[] {(byte) k});
        ms[k] = (System.nanoTime() - t) / 1_000_000;
      }
      java.util.Arrays.sort(ms);
      return ms[2];
    }
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static void deleteTree(Path p) throws java.io.IOException {
    if (!Files.exists(p)) return;
    try (var s = Files.walk(p)) {
      for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
    }
  }
}
