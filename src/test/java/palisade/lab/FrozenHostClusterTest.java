package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.ConfirmKind;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.storage.SharedDirStorage;
import palisade.storage.StorageRecord;

/**
 * Issue 11's "frozen host" with real processes: a 2-node local cluster (node1 runs the only store peer); node2 holds
 * the SPM role, whose start hook ({@code spm.start_command}) writes the storage metadata every 200 ms under the SPM
 * token, and two process resources whose disks it leases, each writing its disk through the shared-dir storage every
 * 200 ms with its token ({@link DiskWriter}). Every process of node2 is frozen at once — its cgroup (daemon,
 * resources) by cgroup.freeze and its watchdog supervisor, outside that cgroup, by SIGSTOP — as when a hypervisor
 * pauses the host (at a moment when none of its writers holds the shared-dir storage's lock, which real shared storage
 * does not have: {@link NodeFreeze#freezeOutsideLocks}). The manager fences it after L (watchdog-bound, nobody
 * answers), recovers the resources on node1 with newer tokens and moves the role; then everything resumes: storage
 * rejects every write the resumed writers try, no accepted write of node2 follows node1's first under its new token on
 * either disk or the metadata, tokens in each log never go down, and the resumed node kills its resources within a
 * bound. Every process is stopped by PID afterwards.
 */
@Tag("cluster")
class FrozenHostClusterTest {
  static final Map<String, String> TIMING = RealClusterFaultTest.TIMING;
  static final long L_MS = 6_500;
  static final long R_MS = 1_000;
  static final Duration FORM = Duration.ofSeconds(90);
  static final Duration FAILOVER = Duration.ofSeconds(60);
  /** How long the resumed node may take to kill its resources: its daemon's next step or its supervisor's reset. */
  static final long KILL_AFTER_RESUME_MS_MAX = 10_000;
  static final String VICTIM = "node2";
  static final String SURVIVOR = "node1";
  static final List<String> DISKS = List.of("disk-301", "disk-302");
  /** The storage metadata, which only the SPM hook's service writes, under the SPM token. */
  static final String METADATA = "--metadata";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;
  private NodeFreeze freeze;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (freeze != null) freeze.resume(); // a failed assertion must not leave stopped processes behind
    } finally {
      try {
        if (admin != null) admin.close();
      } finally {
        if (cluster != null) cluster.down();
      }
    }
  }

  @Test
  void aFrozenHostIsFencedItsLeasesAndRoleMoveAndItsResumedWritesAreRejected() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 2, new LocalCluster.Options(TIMING, 1, false, Set.of(),
        Map.of()));
    Path storageDir = Files.createDirectories(dir.resolve("storage"));
    SharedDirStorage storage = SharedDirStorage.open(storageDir);
    Path hook = Files.writeString(dir.resolve("spm-writer.sh"), writerCommand(storageDir, METADATA) + "\n");
    for (String n : cluster.nodeNames()) {
      Files.writeString(cluster.dir().resolve(n).resolve("node.yaml"), "storage:\n  driver: shared-dir\n  path: "
          + storageDir + "\nspm:\n  start_command: exec /bin/sh " + hook + "\n",
          java.nio.file.StandardOpenOption.APPEND);
    }
    up();
    LabCli.output(cluster, "spm", "move", VICTIM, "--wait", "--timeout", "60s");
    for (int i = 0; i < DISKS.size(); i++) addWriter("vm:" + (301 + i), DISKS.get(i), storageDir);
    await().atMost(FORM).pollInterval(Duration.ofMillis(200)).until(() -> DISKS.stream().allMatch(d ->
        lastWriter(storage, d).equals(VICTIM)) && lastWriter(storage, METADATA).equals(VICTIM));
    ManagerState before = state();
    assertThat(before.spm().node()).isEqualTo(VICTIM);
    for (String d : DISKS) assertThat(before.disks().get(d).node()).isEqualTo(VICTIM);
    List<Long> writers = writerPids();
    assertThat(writers).as("the resources' writers and the SPM hook's").hasSize(DISKS.size() + 1);

    freeze = NodeFreeze.of(cluster, VICTIM);
    long frozenAt = freeze.freezeOutsideLocks(writers, storageDir);
    await().atMost(FAILOVER).pollInterval(Duration.ofMillis(50)).until(() -> {
      NodeStatus st = state().nodes().get(VICTIM);
      return st.state() == NodeState.FENCED && st.confirmation() != null;
    });
    long fencedAt = System.currentTimeMillis();
    assertThat(state().nodes().get(VICTIM).confirmation().kind()).isEqualTo(ConfirmKind.WATCHDOG);
    await().atMost(FAILOVER).pollInterval(Duration.ofMillis(50)).until(() -> DISKS.stream().allMatch(d ->
        lastWriter(storage, d).equals(SURVIVOR)) && lastWriter(storage, METADATA).equals(SURVIVOR));
    long recoveredAt = System.currentTimeMillis();
    ManagerState after = state();
    assertThat(after.spm().node()).as("the SPM role moved").isEqualTo(SURVIVOR);
    assertThat(after.spm().token()).isGreaterThan(before.spm().token());
    for (int i = 0; i < DISKS.size(); i++) {
      String id = "vm:" + (301 + i);
      ServiceStatus ss = after.services().get(id);
      assertThat(ss.state()).isEqualTo(ServiceState.STARTED);
      assertThat(ss.node()).isEqualTo(SURVIVOR);
      assertThat(ss.token()).isGreaterThan(before.services().get(id).token());
      assertThat(after.disks().get(DISKS.get(i)).node()).isEqualTo(SURVIVOR);
      assertThat(after.disks().get(DISKS.get(i)).token()).isEqualTo(ss.token());
    }
    JsonNode disks = JSON.readTree(LabCli.output(cluster, "disk", "list", "-o", "json")).get("disks");
    for (JsonNode d : disks) {
      assertThat(d.get("node").asText()).as("disk list: %s", d).isEqualTo(SURVIVOR);
      assertThat(d.get("state").asText()).isEqualTo("held");
    }

    long resumedAt = freeze.resume();
    await().atMost(Duration.ofMillis(KILL_AFTER_RESUME_MS_MAX)).pollInterval(Duration.ofMillis(20))
        .until(() -> writers.stream().noneMatch(FrozenHostClusterTest::alive));
    long killedAt = System.currentTimeMillis();
    Thread.sleep(2 * DiskWriter.PERIOD_MS); // node1's writers write on: the logs show the order after the resume
    List<String> attempts = resumedAttempts(resumedAt);
    System.out.printf("frozen %s: fence confirmed %d ms after the freeze (L = %d ms), both disks written by %s "
        + "%d ms after it; resumed: its writers killed %d ms after the resume; writes tried after the resume: %s%n",
        VICTIM, fencedAt - frozenAt, L_MS, SURVIVOR, recoveredAt - frozenAt, killedAt - resumedAt, attempts);
    timeline(frozenAt);
    Files.readAllLines(cluster.nodeLog(VICTIM)).stream().filter(l -> l.contains("watchdog") || l.contains("kill")
        || l.contains("FATAL") || l.contains("fenced")).skip(0).forEach(l -> System.out.println("  node2: " + l));
    // L of silence counts from node2's last renewal, up to R before the freeze
    assertThat(fencedAt - frozenAt).as("fenced no sooner than L - R").isGreaterThanOrEqualTo(L_MS - R_MS);
    assertThat(attempts).allMatch(a -> a.contains(" rejected "));
    for (int i = 0; i < DISKS.size(); i++) checkLog(storage, DISKS.get(i), after.disks().get(DISKS.get(i)).token());
    checkLog(storage, METADATA, after.spm().token());
    assertThat(LabCli.output(cluster, "spm", "status")).contains("holder      " + SURVIVOR);
  }

  /**
   * Tokens never go down; from the first write under the survivor's token (given it after the fence) on, every
   * accepted write is the survivor's: the frozen node's never interleave. Every refused write was stale.
   */
  private static void checkLog(SharedDirStorage storage, String disk, long survivorToken) throws Exception {
    List<StorageRecord> log = area(storage, disk).log();
    long newest = 0;
    boolean survivorWrote = false;
    for (StorageRecord r : log) {
      assertThat(r.token()).as("%s: tokens never go down: %s", disk, log).isGreaterThanOrEqualTo(newest);
      newest = r.token();
      survivorWrote |= r.token() >= survivorToken;
      if (survivorWrote) assertThat(r.node()).as("%s: no interleaving of holders: %s", disk, log).isEqualTo(SURVIVOR);
    }
    assertThat(survivorWrote).isTrue();
    for (StorageRecord r : area(storage, disk).rejected()) {
      assertThat(r.token()).as("%s: a refused write was stale", disk).isLessThan(newest);
    }
  }

  /** The cluster's events from the freeze on, in ms after it: the measured story for the test log. */
  private void timeline(long frozenAt) throws Exception {
    for (Admin.Event e : admin.events(null, 1_000)) {
      if (e.t() >= frozenAt && (e.message().contains(VICTIM) || e.message().contains("vm:30")
          || e.message().contains("spm") || e.message().contains("disk"))) {
        System.out.printf("  +%6d ms %s: %s%n", e.t() - frozenAt, e.source(), e.message());
      }
    }
  }

  /** What node2's writers printed from resumedAt on: each a write they tried once resumed. */
  private List<String> resumedAttempts(long resumedAt) throws Exception {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < DISKS.size(); i++) {
      Path log = cluster.dir().resolve(VICTIM).resolve("data").resolve("resources").resolve("vm:" + (301 + i)
          + ".log");
      for (String line : Files.readAllLines(log)) {
        String[] f = line.split(" ");
        if (f.length > 1 && f[0].matches("\\d+") && Long.parseLong(f[0]) >= resumedAt && !f[1].equals("pid")) {
          out.add("vm:" + (301 + i) + " " + line);
        }
      }
    }
    for (String line : Files.readAllLines(cluster.nodeLog(VICTIM))) {
      int at = line.indexOf("spm-writer ");
      String[] f = at < 0 ? new String[0] : line.substring(at + "spm-writer ".length()).split(" ");
      if (f.length > 1 && f[0].matches("\\d+") && Long.parseLong(f[0]) >= resumedAt && !f[1].equals("pid")) {
        out.add("spm " + line.substring(at));
      }
    }
    return out;
  }

  private void up() throws Exception {
    cluster.attachNetwork();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> state().nodes().values().stream().filter(s -> s.state() == NodeState.ONLINE).count() == 2);
  }

  private ManagerState state() throws Exception {
    return admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
  }

  private void addWriter(String id, String disk, Path storageDir) throws Exception {
    String command = writerCommand(storageDir, disk);
    ResourceConfig rc = new ResourceConfig(id, VICTIM, RequestState.STARTED, null, 0, 1, 1, List.of(disk),
        "process", new TreeMap<>(Map.of("command", command, "user", "root")));
    admin.update(StorePaths.CONFIG, ClusterConfig.class, cfg -> cfg.withResource(rc));
  }

  /** A DiskWriter JVM for the disk (or METADATA), as a shell command line. */
  private static String writerCommand(Path storageDir, String disk) {
    return "exec '" + ProcessHandle.current().info().command().orElse("java") + "' -Xmx32m -Xss512k "
        + "-XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path") + "' palisade.lab.DiskWriter '"
        + storageDir + "' " + disk;
  }

  private static palisade.storage.StorageArea area(SharedDirStorage storage, String disk) {
    return disk.equals(METADATA) ? storage.metadata() : storage.disk(disk);
  }

  private static String lastWriter(SharedDirStorage storage, String disk) {
    try {
      List<StorageRecord> log = area(storage, disk).log();
      return log.isEmpty() ? "" : log.get(log.size() - 1).node();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** The DiskWriter processes in node2's cgroup. */
  private List<Long> writerPids() {
    List<Long> out = new ArrayList<>();
    for (long pid : NodeFreeze.cgroupProcs(cluster, VICTIM)) {
      if (LabProcesses.commandLine(pid).contains("palisade.lab.DiskWriter")) out.add(pid);
    }
    return out;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !zombie(pid);
  }

  private static boolean zombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (java.io.IOException e) {
      return true;
    }
  }
}
