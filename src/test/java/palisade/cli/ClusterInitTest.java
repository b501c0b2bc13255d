package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.store.Credential;

/**
 * `palisade cluster init` and `join`, in-process with temp dirs: init on one host and two joins give three
 * configurations the daemon accepts, with private credentials; bad input names the argument and writes nothing.
 */
class ClusterInitTest {
  @TempDir
  Path tmp;

  record Run(int exit, String out, String err) {}

  static Run cli(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = PalisadeCommand.execute(args);
      return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** The arguments of an init of node1..node3 on 127.0.1.x, node1's files under tmp/node1. */
  List<String> initArgs(String... more) {
    List<String> a = new ArrayList<>(List.of("cluster", "init", "--name", "prod", "--node", "node1=127.0.1.1",
        "--node", "node2=127.0.1.2", "--node", "node3=127.0.1.3", "--config", tmp.resolve("node1/palisade.yaml")
            .toString(), "--credentials", tmp.resolve("creds").toString(), "--data-dir",
        tmp.resolve("node1/data").toString()));
    a.addAll(List.of(more));
    return a;
  }

  Run join(String node) {
    return cli("cluster", "join", tmp.resolve("creds/join/" + node).toString(), "--config",
        tmp.resolve(node + "/palisade.yaml").toString(), "--data-dir", tmp.resolve(node + "/data").toString());
  }

  @Test
  void initAndTwoJoinsGiveThreeConfigurationsTheDaemonAccepts() throws Exception {
    Run init = cli(initArgs("--watchdog", "process").toArray(String[]::new));
    assertThat(init.exit()).as(init.err()).isZero();
    assertThat(init.out()).contains("store peers on node1, node2, node3 (127.0.1.1:2181,127.0.1.2:2181,127.0.1.3:2181)")
        .contains("palisade cluster join").contains("systemctl enable --now palisade-process-watchdog (after "
            + "`systemctl edit --full palisade-process-watchdog`: its --socket must be "
            + tmp.resolve("node1/data/watchdog.sock") + ")");
    assertThat(join("node2").exit()).isZero();
    Run j3 = join("node3");
    assertThat(j3.exit()).as(j3.err()).isZero();
    assertThat(j3.out()).contains("node3 joined cluster prod");

    for (String n : List.of("node1", "node2", "node3")) {
      Path yaml = tmp.resolve(n + "/palisade.yaml");
      DaemonConfig dc = DaemonConfig.load(yaml);
      assertThat(dc.cluster()).isEqualTo("prod");
      assertThat(dc.node()).isEqualTo(n);
      assertThat(dc.nodes()).extracting(DaemonConfig.Node::name).containsExactly("node1", "node2", "node3");
      assertThat(dc.peers()).isEqualTo(3);
      assertThat(dc.runsPeer()).isTrue();
      assertThat(dc.watchdogDriver()).isEqualTo("process");
      assertThat(dc.watchdogSocket()).isEqualTo(tmp.resolve(n + "/data/watchdog.sock"));
      assertThat(dc.dataDir()).isEqualTo(tmp.resolve(n + "/data"));
      assertThat(dc.http().apiTokensFile()).isEqualTo(tmp.resolve(n + "/api-tokens"));
      // the credential next to the file is this node's, and the admin credential the hosts' CLI uses
      Credential member = Credential.load(dc.storeCredential());
      assertThat(member.name()).isEqualTo(n);
      assertThat(member.role()).isEqualTo(Credential.Role.MEMBER);
      assertThat(member.alternativeNames()).contains(dc.self().address());
      assertThat(Credential.load(tmp.resolve(n + "/operator")).role()).isEqualTo(Credential.Role.ADMIN);
      assertThat(mode(yaml)).isEqualTo("rw-------");
      assertThat(mode(tmp.resolve(n + "/credential"))).isEqualTo("rwx------");
      assertThat(mode(tmp.resolve(n + "/credential/identity.pem"))).isEqualTo("rw-------");
      assertThat(mode(dc.dataDir())).isEqualTo("rwx------");
    }
    // one cluster: the three members share their authority
    assertThat(Files.readString(tmp.resolve("node2/credential/ca.pem")))
        .isEqualTo(Files.readString(tmp.resolve("node3/credential/ca.pem")));
    // the API's hash file holds the hash of the admin token init wrote, and no token
    String token = Files.readString(tmp.resolve("creds/api-admin.token")).strip();
    assertThat(Files.readString(tmp.resolve("node2/api-tokens"))).contains("admin admin "
        + ClusterBundle.sha256Hex(token)).doesNotContain(token);
  }

  @Test
  void aLinuxWatchdogClusterUsesTheDeviceAndThePlainUnitAndLibvirtOverSsh() throws Exception {
    Run init = cli(initArgs("--libvirt", "ssh").toArray(String[]::new));
    assertThat(init.exit()).as(init.err()).isZero();
    assertThat(init.out()).contains("systemctl enable --now palisade ");
    assertThat(join("node2").exit()).isZero();
    DaemonConfig dc = DaemonConfig.load(tmp.resolve("node2/palisade.yaml"));
    assertThat(dc.watchdogDriver()).isEqualTo("linux");
    assertThat(dc.watchdogDevice()).isEqualTo(Path.of("/dev/watchdog"));
    // its own hypervisor locally, the others' over ssh (where its libvirtd sends a live migration)
    assertThat(dc.nodes()).extracting(DaemonConfig.Node::libvirtUri).containsExactly("qemu+ssh://127.0.1.1/system",
        "qemu:///system", "qemu+ssh://127.0.1.3/system");
  }

  @Test
  void badInitArgumentsAreNamedAndWriteNothing() throws Exception {
    assertRefused(List.of("--node", "node2=127.0.1.9"), "--node: 'node2' is named twice");
    assertRefused(List.of("--node", "node4=127.0.1.2"), "--node: address '127.0.1.2' is given twice");
    assertRefused(List.of("--node", "node4"), "--node: 'node4' is not NAME=ADDRESS");
    assertRefused(List.of("--node", "Node4=10.0.0.4"), "--node: 'Node4' is not a node name");
    assertRefused(List.of("--node", "node4=10.0.0.400"), "'10.0.0.400' is neither an IPv4 address nor a host name");
    assertRefused(List.of("--self", "node9"), "--self: 'node9' is not one of the --node names");
    assertRefused(List.of("--watchdog", "none"), "--watchdog: 'none' is not linux");
    assertRefused(List.of("--peer-port", "2181"), "must be four different ports");
    assertRefused(List.of("--http-port", "70000"), "--http-port: 70000 is not a port");
    assertRefused(List.of("--operator", "Alice"), "--operator: 'Alice' is not a name");
    assertRefused(List.of("--libvirt", "rsh"), "--libvirt: 'rsh' is not none, ssh");
    List<String> relative = initArgs();
    relative.set(relative.indexOf("--data-dir") + 1, "data");
    Run r = cli(relative.toArray(String[]::new));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--data-dir: 'data' must be an absolute path");
    assertThat(listing()).isEmpty();
  }

  @Test
  void initRefusesAnInitialisedPlaceAndJoinAConfiguredHost() throws Exception {
    assertThat(cli(initArgs().toArray(String[]::new)).exit()).isZero();
    List<String> before = listing();
    Run again = cli(initArgs().toArray(String[]::new));
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).contains("--credentials: " + tmp.resolve("creds") + " is not empty");
    assertThat(join("node2").exit()).isZero();
    before = listing();
    Run twice = join("node2");
    assertThat(twice.exit()).isEqualTo(2);
    assertThat(twice.err()).contains("--config: " + tmp.resolve("node2/palisade.yaml") + " exists already");
    assertThat(listing()).isEqualTo(before);
  }

  @Test
  void aBadBundleIsRefusedAndNothingIsWritten() throws Exception {
    assertThat(cli(initArgs().toArray(String[]::new)).exit()).isZero();
    List<String> before = listing();
    Run missing = cli("cluster", "join", tmp.resolve("nowhere").toString(), "--config",
        tmp.resolve("node2/palisade.yaml").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("BUNDLE: " + tmp.resolve("nowhere") + " is not a directory");
    // node3's credential in node2's bundle: refused, the bundle does not hang together
    Path b2 = tmp.resolve("creds/join/node2");
    for (String f : List.of("identity.pem", "ca.pem", "clients-ca.pem", "revoked")) {
      Files.copy(tmp.resolve("creds/join/node3/credential/" + f), b2.resolve("credential/" + f),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    before = listing();
    Run mixed = join("node2");
    assertThat(mixed.exit()).isEqualTo(2);
    assertThat(mixed.err()).contains("its credential (node3), its YAML (node node2 of prod)");
    Files.delete(b2.resolve("plan.json"));
    Run noPlan = join("node2");
    assertThat(noPlan.exit()).isEqualTo(2);
    assertThat(noPlan.err()).contains("has no plan.json");
    assertThat(listing()).hasSize(before.size() - 1); // only the file this test removed
    assertThat(tmp.resolve("node2")).doesNotExist();
  }

  /** The package's commented sample is a configuration the daemon's parser accepts as it is. */
  @Test
  void thePackagedSampleParses() {
    DaemonConfig dc = DaemonConfig.load(Path.of("packaging/palisade.yaml.sample"));
    assertThat(dc.cluster()).isEqualTo("prod");
    assertThat(dc.node()).isEqualTo("node1");
    assertThat(dc.nodes()).extracting(DaemonConfig.Node::name).containsExactly("node1", "node2", "node3");
    assertThat(dc.peers()).isEqualTo(3);
    assertThat(dc.watchdogDriver()).isEqualTo("linux");
    assertThat(dc.fenceDevices()).containsOnlyKeys("ipmi-node1", "ipmi-node2", "ipmi-node3");
    assertThat(dc.nodes()).allSatisfy(n -> assertThat(n.fenceLevels()).hasSize(1));
    assertThat(dc.dataDir()).isEqualTo(Path.of("/var/lib/palisade"));
    assertThat(dc.storeCredential()).isEqualTo(Path.of("packaging/credential").toAbsolutePath());
  }

  @Test
  void theLoopbackClustersOldSubcommandsPointToLab() {
    Run up = cli("cluster", "up", "--nodes", "3", "--dir", tmp.resolve("lab").toString());
    assertThat(up.exit()).isEqualTo(2);
    assertThat(up.err()).contains("`palisade cluster up` is now `palisade lab up`");
    assertThat(tmp.resolve("lab")).doesNotExist();
    Run other = cli("cluster", "frobnicate");
    assertThat(other.exit()).isEqualTo(2);
    assertThat(other.err()).contains("unknown subcommand 'frobnicate' (init, join, disarm or arm)");
  }

  private void assertRefused(List<String> more, String message) throws IOException {
    Run r = cli(initArgs(more.toArray(String[]::new)).toArray(String[]::new));
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains(message);
    assertThat(listing()).as("nothing written").isEmpty();
  }

  private List<String> listing() throws IOException {
    try (Stream<Path> all = Files.walk(tmp)) {
      return all.filter(p -> !p.equals(tmp)).map(p -> tmp.relativize(p).toString()).sorted().toList();
    }
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
