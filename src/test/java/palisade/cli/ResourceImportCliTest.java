package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.cli.TlsStore.Run;
import palisade.core.ClusterConfig;
import palisade.core.GroupConfig;
import palisade.core.NodeConfig;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;

/** `resource import` and `resource export` against a TLS store in this JVM: checks first, batches, round trip. */
class ResourceImportCliTest {
  @TempDir
  static Path dir;

  static TlsStore store;

  @BeforeAll
  static void start() throws Exception {
    store = new TlsStore(dir, "importcli", "127.0.2.41", 46_000);
  }

  @AfterAll
  static void stop() {
    if (store != null) store.close();
  }

  /** Three nodes, group web, and one resource vm:keep (each test starts from this). */
  @BeforeEach
  void seed() throws Exception {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : List.of("node1", "node2", "node3")) nodes.put(n, NodeConfig.standard(n));
    TreeMap<String, GroupConfig> groups = new TreeMap<>(Map.of("web", new GroupConfig("web",
        new TreeMap<>(Map.of("node1", 1, "node2", 2)), false, true)));
    try (Admin a = store.admin()) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, cur -> new ClusterConfig(nodes, groups,
          new TreeMap<>(Map.of("vm:keep", keep())), ShutdownPolicy.CONDITIONAL));
    }
  }

  private static ResourceConfig keep() {
    return new ResourceConfig("vm:keep", "node1", RequestState.STARTED, null, 0, 1, 1, List.of(), "process",
        new TreeMap<>(Map.of("command", "sleep 1000")));
  }

  private static Run run(String... args) {
    return store.palisade(TlsStore.ADMIN, args);
  }

  private static Run ok(String... args) {
    Run r = run(args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isZero();
    return r;
  }

  private static ClusterConfig config() throws Exception {
    try (Admin a = store.admin()) {
      return a.value(StorePaths.CONFIG, ClusterConfig.class);
    }
  }

  private static long configVersion() throws Exception {
    try (Admin a = store.admin()) {
      return a.read(StorePaths.CONFIG).version();
    }
  }

  /** n resources as YAML: every tenth in group web with a disk, every third stopped, quoting where YAML needs it. */
  private static String yaml(int n) {
    StringBuilder sb = new StringBuilder("# generated\n");
    for (int i = 0; i < n; i++) {
      sb.append("- id: \"r:").append(i).append("\"\n  node: node").append(1 + i % 3).append('\n');
      if (i % 10 == 0) sb.append("  group: web\n  disks: [/img/r").append(i).append(".qcow2]\n");
      if (i % 3 == 0) sb.append("  state: stopped\n");
      sb.append("  priority: ").append(i % 5).append("\n  options:\n    command: \"sleep ").append(1000 + i)
          .append("\"\n    port: \"007\"\n");
    }
    return sb.toString();
  }

  private static Path file(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  @Test
  void importsTwoThousandInBatchesAndAgainIsANoOp() throws Exception {
    Path f = file("many.yaml", yaml(2_000));
    Run r = ok("resource", "import", f.toString(), "--batch", "500");
    assertThat(r.out()).contains(f + ": 2000 to add, 0 to replace, 0 already there as given",
        "written 500/2000 (r:0 .. r:499)", "written 2000/2000", f + ": imported 2000 resources");
    ClusterConfig cfg = config();
    assertThat(cfg.resources()).hasSize(2_001);
    assertThat(cfg.resources().get("r:10")).isEqualTo(new ResourceConfig("r:10", "node2", RequestState.STARTED,
        "web", 0, 1, 1, List.of("/img/r10.qcow2"), "process", new TreeMap<>(Map.of("command", "sleep 1010",
        "port", "007"))));
    assertThat(cfg.resources().get("r:3").state()).isEqualTo(RequestState.STOPPED);
    assertThat(cfg.resources().get("vm:keep")).isEqualTo(keep());
    long version = configVersion();
    Run again = ok("resource", "import", f.toString());
    assertThat(again.out()).contains("0 to add, 0 to replace, 2000 already there as given");
    assertThat(configVersion()).isEqualTo(version);
    assertThat(config()).isEqualTo(cfg);
  }

  @Test
  void exportThenImportIntoAnEmptyClusterGivesAnEqualConfiguration() throws Exception {
    ok("resource", "import", file("some.yaml", yaml(300)).toString(), "--batch", "64");
    TreeMap<String, String> tricky = new TreeMap<>(); // values YAML would read as something else unquoted
    String[] values = {"yes", "no", "on", "null", "~", "true", "1e3", "0x1F", "3.14", "-1", ".inf", "", " lead",
        "a: b", "#x", "- dash", "two\nlines", "'q'", "\"dq\"", "[x]", "{y}", "*a", "&b", "!t", "%p", "@a", "`b"};
    for (int i = 0; i < values.length; i++) tricky.put("k" + i, values[i]);
    tricky.put("command", "sh -c 'echo \"$PALISADE_TOKEN\"'");
    try (Admin a = store.admin()) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, cur -> cur.withResource(new ResourceConfig("t:1", "node3",
          RequestState.DISABLED, null, -3, 0, 7, List.of(), "process", tricky)));
    }
    ClusterConfig before = config();
    for (String format : List.of("yaml", "json")) {
      String exported = ok("resource", "export", "-o", format).out();
      Path f = file("export." + format, exported);
      Path viaFile = dir.resolve("written." + format);
      Files.deleteIfExists(viaFile);
      assertThat(ok("resource", "export", "-o", format, viaFile.toString()).out()).contains("exported 302 resources");
      assertThat(Files.readString(viaFile)).isEqualTo(exported);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(viaFile))).isEqualTo("rw-------");
      try (Admin a = store.admin()) { // an empty cluster: the same nodes and groups, no resources
        a.update(StorePaths.CONFIG, ClusterConfig.class, cur -> new ClusterConfig(cur.nodes(), cur.groups(),
            new TreeMap<>(), cur.shutdownPolicy(), cur.timing(), cur.repairAfterMs(), cur.fence(), cur.placement()));
      }
      ok("resource", "import", (format.equals("json") ? viaFile : f).toString());
      assertThat(config()).as(format).isEqualTo(before);
    }
    assertThat(ok("resource", "export").out()).startsWith("- id: r:0\n  type: process\n  node: node1\n"
        + "  group: web\n  state: stopped\n  priority: 0\n  max_restart: 1\n  max_relocate: 1\n"
        + "  disks:\n  - /img/r0.qcow2\n  options:\n    command: sleep 1000\n    port: \"007\"\n");
  }

  @Test
  void aBadFileListsEveryProblemByLineAndWritesNothing() throws Exception {
    long version = configVersion();
    Path f = file("bad.yaml", String.join("\n",
        "- id: a:1", //                                     1
        "  node: node1", //                                 2
        "  options: {command: sleep 1}", //                 3
        "- id: a:2", //                                     4
        "  node: node9", //                                 5 no such node
        "  options: {command: sleep 1}", //                 6
        "- id: a:1", //                                     7 twice in the file
        "  node: node2", //                                 8
        "  options: {command: sleep 1}", //                 9
        "- id: a:3", //                                    10
        "  node: node1", //                                11
        "  colour: blue", //                               12 unknown field
        "- id: a:4", //                                    13
        "  node: node1", //                                14 a process without a command (as resource add says)
        "- id: a:5", //                                    15
        "  node: node1", //                                16
        "  priority: high", //                             17
        "  options: {command: sleep 1}", //                18
        "- id: vm:keep", //                                19 the cluster has it, otherwise
        "  node: node2", //                                20
        "  options: {command: sleep 1}", //                21
        "- id: a:6", //                                    22
        "  node: node1", //                                23
        "  disks: [../etc/passwd]", //                     24
        "  options: {command: sleep 1}", //                25
        ""));
    Run r = run("resource", "import", f.toString());
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err().lines().toList()).containsExactly(
        f + ":5: a:2: node: no node 'node9' in the cluster",
        f + ":7: a:1: id: given twice (also at line 1)",
        f + ":12: unknown field 'colour' (fields: id, type, node, group, state, priority, max_restart, "
            + "max_relocate, disks, options)",
        f + ":13: a:4: a process resource needs options command=...",
        f + ":17: a:5: priority: must be a whole number",
        f + ":19: vm:keep: id: the cluster has it with another configuration (--replace overwrites it)",
        f + ":24: a:6: disks '../etc/passwd': has a '..' path step",
        "palisade: " + f + ": 7 problems; nothing was imported");
    assertThat(configVersion()).isEqualTo(version);
    assertThat(config().resources()).containsOnlyKeys("vm:keep");
  }

  @Test
  void aSyntaxErrorNamesItsLineAndJsonToo() throws Exception {
    long version = configVersion();
    Path y = file("broken.yaml", "- id: b:1\n  node: node1\n  options: {command: sleep 1}\n- id: b:2\n"
        + "  node: [node1\n");
    Run r = run("resource", "import", y.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).containsPattern(java.util.regex.Pattern.quote(y.toString()) + ":[56]: not valid YAML: ")
        .doesNotContain("Exception", "\tat ");
    Path j = file("list.json", "[\n {\"id\": \"j:1\", \"node\": \"node1\", \"options\": {\"command\": \"x\"}},\n"
        + " {\"id\": \"j:2\", \"node\": \"node1\",\n  \"max_restart\": -1, \"options\": {\"command\": \"x\"}},\n"
        + " {\"id\": \"j:3\", \"node\": \"node1\" \"options\": {}}\n]\n");
    Run rj = run("resource", "import", j.toString());
    assertThat(rj.exit()).isEqualTo(2);
    assertThat(rj.err()).contains(j + ":4: j:2: max_restart must be >= 0")
        .containsPattern(java.util.regex.Pattern.quote(j.toString()) + ":5: not valid JSON: ");
    Path notList = file("map.yaml", "id: c:1\nnode: node1\n");
    assertThat(run("resource", "import", notList.toString()).err())
        .contains(notList + ":1: expected a list of resources");
    assertThat(configVersion()).isEqualTo(version);
  }

  @Test
  void manyProblemsAreCappedAndAViewerMayNotImport() throws Exception {
    long version = configVersion();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 25; i++) sb.append("- {id: \"m:").append(i).append("\", node: nodeX, options: {command: x}}\n");
    Path f = file("many-bad.yaml", sb.toString());
    Run r = run("resource", "import", f.toString());
    assertThat(r.exit()).isEqualTo(2);
    List<String> lines = r.err().lines().toList();
    assertThat(lines).hasSize(22).startsWith(f + ":1: m:0: node: no node 'nodeX' in the cluster");
    assertThat(lines.get(20)).isEqualTo("... and 5 more");
    assertThat(lines.get(21)).isEqualTo("palisade: " + f + ": 25 problems; nothing was imported");
    Path good = file("good.yaml", "- {id: \"v:1\", node: node1, options: {command: x}}\n");
    Run viewer = store.palisade(TlsStore.VIEWER, "resource", "import", good.toString());
    assertThat(viewer.exit()).isEqualTo(2);
    assertThat(viewer.err()).contains("the store refused: your credential's role may not do this");
    assertThat(configVersion()).isEqualTo(version);
  }

  @Test
  void dryRunWritesNothingAndReplaceOverwrites() throws Exception {
    long version = configVersion();
    Path f = file("replace.yaml", "- {id: \"vm:keep\", node: node2, options: {command: sleep 2}}\n"
        + "- {id: \"d:1\", node: node3, options: {command: sleep 3}}\n");
    assertThat(ok("resource", "import", f.toString(), "--replace", "--dry-run").out())
        .contains("1 to add, 1 to replace, 0 already there as given", "dry run: nothing was written");
    assertThat(configVersion()).isEqualTo(version);
    ok("resource", "import", f.toString(), "--replace");
    assertThat(config().resources().get("vm:keep").node()).isEqualTo("node2");
    assertThat(config().resources()).containsOnlyKeys("vm:keep", "d:1");
  }

  @Test
  void exportRefusesAnExistingFileAndBadArgumentsExitTwo() throws Exception {
    Path existing = file("existing.yaml", "keep me");
    Run r = run("resource", "export", existing.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains(existing + " exists");
    assertThat(Files.readString(existing)).isEqualTo("keep me");
    ok("resource", "export", existing.toString(), "--force");
    assertThat(Files.readString(existing)).startsWith("- id: vm:keep\n");
    assertThat(run("resource", "export", "-o", "xml").exit()).isEqualTo(2);
    assertThat(run("resource", "import", existing.toString(), "--batch", "0").err()).contains("--batch: 0");
    Run missing = run("resource", "import", dir.resolve("none.yaml").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("none.yaml: cannot read it").doesNotContain("Exception");
  }
}
