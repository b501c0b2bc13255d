package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.lab.LocalCluster;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;

/**
 * Issue 9's reproduction, which once ran a command as root: an unprivileged local user ({@code nobody}) against a
 * real 3-node lab cluster, with a plain ZooKeeper client and with the palisade CLI, as separate processes. Without a
 * credential nothing can be read or written (the store speaks TLS only and wants a certificate of the cluster's
 * authorities; the lab's own credentials are root's, 0600); a viewer credential reads but cannot write; an admin
 * credential can do both, and its changes are audited under its name.
 */
@Tag("cluster")
class StoreAccessAsNobodyTest {
  static final Map<String, String> TIMING = ClusterCliTest.TIMING;
  static final Duration RUN_MAX = Duration.ofSeconds(90);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private Path shared;
  private LocalCluster cluster;
  private Admin admin;

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (admin != null) admin.close();
    } finally {
      try {
        if (cluster != null) cluster.down();
      } finally {
        if (shared != null) {
          try (var all = Files.walk(shared)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  record Run(int rc, String out) {}

  /** Runs java MAIN ARGS as nobody (its own class path copy: root's Maven repository is closed to it). */
  private Run asNobody(List<String> jvmOptions, String main, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("runuser", "-u", "nobody", "--",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1"));
    argv.addAll(jvmOptions);
    argv.addAll(List.of("-cp", shared.resolve("lib") + "/*" + File.pathSeparator + shared.resolve("classes"), main));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).directory(shared.toFile()).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(RUN_MAX.toSeconds(), TimeUnit.SECONDS)).isTrue();
    Run r = new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    System.out.printf("nobody$ %s %s -> %d%n%s%n", main.substring(main.lastIndexOf('.') + 1), String.join(" ", args),
        r.rc(), r.out().strip().lines().filter(l -> !l.startsWith("\t")).limit(6).reduce("", (a, b) -> a + "  " + b
            + "\n"));
    return r;
  }

  private Run cli(String... args) throws Exception {
    return asNobody(List.of(), "palisade.Main", args);
  }

  /** The plain ZooKeeper client, with TLS and a credential's files when one is given. */
  private Run zk(Path credential, String op, String path) throws Exception {
    List<String> opts = new ArrayList<>();
    if (credential != null) {
      opts.addAll(List.of("-Dzookeeper.client.secure=true",
          "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
          "-Dzookeeper.ssl.keyStore.location=" + credential.resolve(Credential.IDENTITY),
          "-Dzookeeper.ssl.keyStore.type=PEM",
          "-Dzookeeper.ssl.trustStore.location=" + credential.resolve(Credential.SERVER_CA),
          "-Dzookeeper.ssl.trustStore.type=PEM", "-Dzookeeper.ssl.hostnameVerification=false"));
    }
    return asNobody(opts, ZkShell.class.getName(), cluster.layout().address(1) + ":" + cluster.layout().clientPort(),
        op, path);
  }

  /**
   * Whether a quorum port keeps a TLS connection made with this credential open: a refused client certificate ends
   * it at once (an alert, or end of stream); an accepted one waits for the peer protocol until our read times out.
   */
  private static boolean quorumAccepts(String host, int port, Credential credential) throws IOException {
    try (SSLSocket s = (SSLSocket) credential.sslContext().getSocketFactory().createSocket()) {
      s.connect(new InetSocketAddress(host, port), 2_000);
      s.setSoTimeout(1_500);
      try {
        s.startHandshake();
        return s.getInputStream().read() != -1;
      } catch (SocketTimeoutException e) {
        return true;
      } catch (SSLException | SocketException e) {
        return false;
      }
    }
  }

  /** A copy of the class path nobody can read, and a place for the credentials handed to nobody. */
  private void shareClassPath() throws IOException {
    shared = Files.createTempDirectory("palisade-nobody-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Path lib = Files.createDirectories(shared.resolve("lib"));
    Path classes = Files.createDirectories(shared.resolve("classes"));
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    for (String e : cp.split(File.pathSeparator)) {
      Path p = Path.of(e);
      if (Files.isDirectory(p)) {
        try (var all = Files.walk(p)) {
          for (Path f : all.toList()) {
            Path to = classes.resolve(p.relativize(f).toString());
            if (Files.isDirectory(f)) Files.createDirectories(to);
            else if (!Files.exists(to)) Files.copy(f, to);
          }
        }
      } else if (e.endsWith(".jar") && Files.exists(p)) {
        Files.copy(p, lib.resolve(p.getFileName()));
      }
    }
    try (var all = Files.walk(shared)) {
      for (Path f : all.toList()) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x"
            : "rw-r--r--"));
      }
    }
  }

  /** Hands a credential to nobody: a copy that nobody owns, 0700/0600 as the CLI requires. */
  private Path giveToNobody(Path credential, String name) throws IOException {
    Path to = Files.createDirectories(shared.resolve(name));
    UserPrincipal nobody = to.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    try (var files = Files.list(credential)) {
      for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
    }
    try (var all = Files.walk(to)) {
      for (Path f : all.toList()) Files.setOwner(f, nobody);
    }
    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
    return to;
  }

  @Test
  void withoutACredentialNobodyCanNeitherReadNorWriteAndARoleLimitsWhatACredentialCanDo() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "runs nobody's processes: needs root");
    cluster = LocalCluster.create(dir.resolve("c"), 3, TIMING);
    cluster.attachNetwork();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> admin.read(StorePaths.CONFIG) != null);
    shareClassPath();
    String store = cluster.connectString();
    Path marker = dir.resolve("pwned");
    String attack = "command=touch " + marker;

    // ---- no credential -------------------------------------------------------------------------------------------
    Run plainGet = zk(null, "get", "/palisade/local/config");
    assertThat(plainGet.rc()).isEqualTo(3);
    assertThat(plainGet.out()).doesNotContain("node1");
    Run plainSet = zk(null, "set", "/palisade/local/config");
    assertThat(plainSet.rc()).isEqualTo(3);

    // The exact reproduction of the issue: it must be refused before anything reaches the store.
    Run add = cli("resource", "add", "vm:666", "--node", "node1", "--option", attack, "--store", store);
    assertThat(add.rc()).isEqualTo(2);
    assertThat(add.out()).contains("authenticated clients only", "--credential").doesNotContain("Exception");
    // ... with the lab's own directory, whose credentials are root's.
    Run viaLab = cli("resource", "add", "vm:666", "--node", "node1", "--option", attack, "--dir",
        cluster.dir().toString());
    assertThat(viaLab.rc()).isEqualTo(2);
    Run stolen = cli("status", "--store", store, "--credential",
        LocalCluster.adminCredentialDir(cluster.dir()).toString());
    assertThat(stolen.rc()).isEqualTo(2);
    assertThat(stolen.out()).contains("permission denied").doesNotContain("vm:");
    Run confirm = cli("fence", "confirm", "node2", "--store", store);
    assertThat(confirm.rc()).isEqualTo(2);

    // ---- a viewer: reads, cannot write ---------------------------------------------------------------------------
    Path viewer = giveToNobody(Credentials.issueOperator(cluster.credentialsDir(), "victor", Credential.Role.VIEWER,
        1), "victor");
    // A new cluster's /config is in store layout 2: node1's settings are an entry znode below its head.
    Run viewerGet = zk(viewer, "get", "/palisade/local" + palisade.runtime.store.Layout2.entryPath("/config",
        "nodes", "node1"));
    assertThat(viewerGet.rc()).isZero();
    assertThat(viewerGet.out()).contains("node1");
    Run viewerSet = zk(viewer, "set", "/palisade/local/config");
    assertThat(viewerSet.rc()).isEqualTo(4);
    assertThat(viewerSet.out()).contains("REFUSED NOAUTH");
    Run viewerStatus = cli("status", "--store", store, "--credential", viewer.toString());
    assertThat(viewerStatus.rc()).isZero();
    assertThat(viewerStatus.out()).contains("node1");
    Run viewerAdd = cli("resource", "add", "vm:666", "--node", "node1", "--option", attack, "--store", store,
        "--credential", viewer.toString());
    assertThat(viewerAdd.rc()).isEqualTo(2);
    assertThat(viewerAdd.out()).contains("the store refused").doesNotContain("Exception");

    // ---- an admin: reads and writes, audited under its name ------------------------------------------------------
    Path ada = giveToNobody(Credentials.issueOperator(cluster.credentialsDir(), "ada", Credential.Role.ADMIN, 1),
        "ada");
    Run adaSet = zk(ada, "set", "/palisade/local/config");
    assertThat(adaSet.rc()).isZero();
    Run adaAdd = cli("resource", "add", "vm:667", "--node", "node1", "--state", "stopped", "--option", "command=true",
        "--store", store, "--credential", ada.toString());
    assertThat(adaAdd.rc()).isZero();
    assertThat(admin.value(StorePaths.CONFIG, ClusterConfig.class).resources()).containsKey("vm:667");
    assertThat(admin.events(null, 2_000)).anySatisfy(e -> {
      assertThat(e.source()).startsWith("operator ada (admin) on ");
      assertThat(e.message()).contains("resources added [vm:667]").doesNotContain("command=");
    });
    assertThat(cli("resource", "remove", "vm:667", "--store", store, "--credential", ada.toString()).rc()).isZero();

    // Whatever was tried, the attack's resource never reached the configuration, and root never ran its command.
    assertThat(admin.value(StorePaths.CONFIG, ClusterConfig.class).resources()).doesNotContainKey("vm:666");
    assertThat(marker).doesNotExist();

    // The quorum ports trust node certificates only: an operator's certificate cannot pose as a peer.
    String host = cluster.layout().address(1);
    int election = cluster.layout().electionPort();
    assertThat(quorumAccepts(host, election, Credential.load(LocalCluster.adminCredentialDir(cluster.dir()))))
        .as("an admin credential on the election port").isFalse();
    assertThat(quorumAccepts(host, election, Credential.load(Credentials.nodeDir(cluster.credentialsDir(), "node2"))))
        .as("a node credential on the election port").isTrue();

    // The same data on disk (ZooKeeper's snapshots and logs hold the commands): closed to everybody but root.
    for (String n : cluster.nodeNames()) {
      Path data = cluster.dir().resolve(n).resolve("data");
      List<Path> all;
      try (var walk = Files.walk(data)) {
        all = walk.toList();
      }
      assertThat(all).anyMatch(f -> f.getFileName().toString().startsWith("snapshot.")
          || f.getFileName().toString().startsWith("log."));
      for (Path f : all) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
        assertThat(mode.substring(3)).as("mode of %s", f).isEqualTo("------");
        if (Files.isDirectory(f)) assertThat(mode).as("mode of %s", f).isEqualTo("rwx------");
      }
    }
  }
}
