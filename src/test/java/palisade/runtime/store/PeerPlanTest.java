package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks of `store peer add|remove` before anything is written, and the dynamic membership file. */
class PeerPlanTest {
  static final String THREE = """
      server.1=10.0.0.1:2888:3888:participant
      server.2=10.0.0.2:2888:3888:participant
      server.3=10.0.0.3:2888:3888:participant
      version=100000000
      """;
  static final Set<String> NODES = Set.of("node1", "node2", "node3", "node4", "node5", "node6");

  @TempDir
  Path dir;

  static Map<String, StorePeers.Offer> offers(int n) {
    Map<String, StorePeers.Offer> m = new TreeMap<>();
    for (int i = 1; i <= n; i++) {
      m.put("node" + i, new StorePeers.Offer("node" + i, i, "10.0.0." + i, 2181, 2888, 3888));
    }
    return m;
  }

  static PeerPlan.Plan plan(String config, Set<String> answering, List<String> add, List<String> remove,
      boolean even) throws PeerPlan.Refused {
    return PeerPlan.plan(StorePeers.parse(config), offers(5), NODES, answering, new PeerPlan.Ask(add, remove, even));
  }

  @Test
  void parsesTheMembershipAsZooKeeperWritesIt() {
    StorePeers.Membership m = StorePeers.parse(THREE + "server.9=10.0.0.9:2888:3888:observer;10.0.0.9:2181\n");
    assertThat(m.version()).isEqualTo(0x100000000L);
    assertThat(m.voters()).extracting(StorePeers.Server::id).containsExactly(1, 2, 3);
    assertThat(m.servers()).hasSize(4);
    assertThat(m.has(9)).isTrue();
  }

  @Test
  void growingThreeToFiveIsOneReconfigurationOfBothNewPeers() throws Exception {
    PeerPlan.Plan p = plan(THREE, Set.of("node4", "node5"), List.of("node4", "node5"), List.of(), false);
    assertThat(p.joining()).containsExactly("server.4=10.0.0.4:2888:3888:participant",
        "server.5=10.0.0.5:2888:3888:participant");
    assertThat(p.leaving()).isEmpty();
    assertThat(p.fromVersion()).isEqualTo(0x100000000L);
    assertThat(p.voters()).containsExactly("node1", "node2", "node3", "node4", "node5");
    assertThat(p.members()).hasSize(5).first().isEqualTo("server.1=10.0.0.1:2888:3888:participant");
    String five = THREE + "server.4=10.0.0.4:2888:3888:participant\nserver.5=10.0.0.5:2888:3888:participant\n";
    assertThat(plan(five, Set.of(), List.of(), List.of("node1", "node2"), false).leaving()).containsExactly(1, 2);
    assertThat(plan(THREE, Set.of("node4"), List.of("node4"), List.of(), true).voters()).hasSize(4);
  }

  @Test
  void refusalsSayWhy() {
    assertThatThrownBy(() -> plan(THREE, Set.of("node4"), List.of("node4"), List.of(), false))
        .hasMessageContaining("4 voting store peers is an even number").hasMessageContaining("--allow-even");
    assertThatThrownBy(() -> plan(THREE, Set.of(), List.of(), List.of("node1", "node2"), false))
        .hasMessageContaining("1 voting store peers would remain; at least 3");
    assertThatThrownBy(() -> plan(THREE, Set.of(), List.of("nosuch"), List.of(), false))
        .hasMessageContaining("no node 'nosuch' in the cluster's configuration (node1, node2");
    assertThatThrownBy(() -> plan(THREE, Set.of("node6"), List.of("node6"), List.of(), false))
        .hasMessageContaining("node6 runs no store peer: set store.peer: yes");
    assertThatThrownBy(() -> plan(THREE, Set.of("node5"), List.of("node4", "node5"), List.of(), false))
        .hasMessageContaining("node4's store peer does not answer at 10.0.0.4:2181");
    assertThatThrownBy(() -> plan(THREE, Set.of("node1"), List.of("node1"), List.of(), false))
        .hasMessageContaining("node1 is a voting store peer already");
    assertThatThrownBy(() -> plan(THREE, Set.of(), List.of(), List.of("node4"), false))
        .hasMessageContaining("node4 is not a voting store peer");
    assertThatThrownBy(() -> plan(THREE, Set.of("node4"), List.of("node4", "node4"), List.of(), false))
        .hasMessageContaining("a node is named twice");
  }

  @Test
  void aPeerStartsWithTheNewestMembershipItsDirectoryHolds() throws Exception {
    List<EmbeddedPeer.Member> three = List.of(new EmbeddedPeer.Member(1, "10.0.0.1", 2181, 2888, 3888),
        new EmbeddedPeer.Member(2, "10.0.0.2", 2181, 2888, 3888), new EmbeddedPeer.Member(3, "10.0.0.3", 2181,
            2888, 3888));
    Path first = PeerMembership.current(dir, three);
    assertThat(first.getFileName().toString()).isEqualTo(PeerMembership.INITIAL);
    assertThat(PeerMembership.servers(first)).hasSize(3).first().isEqualTo("server.1=10.0.0.1:2888:3888:participant");
    assertThat(Files.getPosixFilePermissions(first)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    // What ZooKeeper writes after a reconfiguration, next to its per-boot configuration file.
    Files.writeString(dir.resolve("zookeeper.configuration123.properties"), "dynamicConfigFile=x\n");
    Files.writeString(dir.resolve("zookeeper.configuration123.properties.dynamic.100000005"),
        THREE.replace("version=100000000\n", "") + "server.4=10.0.0.4:2888:3888:participant\n");
    Path now = PeerMembership.current(dir, three);
    assertThat(now.getFileName().toString()).endsWith(".dynamic.100000005");
    assertThat(PeerMembership.servers(now)).hasSize(4);
    assertThat(Files.getPosixFilePermissions(now)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(dir.resolve(PeerMembership.INITIAL)).as("older membership removed").doesNotExist();
    assertThat(dir.resolve("zookeeper.configuration123.properties")).as("previous boot's file removed")
        .doesNotExist();
  }
}
