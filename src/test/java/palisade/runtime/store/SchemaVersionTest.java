package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.StorePaths;

/**
 * The store's schema version against a standalone TLS peer in this JVM and a real daemon process: a daemon refuses
 * a newer schema than it knows (exit 2, both versions named, nothing written); the CLI's writes refuse it too; a
 * store without /schema is version 1, and a new cluster's first daemon records the current one.
 */
class SchemaVersionTest {
  @TempDir
  static Path dir;

  static Path creds;
  static EmbeddedPeer peer;
  static String connect;
  static String host = "127.0.2.7";
  static int port;
  static final AtomicInteger fatal = new AtomicInteger(-1);
  static final String NEWER = "store schema " + (SchemaVersion.CURRENT + 1) + " is newer than this palisade (knows "
      + "up to " + SchemaVersion.CURRENT + ")";

  @BeforeAll
  static void start() throws Exception {
    creds = dir.resolve("credentials");
    Credentials.initCa(creds, "test");
    Credential node = Credential.load(Credentials.issueNode(creds, "node1", 1));
    Credentials.issueOperator(creds, "alice", Credential.Role.ADMIN, 1);
    port = 24_000 + (int) (ProcessHandle.current().pid() % 5_000);
    peer = EmbeddedPeer.start(dir.resolve("zk"), 1, List.of(new EmbeddedPeer.Member(1, host, port, port + 1,
        port + 2)), node, fatal::set);
    connect = host + ":" + port;
  }

  @AfterAll
  static void stop() {
    if (peer != null) peer.close();
  }

  static Admin admin() throws Exception {
    Admin a = new Admin(connect, "test", Credential.load(Credentials.operatorDir(creds, "alice")));
    assertThat(a.connect(15_000)).isTrue();
    return a;
  }

  @Test
  void versionsAreCheckedNamingBoth() {
    assertThat(SchemaVersion.of(null)).as("a store made before the version was recorded").isEqualTo(1);
    SchemaVersion.check(SchemaVersion.CURRENT);
    assertThatThrownBy(() -> SchemaVersion.check(SchemaVersion.CURRENT + 1)).isInstanceOf(ConfigException.class)
        .hasMessage(NEWER + ": upgrade this host's palisade before starting it");
    assertThatThrownBy(() -> SchemaVersion.of("x")).hasMessageContaining("not a schema version");
  }

  /** A daemon process of node1 against the peer; its output in LOG. */
  private static Process daemon(Path log) throws Exception {
    Path yaml = dir.resolve("node1.yaml");
    Files.deleteIfExists(yaml);
    Files.createFile(yaml, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(yaml, "cluster: test\nnode: node1\ndata_dir: " + dir.resolve("node1-data") + "\n"
        + "store: {connect: \"" + connect + "\", credential: \"" + Credentials.nodeDir(creds, "node1") + "\"}\n"
        + "watchdog: {driver: none}\nhttp: {enabled: false}\n"
        + "nodes:\n  - {name: node1, address: " + host + ", fence_levels: [[rf1]], watchdog: none}\n"
        + "fence_devices:\n  rf1: {type: redfish, host: 127.0.0.1, port: 1, username: u, password: p}\n");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return new ProcessBuilder(java, "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp,
        "palisade.Main", "daemon", "--config", yaml.toString()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
  }

  @Test
  void aDaemonAndTheCliRefuseANewerSchemaAndAMissingOneIsRecorded() throws Exception {
    try (Admin a = admin()) {
      a.update(StorePaths.SCHEMA, Integer.class, v -> SchemaVersion.CURRENT + 1);
      Path log = dir.resolve("refused.log");
      Process p = daemon(log);
      try {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the daemon gave up: %s", Files.readString(log)).isTrue();
        String said = Files.readString(log);
        assertThat(p.exitValue()).as(said).isEqualTo(2);
        assertThat(said).contains("palisade: " + NEWER + ": upgrade this host's palisade before starting it")
            .doesNotContain("Exception");
      } finally {
        p.destroyForcibly();
      }
      assertThat(a.read(StorePaths.CONFIG)).as("the refused daemon seeded nothing").isNull();
      assertThat(a.value(StorePaths.SCHEMA, Integer.class)).isEqualTo(SchemaVersion.CURRENT + 1);
    }
    // The CLI's writes (a new handle: each command makes one) refuse it as well, and write nothing.
    try (Admin a = admin()) {
      assertThatThrownBy(() -> a.update(StorePaths.CONFIG, ClusterConfig.class, c -> c))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining(NEWER);
      assertThat(a.read(StorePaths.CONFIG)).isNull();
    }

    // A store without /schema and without /config: a new cluster, which the daemon records at the current version
    // (layout 3), then seeds its /config in that layout and runs.
    try (Admin a = admin()) {
      deleteSchema(a);
      Path log = dir.resolve("started.log");
      Process p = daemon(log);
      try {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
            .until(() -> a.read(StorePaths.CONFIG) != null);
        assertThat(a.value(StorePaths.SCHEMA, Integer.class)).isEqualTo(SchemaVersion.CURRENT);
        assertThat(Layout2.decodeHead(a.client().getData().forPath(StorePaths.CONFIG)).layout())
            .isEqualTo(Layout2.NEWEST);
        assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
      } finally {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static void deleteSchema(Admin a) throws Exception {
    try (org.apache.curator.framework.CuratorFramework c = ZkStore.newClient(connect, "test",
        Credential.load(Credentials.operatorDir(creds, "alice")), b -> b.retryPolicy(
        new org.apache.curator.retry.RetryNTimes(3, 200)))) {
      c.start();
      c.delete().forPath(StorePaths.SCHEMA);
    }
    assertThat(a.read(StorePaths.SCHEMA)).isNull();
  }
}
