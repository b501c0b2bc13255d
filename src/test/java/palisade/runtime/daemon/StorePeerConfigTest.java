package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import palisade.core.ConfigException;
import palisade.runtime.store.EmbeddedPeer;

/** store.peer (a standby peer beyond the first store.peers) and store.reconfig, parsed and refused by key. */
class StorePeerConfigTest {
  static final String NODES = """
      nodes:
        - {name: node1, address: 10.0.0.1}
        - {name: node2, address: 10.0.0.2}
        - {name: node3, address: 10.0.0.3}
        - {name: node4, address: 10.0.0.4}
        - {name: node5, address: 10.0.0.5}
      """;

  static DaemonConfig parse(String node, String store) {
    return DaemonConfig.parse("cluster: prod\nnode: " + node + "\nstore:\n" + store + NODES, Path.of("/var/lib/x"));
  }

  @Test
  void aStandbyNodeRunsAPeerThatStartsWithTheVotersAndItself() {
    DaemonConfig c = parse("node4", "  peers: 3\n  peer: yes\n");
    assertThat(c.runsPeer()).isTrue();
    assertThat(c.standbyPeer()).isTrue();
    assertThat(c.storeReconfig()).as("on by default").isTrue();
    assertThat(PeerHosting.members(c)).extracting(EmbeddedPeer.Member::id).containsExactly(1, 2, 3, 4);
    assertThat(c.connectString()).as("its own peer").isEqualTo("10.0.0.4:2181");
    DaemonConfig five = parse("node5", "  peers: 3\n");
    assertThat(five.runsPeer()).as("no store.peer: a client only").isFalse();
    assertThat(parse("node1", "  peers: 3\n").standbyPeer()).isFalse();
    assertThat(PeerHosting.members(parse("node1", "  peers: 3\n"))).hasSize(3);
  }

  @Test
  void badPeerKeysAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> parse("node2", "  peers: 3\n  peer: yes\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.peer: node2 is among the first store.peers");
    assertThatThrownBy(() -> parse("node4", "  connect: 10.0.0.9:2181\n  peer: yes\n"))
        .hasMessageContaining("store.peer: not allowed together with store.connect");
    assertThatThrownBy(() -> parse("node4", "  peers: 3\n  peer: yes\n  reconfig: no\n"))
        .hasMessageContaining("store.peer: yes needs dynamic reconfiguration");
    assertThatThrownBy(() -> parse("node4", "  peers: 3\n  peer: maybe\n"))
        .hasMessageContaining("store.peer: must be yes or no");
    assertThatThrownBy(() -> parse("node1", "  connect: 10.0.0.9:2181\n  reconfig: yes\n"))
        .hasMessageContaining("store.reconfig: not allowed together with store.connect");
    assertThat(parse("node1", "  peers: 3\n  reconfig: no\n").storeReconfig()).isFalse();
  }
}
