package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.cli.PalisadeCommand;
import palisade.core.ClusterConfig;
import palisade.core.NodeConfig;
import palisade.core.NodeRecord;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;

/**
 * `palisade store backup|restore` against a standalone TLS peer in this JVM: backup, wipe, restore gives the same
 * znodes with the cluster's ACLs (the secret one included); a bad file or a running daemon is refused and nothing
 * changes.
 */
class StoreBackupTest {
  @TempDir
  static Path dir;

  static Path creds;
  static EmbeddedPeer peer;
  static String connect;
  static final AtomicInteger fatal = new AtomicInteger(-1);

  @BeforeAll
  static void start() throws Exception {
    creds = dir.resolve("credentials");
    Credentials.initCa(creds, "test");
    Credential node = Credential.load(Credentials.issueNode(creds, "node1", 1));
    Credentials.issueOperator(creds, "alice", Credential.Role.ADMIN, 1);
    int port = 25_000 + (int) (ProcessHandle.current().pid() % 5_000);
    peer = EmbeddedPeer.start(dir.resolve("zk"), 1, List.of(new EmbeddedPeer.Member(1, "127.0.2.8", port, port + 1,
        port + 2)), node, fatal::set);
    connect = "127.0.2.8:" + port;
    try (Admin a = admin()) {
      ResourceConfig vm = new ResourceConfig("vm:101", "node1", RequestState.STARTED, null, 0, 1, 1, List.of(),
          "process", new TreeMap<>(Map.of("command", "sleep 1000")));
      a.update(StorePaths.CONFIG, ClusterConfig.class, cur -> new ClusterConfig(
          new TreeMap<>(Map.of("node1", new NodeConfig("node1", true, List.of(), 5, false))), new TreeMap<>(),
          new TreeMap<>(), ShutdownPolicy.CONDITIONAL).withResource(vm));
      a.update(StorePaths.SCHEMA, Integer.class, v -> SchemaVersion.CURRENT);
      a.update(StorePaths.node("node1"), NodeRecord.class, r -> NodeRecord.fresh("node1"));
      a.update(StorePaths.NOTIFY, NotifySettings.class, s -> new NotifySettings("https://hooks.example/secret-token",
          null));
    }
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

  /** Runs the CLI as alice against the peer: exit code, and what it printed to stdout and stderr. */
  record Run(int rc, String out, String err) {}

  static Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--store", connect, "--cluster", "test", "--credential",
        Credentials.operatorDir(creds, "alice").toString()));
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = PalisadeCommand.execute(all.toArray(String[]::new));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    Run r = new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    System.out.print(r.out + r.err);
    return r;
  }

  /** Path -> data of every znode but the events; the events' data in order. */
  record Snapshot(Map<String, String> records, List<String> events) {}

  static Snapshot snapshot() throws Exception {
    try (Admin a = admin()) {
      Map<String, String> records = new TreeMap<>();
      List<String> events = new ArrayList<>();
      for (StoreBackup.Znode z : StoreBackup.take(a, "test").znodes()) {
        if (z.path().startsWith("/events/")) events.add(z.data());
        else records.put(z.path(), z.data());
      }
      return new Snapshot(records, events);
    }
  }

  private static void wipe() throws Exception {
    try (Admin a = admin()) {
      CuratorFramework c = a.client();
      for (String child : c.getChildren().forPath("/")) c.delete().deletingChildrenIfNeeded().forPath("/" + child);
      assertThat(c.getChildren().forPath("/")).isEmpty();
    }
  }

  @Test
  void backupWipeRestoreGivesTheSameZnodesWithTheClustersAcls() throws Exception {
    Snapshot before = snapshot();
    assertThat(before.records()).containsKeys(StorePaths.CONFIG, StorePaths.SCHEMA, StorePaths.NOTIFY,
        StorePaths.node("node1"));
    assertThat(before.events()).isNotEmpty(); // the audit of each write above
    Path file = dir.resolve("b1.json");
    assertThat(cli("store", "backup", file.toString()).rc()).isZero();
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    Run again = cli("store", "backup", file.toString());
    assertThat(again.rc()).as("an existing file is not overwritten").isEqualTo(2);
    assertThat(again.err()).contains("exists");

    wipe();
    Run r = cli("store", "restore", file.toString());
    assertThat(r.rc()).as(r.err()).isZero();
    Snapshot after = snapshot();
    assertThat(after.records()).isEqualTo(before.records());
    // The events in their order, then the restore's own audit event.
    assertThat(after.events()).startsWith(before.events().toArray(String[]::new));
    assertThat(after.events()).hasSize(before.events().size() + 1);
    assertThat(new String(Base64.getDecoder().decode(after.events().get(after.events().size() - 1)),
        StandardCharsets.UTF_8)).contains("restored the store from a backup");
    try (Admin a = admin()) {
      assertThat(a.client().getACL().forPath(StorePaths.NOTIFY)).isEqualTo(StoreAcl.SECRET_ACLS);
      assertThat(a.client().getACL().forPath(StorePaths.CONFIG)).isEqualTo(StoreAcl.ACLS);
      assertThat(a.value(StorePaths.NOTIFY, NotifySettings.class).webhook()).contains("secret-token");
      // A new event after the restore sorts after the restored ones (the sequence goes on).
      a.audit("after the restore");
    }
    Snapshot later = snapshot();
    assertThat(new String(Base64.getDecoder().decode(later.events().get(later.events().size() - 1)),
        StandardCharsets.UTF_8)).contains("after the restore");
  }

  @Test
  void aBadFileIsRefusedNamingTheProblemAndNothingChanges() throws Exception {
    Path good = dir.resolve("b2.json");
    assertThat(cli("store", "backup", good.toString()).rc()).isZero();
    String text = Files.readString(good);
    Snapshot before = snapshot();

    Path garbage = dir.resolve("garbage.json");
    Files.writeString(garbage, "{ not json");
    Run r = cli("store", "restore", garbage.toString());
    assertThat(r.rc()).isEqualTo(2);
    assertThat(r.err()).contains(garbage + ": not a palisade store backup").contains("nothing changed")
        .doesNotContain("Exception");

    Path other = dir.resolve("other.json");
    Files.writeString(other, text.replace("\"cluster\" : \"test\"", "\"cluster\" : \"prod\""));
    r = cli("store", "restore", other.toString());
    assertThat(r.rc()).isEqualTo(2);
    assertThat(r.err()).contains("cluster: the backup is of cluster 'prod', not 'test'");

    // A record this palisade cannot read (the /config znode's data replaced by broken JSON).
    StoreBackup.Backup b;
    try (Admin a = admin()) {
      b = StoreBackup.take(a, "test");
    }
    List<StoreBackup.Znode> zs = new ArrayList<>();
    for (StoreBackup.Znode z : b.znodes()) {
      zs.add(z.path().equals(StorePaths.CONFIG) ? new StoreBackup.Znode(z.path(), Base64.getEncoder()
          .encodeToString("{\"nodes\": 3".getBytes(StandardCharsets.UTF_8))) : z);
    }
    Path broken = dir.resolve("broken.json");
    StoreBackup.write(new StoreBackup.Backup(b.format(), b.version(), b.cluster(), b.schema(), b.taken(), zs), broken);
    r = cli("store", "restore", broken.toString());
    assertThat(r.rc()).isEqualTo(2);
    assertThat(r.err()).containsPattern("znodes\\[\\d+\\]\\.data: not a valid record for /config");

    Path newer = dir.resolve("newer.json");
    Files.writeString(newer, text.replace("\"schema\" : " + SchemaVersion.CURRENT, "\"schema\" : "
        + (SchemaVersion.CURRENT + 1)));
    r = cli("store", "restore", newer.toString());
    assertThat(r.rc()).isEqualTo(2);
    assertThat(r.err()).contains("store schema " + (SchemaVersion.CURRENT + 1) + " is newer than this palisade");

    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void aRestoreIsRefusedWhileADaemonRenewsItsLease() throws Exception {
    Path file = dir.resolve("b3.json");
    assertThat(cli("store", "backup", file.toString()).rc()).isZero();
    AtomicBoolean renewing = new AtomicBoolean(true);
    // What a running agent does every R: write its node record again.
    Thread agent = new Thread(() -> {
      try (Admin a = admin()) {
        while (renewing.get()) {
          a.update(StorePaths.node("node1"), NodeRecord.class, r -> r);
          Thread.sleep(300);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    agent.start();
    try (Admin a = admin()) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, c -> c.withResource(new ResourceConfig("vm:102", "node1",
          RequestState.STARTED, null, 0, 1, 1, List.of(), "process", new TreeMap<>(Map.of("command", "x")))));
      Run r = cli("store", "restore", file.toString());
      assertThat(r.rc()).isEqualTo(2);
      assertThat(r.err()).contains("refused: daemons are running (node1").contains("nothing changed");
      assertThat(a.value(StorePaths.CONFIG, ClusterConfig.class).resources()).as("not restored")
          .containsKey("vm:102");
    } finally {
      renewing.set(false);
      agent.join(10_000);
    }
    // Once the daemon is gone, the same restore goes through.
    Run r = cli("store", "restore", file.toString());
    assertThat(r.rc()).as(r.err()).isZero();
    try (Admin a = admin()) {
      assertThat(a.value(StorePaths.CONFIG, ClusterConfig.class).resources()).doesNotContainKey("vm:102");
    }
  }
}
