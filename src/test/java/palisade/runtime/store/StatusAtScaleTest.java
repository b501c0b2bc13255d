package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;

/**
 * `palisade status` against a store holding 50,000 resources (issue 14: within 2 s): the operator's reads of the
 * config and the state through a new handle each (what one CLI command does), and `status` run as an operator runs
 * it, a process (JVM start included): `status --all`, its every resource line checked, and `status`, whose totals
 * above 1,000 resources come from the census the heads keep. Figures printed for BENCHMARKS.md "Store layout".
 */
class StatusAtScaleTest {
  /**
   * 5,000 in the suite (several read batches, a minute less than 50,000); BENCHMARKS.md's figures run it with
   * -Dpalisade.scale.resources=50000 -Dpalisade.scale.runs=3.
   */
  static final int RESOURCES = Integer.getInteger("palisade.scale.resources", 5_000);
  static final int BATCH = 1_000;
  static final int RUNS = Integer.getInteger("palisade.scale.runs", 1);
  /** Nodes in the configuration, each with a record (2 in the suite; BENCHMARKS.md runs 1,000). */
  static final int NODES = Integer.getInteger("palisade.scale.nodes", 2);

  @TempDir
  Path dir;

  LayoutFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new LayoutFixture(dir, "127.0.2.15", 24_000 + (int) (ProcessHandle.current().pid() % 3_000));
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void statusAnswersAtFiftyThousandResources() throws Exception {
    ClusterConfig config = LayoutFixture.config(RESOURCES);
    TreeMap<String, palisade.core.NodeConfig> nodes = new TreeMap<>(config.nodes());
    for (int i = 1; i <= NODES; i++) nodes.put("node" + i, palisade.core.NodeConfig.standard("node" + i));
    config = new ClusterConfig(nodes, config.groups(), config.resources(), config.shutdownPolicy());
    ManagerState state = seed(config);
    double[] configMs = new double[RUNS];
    double[] stateMs = new double[RUNS];
    double[] readCpuMs = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      try (Admin a = f.admin()) {
        long t0 = System.nanoTime();
        assertThat(a.value(StorePaths.CONFIG, ClusterConfig.class)).isEqualTo(config);
        configMs[i] = (System.nanoTime() - t0) / 1e6;
        long cpu0 = cpuNanos();
        long t1 = System.nanoTime();
        assertThat(a.value(StorePaths.MANAGER_STATE, ManagerState.class)).isEqualTo(state);
        stateMs[i] = (System.nanoTime() - t1) / 1e6;
        readCpuMs[i] = (cpuNanos() - cpu0) / 1e6;
      }
    }
    // Before the batched reads: every entry a getData of its own, 500 in flight (the same state, for comparison).
    double[] pipelinedMs = new double[RUNS];
    double[] pipelinedCpuMs = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      try (Admin a = f.admin()) {
        long cpu0 = cpuNanos();
        long t0 = System.nanoTime();
        assertThat(pipelinedCount(a.client(), StorePaths.MANAGER_STATE, "services")).isEqualTo(RESOURCES);
        pipelinedMs[i] = (System.nanoTime() - t0) / 1e6;
        pipelinedCpuMs[i] = (cpuNanos() - cpu0) / 1e6;
      }
    }
    List<Double> cpu = new ArrayList<>();
    double[] statusMs = statusRuns(List.of(), List.of("--all"), cpu, StatusAtScaleTest::everyLine);
    // The same with the JIT flags a short-lived command gains from (bin/palisade passes them for `status`)
    List<Double> cpuC1 = new ArrayList<>();
    List<String> c1 = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    double[] statusC1Ms = statusRuns(c1, List.of("--all"), cpuC1, StatusAtScaleTest::everyLine);
    // What an operator gets without --all above 1,000 resources: the totals from the heads' census
    List<Double> cpuTotals = new ArrayList<>();
    double[] totalsMs = statusRuns(c1, List.of(), cpuTotals, StatusAtScaleTest::totals);
    // and what a script gets with -o json --summary: the same totals, as "resources_summary"
    statusRuns(c1, List.of("--summary", "-o", "json"), new ArrayList<>(), lines -> {
      try {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(String.join("\n", lines));
        assertThat(json.has("resources")).isFalse();
        assertThat(json.get("resources_summary").toString()).isEqualTo("{\"total\":" + RESOURCES + ",\"requested\":"
            + "{\"stopped\":" + RESOURCES + "},\"states\":{\"started\":" + RESOURCES + "},\"failed_actions\":0}");
        assertThat(json.at("/cluster/resources").asInt()).isEqualTo(RESOURCES);
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    });
    System.out.printf("status at scale: nodes=%d resources=%d admin_read_config_ms=%s admin_read_state_ms=%s "
        + "admin_read_state_cpu_ms=%s state_entries_one_request_each_ms=%s cpu_ms=%s status_all_process_ms=%s "
        + "status_all_cpu_s=%s status_all_process_c1_ms=%s status_all_c1_cpu_s=%s status_totals_c1_ms=%s "
        + "status_totals_c1_cpu_s=%s load=%s%n", NODES, RESOURCES, fmt(configMs), fmt(stateMs), fmt(readCpuMs),
        fmt(pipelinedMs), fmt(pipelinedCpuMs), fmt(statusMs), cpu, fmt(statusC1Ms), cpuC1, fmt(totalsMs), cpuTotals,
        loadAverage());
  }

  /** `status --all`: a line per resource. */
  private static void everyLine(List<String> lines) {
    assertThat(lines.stream().filter(l -> l.startsWith("vm:")).count()).isEqualTo(RESOURCES);
    int last = RESOURCES - 1;
    assertThat(lines).contains(String.format("%-12s %-10s %-12s %-8s %-8s %-8s %s", String.format("vm:%05d", last),
        "stopped", "started", "node1", String.valueOf(last), "process", "0/1"));
  }

  /** `status` above 1,000 resources: their totals, no line per resource. */
  private static void totals(List<String> lines) {
    assertThat(lines.stream().filter(l -> l.startsWith("vm:")).count()).isZero();
    assertThat(lines).contains("resources: " + RESOURCES + " (stopped " + RESOURCES + " requested); each is listed "
        + "by `palisade status --all` or `palisade resource list`", "  states:  started " + RESOURCES,
        "  failed actions: none");
  }

  /** The earlier way of reading one map's entries: list the buckets, then one getData each, 500 in flight. */
  private static int pipelinedCount(CuratorFramework client, String logical, String field) throws Exception {
    Semaphore window = new Semaphore(500);
    List<CompletableFuture<byte[]>> reads = new ArrayList<>();
    List<CompletableFuture<List<String>>> lists = new ArrayList<>();
    for (int b = 0; b < Layout2.BUCKETS; b++) {
      CompletableFuture<List<String>> listed = new CompletableFuture<>();
      client.getChildren().inBackground((c, e) -> listed.complete(e.getChildren()))
          .forPath(Layout2.bucketPath(logical, field, b));
      lists.add(listed);
    }
    for (int b = 0; b < Layout2.BUCKETS; b++) {
      String bucket = Layout2.bucketPath(logical, field, b);
      for (String child : lists.get(b).get(30, TimeUnit.SECONDS)) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        assertThat(window.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
        client.getData().inBackground((c, e) -> {
          window.release();
          done.complete(e.getData());
        }).forPath(bucket + "/" + child);
        reads.add(done);
      }
    }
    int n = 0;
    for (CompletableFuture<byte[]> r : reads) {
      Layout2.decodeEntry(logical, field, r.get(30, TimeUnit.SECONDS));
      n++;
    }
    return n;
  }

  /** CPU time of this JVM (the reading handle and the embedded peer that answers it). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** RUNS runs of `palisade status ARGS` as processes (JVM options first), their output checked; wall times. */
  private double[] statusRuns(List<String> jvm, List<String> args, List<Double> cpuS,
      java.util.function.Consumer<List<String>> check) throws Exception {
    double[] ms = new double[RUNS];
    for (int i = 0; i < RUNS; i++) {
      Path out = dir.resolve("status-" + i + ".txt");
      long t0 = System.nanoTime();
      Path cpu = dir.resolve("cpu-" + i + ".txt");
      Process p = status(jvm, args, out, cpu);
      try {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      } finally {
        p.destroyForcibly();
      }
      ms[i] = (System.nanoTime() - t0) / 1e6;
      if (Files.exists(cpu)) { // user + system seconds, as /usr/bin/time measured them
        String[] us = Files.readString(cpu).trim().split("\\s+");
        cpuS.add(Double.parseDouble(us[us.length - 2]) + Double.parseDouble(us[us.length - 1]));
      }
      List<String> lines = Files.readAllLines(out);
      assertThat(p.exitValue()).as(String.join("\n", lines.subList(0, Math.min(20, lines.size())))).isZero();
      check.accept(lines);
    }
    return ms;
  }

  /** The config and the state of RESOURCES resources, written through the operator's handle a thousand a write. */
  private ManagerState seed(ClusterConfig config) throws Exception {
    TreeMap<String, ServiceStatus> services = new TreeMap<>();
    for (String id : config.resources().keySet()) services.put(id, LayoutFixture.status("node1",
        Long.parseLong(id.substring(3))));
    ManagerState empty = ManagerState.empty();
    ManagerState full = new ManagerState(empty.epoch(), empty.nextToken(), empty.commandSeq(), empty.nodes(),
        services, empty.fencing(), empty.spm(), empty.maintenance(), empty.softFences(), empty.deviceCheck(),
        empty.ha(), empty.disks());
    try (Admin a = f.admin()) {
      a.update(StorePaths.SCHEMA, Integer.class, v -> 2);
      for (String n : config.nodes().keySet()) a.update(StorePaths.node(n), palisade.core.NodeRecord.class,
          r -> palisade.core.NodeRecord.fresh(n));
      List<String> ids = new ArrayList<>(config.resources().keySet());
      for (int from = 0; from < ids.size(); from += BATCH) {
        List<String> some = ids.subList(from, Math.min(ids.size(), from + BATCH));
        a.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
          ClusterConfig next = c == null ? LayoutFixture.config(0) : c;
          TreeMap<String, ResourceConfig> rs = new TreeMap<>(next.resources());
          for (String id : some) rs.put(id, config.resources().get(id));
          return new ClusterConfig(config.nodes(), next.groups(), rs, next.shutdownPolicy());
        });
        a.update(StorePaths.MANAGER_STATE, ManagerState.class, s -> {
          ManagerState cur = s == null ? empty : s;
          TreeMap<String, ServiceStatus> ss = new TreeMap<>(cur.services());
          for (String id : some) ss.put(id, services.get(id));
          return new ManagerState(cur.epoch(), cur.nextToken(), cur.commandSeq(), cur.nodes(), ss, cur.fencing(),
              cur.spm(), cur.maintenance(), cur.softFences(), cur.deviceCheck(), cur.ha(), cur.disks());
        });
      }
    }
    return full;
  }

  /** `palisade status` as a process of its own, its output in out (and its CPU seconds in cpu, when measurable). */
  private Process status(List<String> jvm, List<String> args, Path out, Path cpu) throws Exception {
    List<String> argv = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/time"))) argv.addAll(List.of("/usr/bin/time", "-f", "%U %S", "-o",
        cpu.toString()));
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.addAll(jvm);
    argv.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        "palisade.Main", "status", "--store", f.connect, "--cluster", "test", "--credential",
        Credentials.operatorDir(f.creds, "alice").toString()));
    argv.addAll(args);
    return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  private static String fmt(double[] ms) {
    double[] s = ms.clone();
    java.util.Arrays.sort(s);
    return String.format("%.0f/%.0f/%.0f", s[0], s[s.length / 2], s[s.length - 1]);
  }

  private static String loadAverage() throws Exception {
    return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
  }
}
