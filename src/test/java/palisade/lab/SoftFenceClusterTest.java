package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfirmKind;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.StorePaths;
import palisade.lab.Traces.Instance;
import palisade.runtime.store.Admin;

/**
 * Soft fencing on a real 3-node local cluster: node3 runs without a watchdog, with its mock BMC as fence device and
 * {@code soft_fence: ssh} through an OpenSSH server this test starts on 127.0.1.63 (its own host key,
 * authorized_keys, port and pid file; stopped by PID). node3's daemon is stopped with SIGSTOP (by PID): its host,
 * resources and SSH still answer. The soft fence's command asks the lab to restart that daemon (it writes a request
 * file; this test then SIGKILLs the hung daemon and its supervisor by PID and starts the node's supervisor again,
 * which keeps its resources running): the new daemon adopts vm:103 and renews before L, so nothing is fenced and
 * nothing moves. Without the SSH server the soft fence fails and the power fence runs after L as always.
 */
@Tag("cluster")
class SoftFenceClusterTest {
  /** L = 15 s: the soft fence (at unknown_after = 3 s) leaves a restarted JVM time to renew under the suite's load. */
  static final Map<String, String> TIMING = Map.of("renew_interval", "1s", "ack_timeout", "1s",
      "watchdog_timeout", "4s", "lease_timeout", "15s");
  static final Duration FORM = Duration.ofSeconds(90);
  static final String SSH_ADDRESS = "127.0.1.63";
  private static final Path PRIVSEP = Path.of("/run/sshd");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;
  private Process sshd;
  private boolean createdPrivsep;
  private int sshPort;
  private Path request;
  /** The daemon the lab restarted for the soft fence (stopped by PID after the test). */
  private Process restarted;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (admin != null) admin.close();
      if (restarted != null) {
        restarted.destroyForcibly();
        restarted.waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      try {
        if (cluster != null) cluster.down();
      } finally {
        if (sshd != null) {
          sshd.destroy();
          if (!sshd.waitFor(5, TimeUnit.SECONDS)) sshd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (createdPrivsep) Files.deleteIfExists(PRIVSEP);
      }
    }
    List<String> bad = Traces.overlaps(Traces.read(dir.resolve("c").resolve("trace")));
    assertThat(bad).as("never two instances of a resource alive at once").isEmpty();
  }

  /** The cluster with node3's soft fence in every node's YAML (any node may be its proxy). */
  private void up() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/sshd")), "openssh-server is needed (bin/test installs it)");
    Path keys = Files.createDirectories(dir.resolve("ssh"));
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("host_key").toString());
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("client_key").toString());
    Files.copy(keys.resolve("client_key.pub"), keys.resolve("authorized_keys"));
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(SSH_ADDRESS))) {
      sshPort = s.getLocalPort();
    }
    String[] hostPub = Files.readString(keys.resolve("host_key.pub")).trim().split(" ");
    Files.writeString(keys.resolve("known_hosts"), "[" + SSH_ADDRESS + "]:" + sshPort + " " + hostPub[0] + " "
        + hostPub[1] + "\n");
    request = dir.resolve("restart-node3.request");
    cluster = LocalCluster.create(dir.resolve("c"), 3, new LocalCluster.Options(TIMING, 1, true, Set.of("node3"),
        Map.of()));
    String softFence = "    soft_fence:\n      method: ssh\n      user: " + System.getProperty("user.name") + "\n"
        + "      key_file: " + keys.resolve("client_key") + "\n      known_hosts: " + keys.resolve("known_hosts")
        + "\n      address: " + SSH_ADDRESS + "\n      port: " + sshPort + "\n      command: 'touch " + request
        + "'\n";
    for (String n : cluster.nodeNames()) {
      Path yaml = dir.resolve("c").resolve(n).resolve("node.yaml");
      String text = Files.readString(yaml);
      assertThat(text).contains("    watchdog: none\n");
      Files.writeString(yaml, text.replace("    watchdog: none\n", "    watchdog: none\n" + softFence));
    }
    cluster.attachNetwork();
    cluster.startBmcs();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> admin.read(StorePaths.CONFIG) != null);
    cluster.addDemoResources(admin, 3);
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250)).until(() -> {
      List<Instance> t = Traces.read(cluster.traceDir());
      return List.of("vm:101", "vm:102", "vm:103").stream().allMatch(id -> Traces.alive(t, id, now()).size() == 1);
    });
    await().ignoreExceptions().atMost(FORM).until(() -> node("node3").state() == NodeState.ONLINE);
  }

  private void startSshd() throws Exception {
    if (!Files.isDirectory(PRIVSEP)) {
      Files.createDirectory(PRIVSEP, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
          "rwxr-xr-x")));
      createdPrivsep = true;
    }
    Path keys = dir.resolve("ssh");
    Path config = keys.resolve("sshd_config");
    Files.writeString(config, String.join("\n", "ListenAddress " + SSH_ADDRESS + ":" + sshPort,
        "HostKey " + keys.resolve("host_key"), "PidFile " + keys.resolve("sshd.pid"),
        "AuthorizedKeysFile " + keys.resolve("authorized_keys"), "StrictModes no", "UsePAM no",
        "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no", ""));
    sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString()).redirectErrorStream(true)
        .redirectOutput(keys.resolve("sshd.log").toFile()).start();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(SSH_ADDRESS, sshPort), 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private NodeStatus node(String n) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    return ms == null || ms.nodes().get(n) == null ? null : ms.nodes().get(n);
  }

  private List<FenceEntry> history() throws Exception {
    FenceHistory h = admin.value(StorePaths.FENCE_HISTORY, FenceHistory.class);
    return h == null ? List.of() : h.entries();
  }

  private Optional<FenceEntry> soft(String resultPrefix) throws Exception {
    return history().stream().filter(e -> e.target().equals("node3") && e.action().equals(FenceEntry.SOFT)
        && e.result().startsWith(resultPrefix)).findFirst();
  }

  private Optional<Instance> running(String id) throws Exception {
    List<Instance> alive = Traces.alive(Traces.read(cluster.traceDir()), id, now());
    return alive.size() == 1 ? Optional.of(alive.get(0)) : Optional.empty();
  }

  /**
   * What the lab does when asked to restart node3's daemon (a supervisor restart as systemd's would be): the hung
   * daemon and its process watchdog supervisor die by SIGKILL (a supervisor that saw its unarmed child die, or that
   * starts afresh, empties the node's cgroup as a boot does), and a new daemon starts in a session of its own on the
   * same node.yaml: with watchdog none it needs no supervisor. vm:103's process keeps running and is adopted from the
   * node's process state file. The new daemon writes data/daemon.pid, by which the lab's power off finds it.
   */
  private void restartNode3Daemon() throws Exception {
    long supervisor = cluster.supervisorPid("node3").orElseThrow();
    long daemon = cluster.daemonPid("node3").orElseThrow();
    ProcessHandle.of(supervisor).ifPresent(ProcessHandle::destroyForcibly);
    ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroyForcibly);
    for (long pid : new long[] {supervisor, daemon}) {
      ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    }
    Path nd = dir.resolve("c").resolve("node3");
    restarted = new LabProcesses(dir.resolve("c")).launch(List.of("palisade.Main", "daemon", "--config",
        nd.resolve("node.yaml").toString()), "192m", nd.resolve("node.log"));
  }

  @Test
  void aHungDaemonIsRestartedOverSshAndNothingIsFencedOrMoved() throws Exception {
    up();
    startSshd();
    Instance before = running("vm:103").orElseThrow();
    long generation = admin.value(StorePaths.node("node3"), NodeRecord.class).generation();
    long t0 = now();
    cluster.pause("node3", true); // SIGSTOP to node3's daemon alone
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> Files.exists(request));
    long asked = now();
    restartNode3Daemon();
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> node("node3").state() == NodeState.ONLINE && soft("ok").isPresent());
    long back = now();
    NodeRecord rec = admin.value(StorePaths.node("node3"), NodeRecord.class);
    assertThat(rec.fenced()).as("no fence write").isFalse();
    assertThat(rec.generation()).isEqualTo(generation);
    assertThat(history()).as("no power fence").noneMatch(e -> e.target().equals("node3")
        && e.action().equals(FenceEntry.SUMMARY));
    Instance after = running("vm:103").orElseThrow();
    assertThat(after.pid()).as("vm:103 kept its process").isEqualTo(before.pid());
    assertThat(after.node()).isEqualTo("node3");
    assertThat(after.token()).isEqualTo(before.token());
    FenceEntry ok = soft("ok").orElseThrow();
    assertThat(ok.executor()).isIn("node1", "node2");
    System.out.printf("soft fence: daemon stopped at 0; ssh restart asked +%.1fs (history %s), node3 online again "
        + "+%.1fs; no fence, vm:103 pid %d kept%n", (asked - t0) / 1e3, ok.describe(), (back - t0) / 1e3,
        after.pid());
  }

  @Test
  void withoutSshTheSoftFenceFailsAndThePowerFenceRunsAfterL() throws Exception {
    up(); // no SSH server: the soft fence's ssh gets "connection refused"
    Instance before = running("vm:103").orElseThrow();
    long t0 = now();
    cluster.pause("node3", true);
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
        .until(() -> running("vm:103").filter(i -> !i.node().equals("node3") && i.token() > before.token())
            .isPresent());
    long moved = now();
    assertThat(Files.exists(request)).as("the soft fence never ran its command").isFalse();
    FenceEntry failed = soft("error").orElseThrow();
    assertThat(node("node3").confirmation().kind()).isEqualTo(ConfirmKind.POWER);
    System.out.printf("soft fence failed (%s); vm:103 running on %s +%.1fs after node3's daemon stopped%n",
        failed.result(), running("vm:103").orElseThrow().node(), (moved - t0) / 1e3);
  }

  private static void run(String... argv) throws Exception {
    Process p = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + out).isZero();
  }
}
