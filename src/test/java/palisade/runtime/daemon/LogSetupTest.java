package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import palisade.core.ConfigException;

/**
 * The daemon's log as its node YAML configures it: lines with levels in a private file (0600, in a 0700 directory
 * the daemon made), JSON lines that parse one by one, rolling by size, and no class-path line of kilobytes.
 */
class LogSetupTest {
  @TempDir
  Path dir;

  @AfterEach
  void restoreLogbackXml() throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    new ContextInitializer(ctx).autoConfig();
  }

  private LogSection section(String yaml) {
    return DaemonConfigTest.parse("cluster: prod\nnode: node2\n" + yaml + DaemonConfigTest.NODES).log();
  }

  /** Sample lines as a daemon writes them, and ZooKeeper's class path line. */
  private static void sampleLines() {
    DaemonLog.event("node1/daemon", "started");
    DaemonLog.event("manager", "ALERT: every fence level of node3 failed (attempt 2)");
    DaemonLog.fatal("the watchdog did not answer");
    LoggerFactory.getLogger("org.apache.zookeeper.server.ZooKeeperServer").error("Server environment:"
        + "java.class.path=/usr/share/palisade/palisade.jar:" + "/usr/share/palisade/lib/x.jar:".repeat(200));
    LoggerFactory.getLogger("palisade.daemon").debug("not at level info");
  }

  @Test
  void aFileLogHasLevelsAndIsPrivate() throws Exception {
    Path file = dir.resolve("log").resolve("palisade.log");
    LogSection log = section("log:\n  file: " + file + "\n");
    assertThat(log.file()).isEqualTo(file);
    LogSetup.apply(log);
    sampleLines();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    String time = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ";
    assertThat(lines.get(0)).matches(time + "INFO  \\[event\\] node1/daemon: started");
    assertThat(lines.get(1)).matches(time + "WARN  \\[event\\] manager: ALERT: every fence level of node3 failed .*");
    assertThat(lines.get(2)).matches(time + "ERROR \\[daemon\\] FATAL: the watchdog did not answer");
    assertThat(String.join("\n", lines)).doesNotContain("java.class.path");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void jsonLinesParseOneByOne() throws Exception {
    Path file = dir.resolve("palisade.json.log");
    LogSetup.apply(section("log:\n  file: " + file + "\n  format: json\n"));
    sampleLines();
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file)) lines.add(json.readTree(line));
    assertThat(lines).hasSize(3);
    List<String> fields = new ArrayList<>();
    lines.get(0).fieldNames().forEachRemaining(fields::add);
    assertThat(fields).containsExactly("time", "level", "logger", "thread", "message");
    assertThat(lines.get(0).get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(lines.get(0).get("level").asText()).isEqualTo("INFO");
    assertThat(lines.get(0).get("logger").asText()).isEqualTo("palisade.event");
    assertThat(lines.get(0).get("message").asText()).isEqualTo("node1/daemon: started");
    assertThat(lines.get(1).get("level").asText()).isEqualTo("WARN");
    assertThat(lines.get(2).get("level").asText()).isEqualTo("ERROR");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }

  @Test
  void aFullFileRollsAndStaysPrivate() throws Exception {
    Path file = dir.resolve("palisade.log");
    LogSetup.apply(section("log:\n  file: " + file + "\n  max_size: 1MB\n  max_files: 2\n"));
    String kilobyte = "x".repeat(1000);
    for (int i = 0; i < 3_500; i++) DaemonLog.info(i + " " + kilobyte); // 3.5 MB: two rolls at least
    assertThat(file.resolveSibling("palisade.log.1")).exists();
    assertThat(file.resolveSibling("palisade.log.2")).exists();
    assertThat(file.resolveSibling("palisade.log.3")).as("max_files: 2").doesNotExist();
    for (String f : List.of("palisade.log", "palisade.log.1", "palisade.log.2")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.resolveSibling(f))))
          .as(f).isEqualTo("rw-------");
    }
    assertThat(Files.size(file)).isLessThan(1_100_000);
  }

  /**
   * End to end: `palisade daemon` with `log.file` in its YAML writes its lines with levels to that file (here while
   * it waits for a store that is not there), not to standard output; the file is 0600 in a directory it made 0700.
   */
  @Test
  void aDaemonWithAFileLogWritesItsLinesThere() throws Exception {
    Path creds = dir.resolve("creds");
    palisade.runtime.store.Credentials.initCa(creds, "logtest");
    Path nodeCredential = palisade.runtime.store.Credentials.issueNode(creds, "node1", 1);
    Path file = dir.resolve("var-log").resolve("palisade.log");
    Path yaml = Files.writeString(dir.resolve("node1.yaml"), """
        cluster: logtest
        node: node1
        data_dir: %s
        store:
          connect: 127.0.0.1:1
          credential: %s
        watchdog:
          driver: process
        http:
          enabled: false
        log:
          file: %s
        nodes:
          - name: node1
            address: 127.0.0.1
        """.formatted(dir.resolve("data"), nodeCredential, file));
    Path stdout = dir.resolve("stdout");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m",
        "-cp", System.getProperty("java.class.path"), "palisade.Main", "daemon", "--config", yaml.toString())
        .redirectErrorStream(true).redirectOutput(stdout.toFile()).start();
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> Files.exists(file)
          && Files.readString(file).contains("waiting for the store"));
      assertThat(Files.readString(file)).containsPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  "
          + "\\[daemon\\] waiting for the store and the cluster's /config \\(127\\.0\\.0\\.1:1\\)");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
          .isEqualTo("rwx------");
      assertThat(Files.readString(stdout)).doesNotContain("waiting for the store");
    } finally {
      p.destroyForcibly(); // our own child, by its handle
      p.waitFor();
    }
  }

  @Test
  void levelWarnKeepsAlertsAndFatalLinesOnly() throws Exception {
    Path file = dir.resolve("warn.log");
    LogSetup.apply(section("log:\n  file: " + file + "\n  level: warn\n"));
    sampleLines();
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("WARN  [event] manager: ALERT");
    assertThat(lines.get(1)).contains("ERROR [daemon] FATAL");
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> section("log:\n  format: xml\n")).isInstanceOf(ConfigException.class)
        .hasMessage("log.format: 'xml' is not text or json");
    assertThatThrownBy(() -> section("log:\n  file: /x.log\n  max_size: 5 bananas\n"))
        .hasMessage("log.max_size: '5 bananas' is not a size (example: 50MB)");
    assertThatThrownBy(() -> section("log:\n  file: /x.log\n  max_size: 10KB\n"))
        .hasMessage("log.max_size: '10KB' must be from 1MB to 1GB");
    assertThatThrownBy(() -> section("log:\n  file: /x.log\n  max_files: 0\n"))
        .hasMessage("log.max_files: '0' is not a count from 1 to 100");
    assertThatThrownBy(() -> section("log:\n  max_files: 3\n"))
        .hasMessage("log.max_size, log.max_files: only with log.file (standard output is not rolled)");
    assertThatThrownBy(() -> section("log:\n  rotate: daily\n")).hasMessageStartingWith("log.rotate: unknown key");
    assertThatThrownBy(() -> section("log:\n  level: trace\n"))
        .hasMessage("log.level: 'trace' is not debug, info or warn");
    assertThat(section("").file()).as("default: standard output").isNull();
  }
}
