package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.ConfirmKind;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerLease;
import palisade.core.ManagerState;
import palisade.core.NodeStatus;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.lab.LocalCluster;
import palisade.lab.Traces;
import palisade.lab.Traces.Instance;

/**
 * Power fencing with real processes: a 3-node local cluster whose node3 runs with {@code watchdog: none}, so only
 * its fence device can prove it dead. node3 is isolated by the fault proxy (it keeps running its resource); the
 * manager orders power fencing, a proxy node powers node3 off through a real device path (the project's Redfish
 * client against a mock BMC process, ipmitool or fence_ipmilan against ipmi_sim), and only then is vm:103 started
 * elsewhere. The store runs on node1 alone (one embedded peer), so node3 is a plain client behind the proxy and its
 * isolation is exact. Every process is stopped by PID; the trace checker asserts never two instances.
 */
@Tag("cluster")
class PowerFencingClusterTest {
  static final Map<String, String> TIMING = Map.of("renew_interval", "1s", "ack_timeout", "1s",
      "watchdog_timeout", "4s", "lease_timeout", "6.5s");
  static final Duration FORM = Duration.ofSeconds(90);
  static final Duration FAILOVER = Duration.ofSeconds(60);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;
  private Process ipmiSim;
  private Thread powerWatcher;
  private volatile boolean watching;

  @AfterEach
  void tearDown() throws Exception {
    try {
      watching = false;
      if (powerWatcher != null) powerWatcher.join(10_000);
      if (admin != null) admin.close();
    } finally {
      try {
        if (cluster != null) cluster.down();
      } finally {
        if (ipmiSim != null) {
          ipmiSim.destroy();
          if (!ipmiSim.waitFor(5, TimeUnit.SECONDS)) ipmiSim.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
    }
    List<String> bad = Traces.overlaps(Traces.read(dir.resolve("c").resolve("trace")));
    assertThat(bad).as("never two instances of a resource alive at once").isEmpty();
  }

  private void up(LocalCluster.Options o) throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 3, o);
    cluster.attachNetwork();
    cluster.startBmcs();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> admin.read(StorePaths.CONFIG) != null);
    cluster.addDemoResources(admin, 3);
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250)).until(() -> {
      List<Instance> t = traces();
      return List.of("vm:101", "vm:102", "vm:103").stream().allMatch(id -> Traces.alive(t, id, now()).size() == 1);
    });
  }

  private List<Instance> traces() throws Exception {
    return Traces.read(cluster.traceDir());
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private Optional<Instance> running(String id) throws Exception {
    List<Instance> alive = Traces.alive(traces(), id, now());
    return alive.size() == 1 ? Optional.of(alive.get(0)) : Optional.empty();
  }

  private List<FenceEntry> history() throws Exception {
    FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    return h == null ? List.of() : h.entries();
  }

  private NodeStatus node(String n) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null ? null : ms.nodes().get(n);
  }

  private Optional<FenceEntry> summary(String target, String result) throws Exception {
    return history().stream().filter(e -> e.target().equals(target) && e.action().equals(FenceEntry.SUMMARY)
        && e.result().equals(result)).findFirst();
  }

  private String cli(String... args) {
    return palisade.lab.LabCli.output(cluster, args);
  }

  /**
   * Isolates node3 and checks the whole power fence: vm:103 runs elsewhere with a larger token only after a proxy
   * confirmed node3 off through device, the confirmation kind is POWER, and node3 is powered on again.
   */
  private void isolateAndExpectPowerFence(String device, String secret) throws Exception {
    Instance before = running("vm:103").orElseThrow();
    long t0 = now();
    cluster.isolate("node3");
    await().ignoreExceptions().atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> running("vm:103")
        .filter(i -> !i.node().equals("node3") && i.token() > before.token()).isPresent());
    Instance after = running("vm:103").orElseThrow();
    await().ignoreExceptions().atMost(Duration.ofSeconds(10)).until(() -> node("node3").confirmation() != null);
    NodeStatus st = node("node3");
    assertThat(st.confirmation().kind()).isEqualTo(ConfirmKind.POWER);
    FenceEntry off = summary("node3", FenceEntry.OFF_CONFIRMED).orElseThrow();
    assertThat(off.device()).isEqualTo(device);
    assertThat(off.executor()).isIn("node1", "node2");
    Instance old = traces().stream().filter(i -> i.pid() == before.pid()).findFirst().orElseThrow();
    assertThat(old.lastMs()).as("node3's instance died (power off) before the new one started")
        .isLessThan(after.startMs());
    assertThat(after.startMs()).as("recovery only after the confirmed power off").isGreaterThanOrEqualTo(off.endedMs());
    // then the proxy powers node3 on again (it stays isolated, so it starts nothing)
    await().ignoreExceptions().atMost(FAILOVER).until(() -> summary("node3", FenceEntry.ON_CONFIRMED).isPresent());
    assertThat(cluster.powered("node3")).isTrue();
    FenceEntry firstOff = history().stream().filter(e -> e.target().equals("node3") && e.action().equals("off"))
        .findFirst().orElseThrow();
    System.out.printf("%s: isolated at 0; power off sent +%.1fs, off confirmed +%.1fs, old instance last beat "
            + "+%.1fs, vm:103 on %s (token %d -> %d) +%.1fs, %s%n", device, (firstOff.startedMs() - t0) / 1e3,
        (off.endedMs() - t0) / 1e3, (old.lastMs() - t0) / 1e3, after.node(), before.token(), after.token(),
        (after.startMs() - t0) / 1e3, st.confirmation());
    String table = cli("fence", "history");
    assertThat(table).contains("off confirmed", device, "on confirmed");
    if (secret != null) assertThat(table).doesNotContain(secret);
  }

  private static String read(Path f) throws IOException {
    return Files.readString(f).strip();
  }

  /**
   * (a) The project's Redfish client against node3's mock BMC process, which SIGKILLs node3's process group. node2
   * and node3 are agent-only (node1 the one manager candidate), so the proxy is node2, whose store view holds its
   * own node record alone: it reads node3's record on demand before it cuts the power (Fencer's check that the order
   * still stands).
   */
  @Test
  void redfishMockBmcPowerFencesAnIsolatedNodeWithoutWatchdog() throws Exception {
    up(new LocalCluster.Options(TIMING, 1, true, Set.of("node3"), Map.of()));
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withNode(c.nodes().get("node2").withAgentOnly(true))
        .withNode(c.nodes().get("node3").withAgentOnly(true)));
    await().ignoreExceptions().atMost(FORM).until(() -> admin.value(StorePaths.MANAGER_LEASE, ManagerLease.class)
        .holder().equals("node1") && Files.readString(cluster.nodeLog("node2")).contains("store view: only "
        + "/nodes/node2 and the records read mirrored"));
    isolateAndExpectPowerFence("bmc-node3", read(cluster.bmcPasswordFile("node3")));
    assertThat(summary("node3", FenceEntry.OFF_CONFIRMED).orElseThrow().executor()).isEqualTo("node2");
    for (String n : cluster.nodeNames()) {
      assertThat(Files.readString(cluster.nodeLog(n))).doesNotContain(read(cluster.bmcPasswordFile("node3")));
    }
  }

  /** (b) ipmitool (lanplus, cipher 3) against an ipmi_sim whose chassis power hook kills / starts node3. */
  @Test
  void ipmitoolAgainstIpmiSimPowerFencesAnIsolatedNodeWithoutWatchdog() throws Exception {
    int port = startIpmiSim();
    Path pw = secretFile("ipmi.password", "secret");
    up(new LocalCluster.Options(TIMING, 1, false, Set.of("node3"), Map.of("node3", Map.of("type", "ipmi",
        "host", "127.0.0.1", "port", Integer.toString(port), "username", "admin", "password_file", pw.toString(),
        "cipher", "3"))));
    watchPower();
    isolateAndExpectPowerFence("fence-node3", null);
  }

  /** (c) fence_ipmilan (lanplus=1, cipher=3) through the agent device against the same ipmi_sim setup. */
  @Test
  void fenceIpmilanAgentAgainstIpmiSimPowerFencesAnIsolatedNodeWithoutWatchdog() throws Exception {
    int port = startIpmiSim();
    Path pw = secretFile("ipmi.password", "secret");
    up(new LocalCluster.Options(TIMING, 1, false, Set.of("node3"), Map.of("node3", Map.of("type", "agent",
        "agent", "fence_ipmilan", "ip", "127.0.0.1", "ipport", Integer.toString(port), "username", "admin",
        "password_file", pw.toString(), "lanplus", "1", "cipher", "3"))));
    watchPower();
    isolateAndExpectPowerFence("fence-node3", null);
  }

  /**
   * (d) A device that always fails (wrong password against node3's mock BMC): the fence is recorded as failed, vm:103
   * does not start elsewhere; once the operator has switched node3 off by hand, `fence confirm node3` recovers it and
   * the history names the person.
   */
  @Test
  void failingDeviceIsRecordedAndOnlyAManualConfirmRecovers() throws Exception {
    Path wrong = secretFile("wrong.password", "not-the-password");
    up(new LocalCluster.Options(TIMING, 1, true, Set.of("node3"), Map.of("node3", Map.of("type", "redfish",
        "host", "127.0.0.1", "port", LocalCluster.BMC_PORT_PLACEHOLDER, "username", LocalCluster.BMC_USER,
        "password_file", wrong.toString(), "ssl_insecure", "true"))));
    Instance before = running("vm:103").orElseThrow();
    long t0 = now();
    cluster.isolate("node3");
    await().ignoreExceptions().atMost(FAILOVER).pollInterval(Duration.ofMillis(200))
        .until(() -> summary("node3", FenceEntry.ALL_FAILED).isPresent());
    long failedAt = now();
    FenceEntry offTry = history().stream().filter(e -> e.target().equals("node3") && e.action().equals("off"))
        .findFirst().orElseThrow();
    assertThat(offTry.result()).startsWith("error:").doesNotContain("not-the-password");
    System.out.printf("failing device: isolated at 0, first off try +%.1fs: %s; all levels failed +%.1fs%n",
        (offTry.startedMs() - t0) / 1e3, offTry.result(), (failedAt - t0) / 1e3);
    Thread.sleep(5_000); // the window of a negative fact: no recovery without proof of death
    assertThat(Traces.alive(traces(), "vm:103", now())).extracting(Instance::pid).containsExactly(before.pid());
    assertThat(node("node3").confirmation()).isNull();

    // The operator makes sure node3 is off, then confirms it.
    cluster.powerOff("node3");
    long confirmAt = now();
    cli("fence", "confirm", "node3");
    await().ignoreExceptions().atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> running("vm:103")
        .filter(i -> !i.node().equals("node3") && i.token() > before.token()).isPresent());
    Instance after = running("vm:103").orElseThrow();
    NodeStatus st = node("node3");
    assertThat(st.confirmation().kind()).isEqualTo(ConfirmKind.MANUAL);
    // The authenticated operator (the lab's admin credential), the real host, a time.
    String person = "admin (admin) on " + Admin.hostName() + " at ";
    assertThat(st.confirmation().by()).startsWith(person).matches(".* at \\d{4}-\\d\\d-\\d\\dT.*Z");
    // ... and the audit trail in the events names that operator too.
    assertThat(admin.events(null, 2_000)).anySatisfy(e -> {
      assertThat(e.source()).isEqualTo("operator admin (admin) on " + Admin.hostName());
      assertThat(e.node()).isEqualTo(Admin.hostName());
      assertThat(e.message()).contains("fence confirmation of node3");
    });
    FenceEntry manual = summary("node3", FenceEntry.MANUAL).orElseThrow();
    assertThat(manual.executor()).startsWith(person);
    System.out.printf("manual confirm by %s: vm:103 on %s (token %d) %.1fs after the confirm%n", manual.executor(),
        after.node(), after.token(), (after.startMs() - confirmAt) / 1e3);
    String table = cli("fence", "history");
    assertThat(table).contains("all levels failed", "manual confirm", manual.executor());
  }

  // ---- ipmi_sim --------------------------------------------------------------------------------------------------

  private Path secretFile(String name, String secret) throws IOException {
    Path f = dir.resolve(name);
    LocalCluster.writeSecret(f, secret);
    return f;
  }

  private Path bmcDir() {
    return dir.resolve("ipmisim");
  }

  /**
   * One ipmi_sim for node3 (UDP on 127.0.0.1). Its chassis power hook records a power request in a file and answers
   * "get power" from the state file that {@link #watchPower} writes once node3 really is off or on.
   */
  private int startIpmiSim() throws Exception {
    Path d = Files.createDirectories(bmcDir());
    Path power = Files.createDirectories(d.resolve("power"));
    Files.writeString(power.resolve("node3.power"), "1\n");
    Path hook = d.resolve("power_hook.sh");
    Files.writeString(hook, """
        #!/bin/sh
        # ipmi_sim chassis_control hook for a local cluster node: requests go to <dev>.request, the test powers
        # the node off/on and then writes <dev>.power, which "get power" reports.
        d="$IPMISIM_STATE_DIR"; dev=$1; op=$2; shift 2
        case $op in
          get) for p in "$@"; do case $p in
                 power) if [ -f "$d/$dev.power" ]; then echo "power:$(cat "$d/$dev.power")"; else echo "power:1"; fi ;;
                 boot) echo "boot:default" ;;
                 *) echo "bad parm $p" >&2; exit 1 ;;
               esac; done ;;
          set) while [ $# -ge 2 ]; do
                 if [ "$1" = power ]; then echo "$2" > "$d/$dev.request.tmp" && mv "$d/$dev.request.tmp" "$d/$dev.request"; fi
                 shift 2
               done ;;
          *) exit 1 ;;
        esac
        exit 0
        """);
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
    Path emu = d.resolve("sim.emu");
    Files.writeString(emu, resource("sim.emu"));
    int port;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String conf = resource("lan.conf").replace("addr 127.0.0.1 9623", "addr 127.0.0.1 " + port)
        .replaceAll("chassis_control \".*\"", "chassis_control \"" + hook.toAbsolutePath() + " node3\"");
    Path lanConf = d.resolve("lan.conf");
    Files.writeString(lanConf, conf);
    Path state = Files.createDirectories(d.resolve("state"));
    ProcessBuilder pb = new ProcessBuilder("ipmi_sim", "-c", lanConf.toString(), "-f", emu.toString(), "-s",
        state.toString(), "-n").redirectErrorStream(true).redirectOutput(d.resolve("ipmi_sim.log").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("IPMISIM_STATE_DIR", power.toString());
    ipmiSim = pb.start();
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
      assertThat(ipmiSim.isAlive()).as("ipmi_sim runs").isTrue();
      Process p = new ProcessBuilder("ipmitool", "-I", "lanplus", "-C", "3", "-H", "127.0.0.1", "-p",
          Integer.toString(port), "-U", "admin", "-P", "secret", "-N", "1", "-R", "1", "chassis", "power", "status")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(5, TimeUnit.SECONDS) && out.contains("Chassis Power is on");
    });
    return port;
  }

  /** Plays the power supply behind ipmi_sim: applies node3's power requests to the local cluster. */
  private void watchPower() {
    Path power = bmcDir().resolve("power");
    watching = true;
    powerWatcher = new Thread(() -> {
      String applied = "1";
      while (watching) {
        try {
          Path req = power.resolve("node3.request");
          String want = Files.exists(req) ? Files.readString(req).strip() : applied;
          if (!want.equals(applied)) {
            if (want.equals("0")) {
              cluster.powerOff("node3");
            } else if (!cluster.powered("node3")) {
              cluster.powerOn("node3");
            }
            Path tmp = power.resolve("node3.power.tmp");
            Files.writeString(tmp, want + "\n");
            Files.move(tmp, power.resolve("node3.power"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
            System.out.println("ipmi_sim power hook: node3 powered " + (want.equals("0") ? "off" : "on"));
            applied = want;
          }
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          System.out.println("power watcher: " + e);
        }
      }
    }, "ipmi-power-watcher");
    powerWatcher.setDaemon(true);
    powerWatcher.start();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = PowerFencingClusterTest.class.getResourceAsStream("/bmc-sim/" + name)) {
      if (in == null) throw new IOException("missing test resource bmc-sim/" + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
