package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the CLI finds its cluster, without a store: each of address, name and credential from the flag, else the
 * environment, else the node's configuration file, else the lab; bad files are refused naming the file and the key.
 */
class StoreOptionsTest {
  @TempDir
  Path dir;

  /** A node configuration of cluster "prod" with three embedded peers and an operator credential for the CLI. */
  private Path nodeYaml(String extra) throws Exception {
    return Files.writeString(dir.resolve("palisade.yaml"), """
        cluster: prod
        node: node2
        store:
          credential: /etc/palisade/node-credential
        watchdog:
          driver: process
        nodes:
          - name: node1
            address: 10.0.0.1
          - name: node2
            address: 10.0.0.2
          - name: node3
            address: 10.0.0.3
            client_port: 2281
        """ + extra);
  }

  private static StoreOptions options(Map<String, String> env) {
    StoreOptions o = new StoreOptions();
    o.env = env::get;
    o.dir = Path.of("/nonexistent/lab"); // never the lab of whoever runs the test
    return o;
  }

  @Test
  void theNodeFileGivesAllPeersTheClusterAndTheCliCredential() throws Exception {
    Path yaml = nodeYaml("cli:\n  credential: /etc/palisade/operators/alice\n");
    StoreOptions o = options(Map.of());
    o.config = yaml;
    StoreOptions.Target t = o.target();
    assertThat(t.connectString()).as("every peer, not only the node's own").isEqualTo(
        "10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2281");
    assertThat(t.cluster()).isEqualTo("prod");
    assertThat(t.credential()).isEqualTo(Path.of("/etc/palisade/operators/alice"));
    assertThat(t.credentialFrom()).isEqualTo(yaml + ": cli.credential");
  }

  @Test
  void withoutCliCredentialTheNodesOwnIsUsed() throws Exception {
    StoreOptions o = options(Map.of("PALISADE_CONFIG", nodeYaml("").toString()));
    assertThat(o.target().credential()).isEqualTo(Path.of("/etc/palisade/node-credential"));
    assertThat(o.target().credentialFrom()).endsWith(": store.credential");
  }

  @Test
  void flagsBeatTheEnvironmentWhichBeatsTheFile() throws Exception {
    Path yaml = nodeYaml("");
    StoreOptions env = options(Map.of("PALISADE_CONFIG", yaml.toString(), "PALISADE_STORE", "zk:2181",
        "PALISADE_CLUSTER", "staging", "PALISADE_CREDENTIAL", "/home/alice/cred"));
    assertThat(env.target()).isEqualTo(new StoreOptions.Target("zk:2181", "staging", Path.of("/home/alice/cred"),
        "$PALISADE_CREDENTIAL"));

    StoreOptions flags = options(Map.of("PALISADE_CONFIG", yaml.toString(), "PALISADE_STORE", "zk:2181",
        "PALISADE_CLUSTER", "staging"));
    flags.store = "10.9.9.9:2181";
    flags.cluster = "other";
    flags.credential = Path.of("/tmp/c");
    assertThat(flags.target()).isEqualTo(new StoreOptions.Target("10.9.9.9:2181", "other", Path.of("/tmp/c"),
        "--credential"));

    StoreOptions mixed = options(Map.of("PALISADE_STORE", "zk:2181"));
    mixed.config = yaml;
    assertThat(mixed.target().connectString()).isEqualTo("zk:2181");
    assertThat(mixed.target().cluster()).as("what no flag or variable gives comes from the file").isEqualTo("prod");
  }

  @Test
  void aBadFileIsRefusedNamingTheFileAndTheKey() throws Exception {
    StoreOptions typo = options(Map.of());
    typo.config = nodeYaml("cli:\n  credentail: /x\n");
    assertThatThrownBy(typo::target).isInstanceOf(CliError.class).hasMessage(typo.config
        + ": cli.credentail: unknown key (allowed: credential)");

    StoreOptions absent = options(Map.of("PALISADE_CONFIG", dir.resolve("absent.yaml").toString()));
    assertThatThrownBy(absent::target).isInstanceOf(CliError.class).hasMessageStartingWith(
        dir.resolve("absent.yaml").toString());

    StoreOptions noCredential = options(Map.of());
    noCredential.config = nodeYaml("cli:\n  credential: " + dir.resolve("nothing-here") + "\n");
    assertThatThrownBy(noCredential::credential).isInstanceOf(CliError.class).hasMessageStartingWith(
        noCredential.config + ": cli.credential: ");
  }

  @Test
  void withNothingAtAllTheLabIsNamedInTheError() {
    StoreOptions o = options(Map.of());
    assertThatThrownBy(o::target).isInstanceOf(CliError.class).hasMessageContaining("/nonexistent/lab")
        .hasMessageContaining("--store, --config FILE, or /etc/palisade/palisade.yaml");
  }
}
