package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import palisade.core.ConfigException;

class DaemonConfigTest {
  static final String NODES = """
      nodes:
        - {name: node1, address: 127.0.1.1, client_port: 2181}
        - {name: node2, address: 127.0.1.2}
        - {name: node3, address: 127.0.1.3}
      """;

  static DaemonConfig parse(String yaml) {
    return DaemonConfig.parse(yaml, Path.of("/var/lib/x"));
  }

  @Test
  void minimalConfigGetsDefaults() {
    DaemonConfig c = parse("cluster: prod\nnode: node2\n" + NODES);
    assertThat(c.peers()).isEqualTo(3);
    assertThat(c.runsPeer()).isTrue();
    assertThat(c.connectString()).isEqualTo("127.0.1.2:2181");
    assertThat(c.watchdogDriver()).isEqualTo("linux");
    assertThat(c.timing().leaseMs()).isEqualTo(8_000);
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/x/data"));
    assertThat(c.idOf("node3")).isEqualTo(3);
  }

  @Test
  void externalEnsembleMeansNoPeer() {
    DaemonConfig c = parse("cluster: prod\nnode: node1\nstore: {connect: 'zk1:2181,zk2:2181'}\n" + NODES);
    assertThat(c.runsPeer()).isFalse();
    assertThat(c.connectString()).isEqualTo("zk1:2181,zk2:2181");
  }

  @Test
  void errorsNameTheKeyAndTheReason() {
    assertThatThrownBy(() -> parse("node: node1\n" + NODES)).isInstanceOf(ConfigException.class)
        .hasMessage("cluster: is required");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node9\n" + NODES)).hasMessageStartingWith("node: 'node9'");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nwatchdgo: {}\n" + NODES))
        .hasMessageStartingWith("watchdgo: unknown key");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nwatchdog: {driver: none}\n" + NODES))
        .hasMessageStartingWith("watchdog.driver: 'none' is only allowed for a node with a fence device");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\ntiming: {lease_timeout: 5s}\n" + NODES))
        .hasMessageContaining("timing: lease_timeout=5s breaks the safety inequality");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\ntiming: {tick: 1 second}\n" + NODES))
        .hasMessageStartingWith("timing.tick: '1 second' is not a duration");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: a, peer_port: 0}\n"))
        .hasMessageStartingWith("nodes[0].peer_port: '0' is not a port");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nstore: {peers: 5}\n" + NODES))
        .hasMessageStartingWith("store.peers: 5 peers need at least 5 nodes");
  }

  @Test
  void noneIsAcceptedWithAFenceDevice() {
    DaemonConfig c = parse("cluster: c\nnode: node1\nwatchdog: {driver: none}\nnodes:\n"
        + "  - {name: node1, address: a, fence_levels: [[ipmi1]]}\n");
    assertThat(c.self().fenceLevels()).containsExactly(java.util.List.of("ipmi1"));
    assertThat(c.peers()).isEqualTo(1);
  }
}
