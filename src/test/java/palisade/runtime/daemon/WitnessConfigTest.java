package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfigException;
import palisade.runtime.store.EmbeddedPeer;

/** Two nodes and a witness: the nodes' store section with store.witness, and the witness's own file. */
class WitnessConfigTest {
  static final String NODES = """
      nodes:
        - {name: node1, address: 10.0.0.1}
        - {name: node2, address: 10.0.0.2, client_port: 2281}
      """;
  static final String WITNESS = "  witness: {name: witness, address: 10.0.0.9, election_port: 3999}\n";

  @TempDir
  Path dir;

  @Test
  void everyNodeRunsAPeerAndTheWitnessIsTheThird() {
    DaemonConfig c = DaemonConfigTest.parse("cluster: c\nnode: node2\nstore:\n" + WITNESS + NODES);
    assertThat(c.peers()).isEqualTo(3);
    assertThat(c.runsPeer()).isTrue();
    assertThat(c.peerMembers()).extracting(DaemonConfig.Node::name).containsExactly("node1", "node2", "witness");
    assertThat(c.peerMembers().get(2).electionPort()).isEqualTo(3999);
    assertThat(c.nodes()).extracting(DaemonConfig.Node::name).as("the witness is no node")
        .containsExactly("node1", "node2");
    assertThat(c.connectString()).isEqualTo("10.0.0.2:2281");
  }

  @Test
  void aWitnessIsRefusedWhereItMakesNoQuorum() {
    assertThatThrownBy(() -> DaemonConfigTest.parse("cluster: c\nnode: node1\nstore:\n" + WITNESS
        + "nodes:\n  - {name: node1, address: a}\n  - {name: node2, address: b}\n  - {name: node3, address: c}\n"))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("store.witness: a witness makes an odd quorum");
    assertThatThrownBy(() -> DaemonConfigTest.parse("cluster: c\nnode: node1\nstore:\n  peers: 1\n" + WITNESS
        + NODES)).hasMessageStartingWith("store.witness: not allowed together with store.peers");
    assertThatThrownBy(() -> DaemonConfigTest.parse("cluster: c\nnode: node1\nstore:\n  witness: {name: node2, "
        + "address: x}\n" + NODES)).hasMessageStartingWith("store.witness.name: 'node2' is a node's name");
    assertThatThrownBy(() -> DaemonConfigTest.parse("cluster: c\nnode: node1\nstore:\n  witness: {name: w}\n"
        + NODES)).hasMessageContaining("store.witness").hasMessageContaining("address");
    assertThatThrownBy(() -> DaemonConfigTest.parse("cluster: c\nnode: node1\nstore:\n  witness: {name: w, "
        + "address: x, port: 1}\n" + NODES)).hasMessageStartingWith("store.witness.port: unknown key");
  }

  private WitnessConfig load(String yaml) throws Exception {
    Path f = dir.resolve("witness.yaml");
    Files.writeString(f, yaml);
    return WitnessConfig.load(f);
  }

  @Test
  void theWitnessFileNamesItselfAndDialsTheNodes() throws Exception {
    WitnessConfig w = load("cluster: prod\nnode: witness\nstore:\n  credential: cred\n" + WITNESS + NODES);
    assertThat(w.id()).isEqualTo(3);
    assertThat(w.members()).containsExactly(new EmbeddedPeer.Member(1, "10.0.0.1", 2181, 2888, 3888),
        new EmbeddedPeer.Member(2, "10.0.0.2", 2281, 2888, 3888),
        new EmbeddedPeer.Member(3, "10.0.0.9", 2181, 2888, 3999));
    assertThat(w.credential()).isEqualTo(dir.resolve("cred"));
    assertThat(w.dataDir()).isEqualTo(dir.resolve("data"));
  }

  @Test
  void aWitnessFileWithWhatAWitnessDoesNotDoIsRefusedNamingFileAndKey() {
    Path f = dir.resolve("witness.yaml");
    assertThatThrownBy(() -> load("cluster: prod\nnode: witness\nwatchdog: {driver: linux}\nstore:\n" + WITNESS
        + NODES)).hasMessageStartingWith(f + ": watchdog: not used by a witness");
    assertThatThrownBy(() -> load("cluster: prod\nnode: node1\nstore:\n" + WITNESS + NODES))
        .hasMessageStartingWith(f + ": node: 'node1' is not the witness store.witness.name 'witness'");
    assertThatThrownBy(() -> load("cluster: prod\nnode: witness\n" + NODES))
        .hasMessageStartingWith(f + ": store.witness: required for a witness");
  }
}
