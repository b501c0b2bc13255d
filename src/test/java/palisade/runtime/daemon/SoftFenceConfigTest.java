package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;

/** nodes[].soft_fence and kdump: read once, seeded into the cluster's /config, refused with the key named. */
class SoftFenceConfigTest {
  @TempDir
  Path dir;

  private String yaml(String node3Extra) {
    return "cluster: prod\nnode: node1\nnodes:\n"
        + "  - {name: node1, address: 127.0.1.1}\n"
        + "  - {name: node2, address: 127.0.1.2}\n"
        + "  - {name: node3, address: 127.0.1.3, watchdog: none, fence_levels: [[bmc3]]" + node3Extra + "}\n"
        + "fence_devices:\n  bmc3: {type: ipmi, host: 10.0.0.5, username: admin, password: x}\n";
  }

  private static DaemonConfig parse(String yaml) {
    return DaemonConfig.parse(yaml, Path.of("/var/lib/x"));
  }

  @Test
  void softFenceAndKdumpAreReadWithTheirDefaults() throws Exception {
    DaemonConfig c = parse(yaml(", soft_fence: {method: ssh, user: root, key_file: " + dir.resolve("key")
        + ", known_hosts: " + dir.resolve("known") + "}, kdump: yes"));
    DaemonConfig.Node n3 = c.nodes().get(2);
    assertThat(n3.softFence().address()).as("the node's address by default").isEqualTo("127.0.1.3");
    assertThat(n3.softFence().port()).isEqualTo(22);
    assertThat(n3.softFence().command()).isEqualTo("systemctl restart palisade");
    assertThat(n3.kdumpPort()).isEqualTo(7410);
    assertThat(c.nodes().get(0).softFence()).isNull();
    assertThat(c.nodes().get(0).kdumpPort()).isZero();
    ClusterConfig initial = ClusterFacts.initial(c);
    assertThat(initial.nodes().get("node3").softFence()).isTrue();
    assertThat(initial.nodes().get("node3").kdump()).isTrue();
    assertThat(initial.nodes().get("node1").softFence()).isFalse();
  }

  @Test
  void badSettingsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> parse(yaml(", soft_fence: {method: telnet}"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("nodes[2].soft_fence.method: 'telnet' must be ssh");
    assertThatThrownBy(() -> parse(yaml(", soft_fence: {method: ssh, user: root}")))
        .hasMessageContaining("nodes[2].soft_fence.key_file: is required");
    assertThatThrownBy(() -> parse(yaml(", kdump: maybe"))).hasMessageContaining("nodes[2].kdump: 'maybe' must be "
        + "yes or no");
    assertThatThrownBy(() -> parse(yaml(", kdump_port: 7411"))).hasMessageContaining("nodes[2].kdump_port: only "
        + "with kdump: yes");
    assertThatThrownBy(() -> parse(yaml(", kdump: yes, kdump_address: '1.2.3.4 -x'")))
        .hasMessageContaining("nodes[2].kdump_address: '1.2.3.4 -x'");
    assertThat(parse(yaml(", kdump: yes, kdump_address: 127.0.0.1")).nodes().get(2).kdumpAddress())
        .isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> parse("cluster: prod\nnode: node1\nnodes:\n  - {name: node1, address: 127.0.1.1, "
        + "soft_fence: {method: ssh, user: root, key_file: /k, known_hosts: /h}}\n"))
        .hasMessageContaining("nodes[0].soft_fence: only for a node without a watchdog");
  }

  @Test
  void aKeyFileOthersCanReadStopsTheDaemonAtStart() throws Exception {
    Path key = Files.writeString(dir.resolve("key"), "not really a key\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Files.writeString(dir.resolve("known"), "");
    DaemonConfig c = parse(yaml(", soft_fence: {method: ssh, user: root, key_file: " + key + ", known_hosts: "
        + dir.resolve("known") + "}"));
    ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    try {
      assertThatThrownBy(() -> AsyncHostFences.create(c, loop, () -> 0)).isInstanceOf(ConfigException.class)
          .hasMessageContaining("nodes[2]: soft_fence of node node3: key file " + key
              + " must be readable by its owner only (chmod 0600)");
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      AsyncHostFences.create(c, loop, () -> 0).close();
    } finally {
      loop.shutdownNow();
    }
  }
}
