package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfirmKind;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeStatus;
import palisade.core.StorePaths;
import palisade.lab.LocalCluster;
import palisade.lab.PowerSwitch;
import palisade.lab.RedfishMockBmc;
import palisade.lab.Traces;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;

/**
 * A host with two power supplies, fed by two PDU outlets that make one fence level (issue 16), on a real 3-node lab:
 * node3 runs without a watchdog and its level 1 is two Redfish mock devices in this JVM, each switching one outlet;
 * node3 is off only while both outlets are off. (1) One slow outlet and one that fails (wrong password): level 1
 * fails with node3 still running on the failing outlet's feed, and level 2 (node3's mock BMC process) fences it;
 * then a periodic device check, its period shortened at runtime, reports the failing outlet (an ALERT, `status`).
 * (2) Two working outlets, one slow: the fence is confirmed only after both report off, and power goes on again
 * only after that. Every process is stopped by PID; the traces show never two instances.
 */
@Tag("cluster")
class DualFeedClusterTest {
  private static final long SLOW_MS = 2_500;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private LocalCluster cluster;
  private Admin admin;
  private final List<RedfishMockBmc> outlets = new ArrayList<>();
  /** Outlet name -> on; and what happened, in order, with node3's power after each change. */
  private final TreeMap<String, Boolean> feeds = new TreeMap<>();
  private final List<String> feedLog = new ArrayList<>();
  private final TreeMap<String, Long> offAtMs = new TreeMap<>();
  private volatile boolean poweredAfterFirstOff;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (admin != null) admin.close();
    } finally {
      try {
        if (cluster != null) cluster.down();
      } finally {
        for (RedfishMockBmc b : outlets) b.close();
      }
    }
    List<String> bad = Traces.overlaps(Traces.read(dir.resolve("c").resolve("trace")));
    assertThat(bad).as("never two instances of a resource alive at once").isEmpty();
  }

  /** One outlet feeding node3, answering every request after delayMs (a slow PDU). */
  private int outlet(String name, long delayMs) throws IOException {
    feeds.put(name, true);
    PowerSwitch sw = new PowerSwitch() {
      @Override
      public boolean isOn() {
        pause(delayMs);
        synchronized (feeds) {
          return feeds.get(name);
        }
      }

      @Override
      public void setOn(boolean on) {
        pause(delayMs);
        synchronized (feeds) {
          try {
            feeds.put(name, on);
            LocalCluster c = LocalCluster.open(dir.resolve("c"));
            if (!on && !feeds.containsValue(true)) c.powerOff("node3"); // the last feed: the host goes dark
            if (on && !c.powered("node3")) c.powerOn("node3"); // one supply is enough to run
            boolean powered = c.powered("node3");
            if (!on) {
              offAtMs.putIfAbsent(name, System.currentTimeMillis());
              if (offAtMs.size() == 1) poweredAfterFirstOff = powered;
            }
            feedLog.add(name + " " + (on ? "on" : "off") + ": node3 " + (powered ? "powered" : "dark"));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    };
    RedfishMockBmc b = new RedfishMockBmc(0, LocalCluster.BMC_USER, "outlet-pw", sw);
    b.start();
    outlets.add(b);
    return b.port();
  }

  /** A slow mock device, as a PDU that takes its time: the mock's request thread waits. */
  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Map<String, String> device(int port, Path password) {
    return Map.of("type", "redfish", "host", "127.0.0.1", "port", Integer.toString(port), "username",
        LocalCluster.BMC_USER, "password_file", password.toString(), "ssl_insecure", "true");
  }

  private void up(Map<String, Map<String, String>> devices, List<List<String>> levels) throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 3, new LocalCluster.Options(PowerFencingClusterTest.TIMING, 1,
        true, Set.of("node3"), devices, Map.of("node3", levels)));
    cluster.attachNetwork();
    cluster.startBmcs();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(PowerFencingClusterTest.FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> admin.read(StorePaths.CONFIG) != null);
    cluster.addDemoResources(admin, 3);
    await().ignoreExceptions().atMost(PowerFencingClusterTest.FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> running("vm:103").isPresent() && running("vm:101").isPresent());
  }

  private Optional<Instance> running(String id) throws Exception {
    List<Instance> alive = Traces.alive(Traces.read(cluster.traceDir()), id, System.currentTimeMillis());
    return alive.size() == 1 ? Optional.of(alive.get(0)) : Optional.empty();
  }

  private List<FenceEntry> history() throws Exception {
    FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    return h == null ? List.of() : h.entries().stream().filter(e -> e.target().equals("node3")).toList();
  }

  private NodeStatus node3() throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null ? null : ms.nodes().get("node3");
  }

  /** Isolates node3 and waits for vm:103 elsewhere under a new token; the confirmed summary line. */
  private FenceEntry isolateAndRecover(Instance before) throws Exception {
    cluster.isolate("node3");
    await().ignoreExceptions().atMost(PowerFencingClusterTest.FAILOVER).pollInterval(Duration.ofMillis(100))
        .until(() -> running("vm:103").filter(i -> !i.node().equals("node3") && i.token() > before.token())
            .isPresent());
    await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> node3().confirmation() != null);
    assertThat(node3().confirmation().kind()).isEqualTo(ConfirmKind.POWER);
    return history().stream().filter(e -> e.action().equals(FenceEntry.SUMMARY)
        && e.result().startsWith(FenceEntry.OFF_CONFIRMED)).findFirst().orElseThrow();
  }

  @Test
  void aFailingOutletFailsItsLevelWhileTheHostRunsOnTheOtherFeedAndTheBmcFencesIt() throws Exception {
    Path right = dir.resolve("outlet.pw");
    Path wrong = dir.resolve("wrong.pw");
    LocalCluster.writeSecret(right, "outlet-pw");
    LocalCluster.writeSecret(wrong, "expired-pw");
    int slow = outlet("pdu-a", SLOW_MS);
    int failing = outlet("pdu-b", 0);
    up(Map.of("pdu-a", device(slow, right), "pdu-b", device(failing, wrong)),
        List.of(List.of("pdu-a", "pdu-b"), List.of("bmc-node3")));
    Instance before = running("vm:103").orElseThrow();
    FenceEntry off = isolateAndRecover(before);
    assertThat(off.level()).as("level 2 confirmed").isEqualTo(2);
    assertThat(off.device()).isEqualTo("bmc-node3");
    List<FenceEntry> h = history();
    assertThat(h).anySatisfy(e -> assertThat(e.describe()).contains("level 1 pdu-b off: error:"))
        .anySatisfy(e -> assertThat(e.describe()).contains("level 1 pdu-a off: ok"))
        .noneSatisfy(e -> assertThat(e.describe()).contains("expired-pw"));
    assertThat(offAtMs).containsKey("pdu-a");
    assertThat(poweredAfterFirstOff).as("pdu-a off alone leaves node3 running on pdu-b's feed").isTrue();
    Instance old = Traces.read(cluster.traceDir()).stream().filter(i -> i.pid() == before.pid()).findFirst()
        .orElseThrow();
    FenceEntry bmcOff = h.stream().filter(e -> e.level() == 2 && e.action().equals("off")).findFirst()
        .orElseThrow();
    assertThat(bmcOff.startedMs()).isGreaterThanOrEqualTo(offAtMs.get("pdu-a"));
    // The demo resource beats every 100 ms: it beat on after pdu-a's outlet went off, until the BMC cut the power.
    assertThat(old.lastMs()).as("vm:103 on node3 ran on after its first outlet went off, until level 2's off")
        .isGreaterThan(offAtMs.get("pdu-a")).isGreaterThanOrEqualTo(bmcOff.startedMs() - 250);
    System.out.println("dual feed, one failing: " + feedLog + "; confirmed by " + off.describe());

    // Fence devices known to work: a 3s check period set at runtime; the failing outlet is an ALERT, the others ok.
    admin.update(StorePaths.CONFIG, palisade.core.ClusterConfig.class, c -> c.withFence(c.fence()
        .withDeviceCheck(3_000)));
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
      FenceHistory now = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
      return now.lastCheck("pdu-a") != null && now.lastCheck("pdu-b") != null && now.lastCheck("bmc-node3") != null;
    });
    FenceHistory h2 = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    assertThat(h2.lastCheck("pdu-b").checkOk()).isFalse();
    assertThat(h2.lastCheck("pdu-b").result()).doesNotContain("expired-pw");
    assertThat(h2.lastCheck("pdu-a").checkOk()).isTrue();
    assertThat(h2.lastCheck("bmc-node3").checkOk()).isTrue();
    await().ignoreExceptions().atMost(Duration.ofSeconds(15)).until(() -> admin.events(null, 2_000).stream()
        .anyMatch(e -> e.message().contains("ALERT: fence device pdu-b failed its status check")));
    String status = palisade.lab.LabCli.output(cluster, "status");
    assertThat(status).contains("status checked every 3s").containsPattern("pdu-b .* failed .*error");
  }

  @Test
  void twoWorkingOutletsConfirmOnlyWhenBothAreOffAndPowerComesBackAfter() throws Exception {
    Path right = dir.resolve("outlet.pw");
    LocalCluster.writeSecret(right, "outlet-pw");
    int slow = outlet("pdu-a", SLOW_MS);
    int fast = outlet("pdu-b", 0);
    up(Map.of("pdu-a", device(slow, right), "pdu-b", device(fast, right)), List.of(List.of("pdu-a", "pdu-b")));
    Instance before = running("vm:103").orElseThrow();
    FenceEntry off = isolateAndRecover(before);
    assertThat(off.device()).isEqualTo("pdu-a+pdu-b");
    assertThat(offAtMs.get("pdu-a")).as("the slow outlet went off last").isGreaterThan(offAtMs.get("pdu-b"));
    assertThat(poweredAfterFirstOff).as("one outlet off: the host still runs").isTrue();
    Instance old = Traces.read(cluster.traceDir()).stream().filter(i -> i.pid() == before.pid()).findFirst()
        .orElseThrow();
    assertThat(old.lastMs()).as("vm:103 on node3 ran until the second outlet went off")
        .isGreaterThan(offAtMs.get("pdu-b") + 500);
    assertThat(off.endedMs()).as("confirmed after both report off").isGreaterThanOrEqualTo(offAtMs.get("pdu-a"));
    await().ignoreExceptions().atMost(PowerFencingClusterTest.FAILOVER).until(() -> history().stream()
        .anyMatch(e -> e.result().equals(FenceEntry.ON_CONFIRMED)));
    assertThat(history().stream().filter(e -> e.action().equals("on")).toList()).hasSize(2)
        .allSatisfy(e -> assertThat(e.startedMs()).as("on only after the level's off confirmed")
            .isGreaterThanOrEqualTo(off.endedMs()));
    assertThat(cluster.powered("node3")).isTrue();
    System.out.println("dual feed, both working: " + feedLog + "; confirmed by " + off.describe());
  }
}
