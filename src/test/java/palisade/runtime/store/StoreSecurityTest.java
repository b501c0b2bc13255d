package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.util.ServiceUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.Command;
import palisade.core.Commands;
import palisade.core.NodeConfig;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;

/**
 * The authenticated store in one JVM: a standalone TLS peer, the cluster's credentials, and clients with and
 * without the right ones. (The same against a real lab cluster, as an unprivileged user: StoreAccessAsNobodyTest.)
 */
class StoreSecurityTest {
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
    Credentials.issueOperator(creds, "victor", Credential.Role.VIEWER, 1);
    int port = 23_000 + (int) (ProcessHandle.current().pid() % 5_000);
    peer = EmbeddedPeer.start(dir.resolve("zk"), 1,
        List.of(new EmbeddedPeer.Member(1, "127.0.2.2", port, port + 1, port + 2)), node, fatal::set);
    connect = "127.0.2.2:" + port;
    // The cluster as a node would seed it.
    try (Admin a = admin("alice")) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, cur -> new ClusterConfig(
          new TreeMap<>(Map.of("node1", new NodeConfig("node1", true, List.of(), 5, false))), new TreeMap<>(),
          new TreeMap<>(), ShutdownPolicy.CONDITIONAL));
    }
  }

  @AfterAll
  static void stop() {
    if (peer != null) peer.close();
  }

  static Admin admin(String operator) throws Exception {
    Admin a = new Admin(connect, "test", Credential.load(Credentials.operatorDir(creds, operator)));
    assertThat(a.connect(15_000)).as("%s connects", operator).isTrue();
    return a;
  }

  @Test
  void everyPalisadeZnodeCarriesTheRoleAcls() throws Exception {
    Credential node = Credential.load(Credentials.nodeDir(creds, "node1"));
    try (CuratorFramework c = ZkStore.newClient(connect, "test", node, b -> b.namespace(null)
        .retryPolicy(new RetryNTimes(3, 200)));
        Admin a = admin("alice")) {
      c.start();
      a.audit("a test event");
      List<String> paths = new ArrayList<>();
      walk(c, "/palisade", paths);
      assertThat(paths).contains("/palisade", "/palisade/test", "/palisade/test/config", "/palisade/test/events");
      assertThat(paths).anyMatch(p -> p.startsWith("/palisade/test/events/e-"));
      for (String p : paths) {
        List<ACL> acl = c.getACL().forPath(p);
        // the notification settings (if another test wrote them) hold secrets: viewers get nothing there
        assertThat(acl).as(p).containsExactlyInAnyOrderElementsOf(p.equals("/palisade/test" + StorePaths.NOTIFY)
            ? StoreAcl.SECRET_ACLS : StoreAcl.ACLS);
      }
    }
  }

  private static void walk(CuratorFramework c, String path, List<String> out) throws Exception {
    out.add(path);
    for (String child : c.getChildren().forPath(path)) walk(c, path + "/" + child, out);
  }

  @Test
  void aViewerReadsButCannotWrite() throws Exception {
    try (Admin viewer = admin("victor")) {
      assertThat(viewer.value(StorePaths.CONFIG, ClusterConfig.class).nodes()).containsKey("node1");
      long before = viewer.read(StorePaths.CONFIG).version();
      assertThatThrownBy(() -> viewer.update(StorePaths.CONFIG, ClusterConfig.class, c -> c))
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> viewer.command(s -> new Command.Maintenance(s, "node1", true)))
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThat(viewer.read(StorePaths.CONFIG).version()).isEqualTo(before);
    }
  }

  @Test
  void theNotificationSettingsAreForMembersAndAdminsOnly() throws Exception {
    NotifySettings secret = new NotifySettings("https://hooks.example/T0k3n", new NotifySettings.Smtp(
        "smtp.example", 587, "pal@lab.example", List.of("ops@lab.example"), "alerts", "pa55word"));
    try (Admin alice = admin("alice"); Admin viewer = admin("victor")) {
      alice.update(StorePaths.NOTIFY, NotifySettings.class, cur -> secret);
      assertThat(alice.value(StorePaths.NOTIFY, NotifySettings.class)).isEqualTo(secret);
      assertThatThrownBy(() -> viewer.read(StorePaths.NOTIFY)).isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> viewer.update(StorePaths.NOTIFY, NotifySettings.class, cur -> NotifySettings.NONE))
          .isInstanceOf(KeeperException.NoAuthException.class);
      // the viewer still reads everything else
      assertThat(viewer.value(StorePaths.CONFIG, ClusterConfig.class)).isNotNull();
      // a node reads them (the daemon holding the manager lease sends)
      Credential node = Credential.load(Credentials.nodeDir(creds, "node1"));
      try (Admin member = new Admin(connect, "test", node)) {
        assertThat(member.connect(15_000)).isTrue();
        assertThat(member.value(StorePaths.NOTIFY, NotifySettings.class)).isEqualTo(secret);
      }
      // the audit names the change, not the secrets
      assertThat(alice.events(null, 100)).anySatisfy(e -> assertThat(e.message())
          .startsWith("wrote /notify (version ").contains("webhook set to https://hooks.example/…")
          .contains("smtp.example:587").doesNotContain("T0k3n").doesNotContain("pa55word"));
    }
  }

  @Test
  void anAdminsChangeIsAuditedWithItsName() throws Exception {
    try (Admin alice = admin("alice")) {
      long seq = alice.command(s -> new Command.Maintenance(s, "node1", false));
      assertThat(alice.events(null, 100)).anySatisfy(e -> {
        assertThat(e.source()).isEqualTo("operator alice (admin) on " + Admin.hostName());
        assertThat(e.message()).isEqualTo("queued command " + seq + ": maintenance off for node1");
      });
    }
  }

  @Test
  void aCredentialOfAnotherClusterCannotConnect() throws Exception {
    Path other = dir.resolve("other");
    Credentials.initCa(other, "test"); // same cluster name, another authority
    Credentials.issueOperator(other, "mallory", Credential.Role.ADMIN, 1);
    try (Admin a = new Admin(connect, "test", Credential.load(Credentials.operatorDir(other, "mallory")))) {
      assertThat(a.connect(4_000)).isFalse();
    }
  }

  @Test
  void aRevokedCredentialCannotConnect() throws Exception {
    Credentials.issueOperator(creds, "rob", Credential.Role.ADMIN, 1);
    try (Admin a = admin("rob")) {
      assertThat(a.read(StorePaths.CONFIG)).isNotNull();
    }
    List<Path> updated = Credentials.revoke(creds, Credentials.operatorDir(creds, "rob"));
    assertThat(updated).containsExactly(Credentials.nodeDir(creds, "node1"));
    try (Admin a = new Admin(connect, "test", Credential.load(Credentials.operatorDir(creds, "rob")))) {
      assertThat(a.connect(4_000)).isFalse();
    }
  }

  @Test
  void aCredentialOthersCanReadIsRefused() throws Exception {
    Path copy = dir.resolve("loose");
    Credentials.issueOperator(creds, "loose", Credential.Role.VIEWER, 1);
    Path id = Credentials.operatorDir(creds, "loose").resolve(Credential.IDENTITY);
    Files.setPosixFilePermissions(id, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> Credential.load(Credentials.operatorDir(creds, "loose")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chmod 600");
    assertThat(copy).doesNotExist();
  }

  @Test
  void theCommandQueueRefusesInsteadOfDropping() throws Exception {
    // A cluster of its own (namespace), so that the full queue troubles no other test.
    try (Admin alice = new Admin(connect, "queue", Credential.load(Credentials.operatorDir(creds, "alice")))) {
      assertThat(alice.connect(15_000)).isTrue();
      // No manager runs here: nothing is ever applied, so the queue fills up.
      Commands cur = alice.value(StorePaths.COMMANDS, Commands.class);
      int queued = cur == null ? 0 : cur.pending().size();
      for (int i = queued; i < Commands.KEEP_MAX; i++) alice.command(s -> new Command.Maintenance(s, "node1", true));
      Commands full = alice.value(StorePaths.COMMANDS, Commands.class);
      assertThat(full.pending()).hasSize(Commands.KEEP_MAX);
      long version = alice.read(StorePaths.COMMANDS).version();
      assertThatThrownBy(() -> alice.command(s -> new Command.Maintenance(s, "node1", false)))
          .isInstanceOf(Commands.Full.class).hasMessageContaining("command queue is full")
          .hasMessageContaining("nothing was queued");
      assertThat(alice.read(StorePaths.COMMANDS).version()).isEqualTo(version);
      assertThat(alice.value(StorePaths.COMMANDS, Commands.class)).isEqualTo(full);
      // The first command is still there: none was dropped to make room.
      assertThat(full.pending().get(0).seq()).isEqualTo(1);
    }
  }

  @Test
  void fourLetterWordsNeedACredentialToo() throws Exception {
    String host = connect.substring(0, connect.indexOf(':'));
    int port = Integer.parseInt(connect.substring(connect.indexOf(':') + 1));
    assertThat(EmbeddedPeer.mode(host, port, Credential.load(Credentials.operatorDir(creds, "victor"))))
        .isEqualTo("standalone");
    // Plain text: the TLS port answers nothing.
    try (java.net.Socket s = new java.net.Socket(host, port)) {
      s.setSoTimeout(3_000);
      s.getOutputStream().write("srvr".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] answer;
      try {
        answer = s.getInputStream().readAllBytes();
      } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
        answer = new byte[0];
      }
      assertThat(new String(answer, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("Mode");
    }
  }

  @Test
  void aFatalPeerErrorReachesTheOwner() {
    // What ZooKeeper calls when it gives up (e.g. it cannot write its transaction log): no longer only a log line.
    ServiceUtils.requestSystemExit(14);
    assertThat(fatal.get()).isEqualTo(14);
  }
}
