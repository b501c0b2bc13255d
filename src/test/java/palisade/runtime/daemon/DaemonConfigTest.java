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
  void nodeCapacitySeedsThePlacementConfigurationAndIsValidatedWithTheKeyNamed() {
    String nodes = "nodes:\n  - {name: node1, address: 127.0.1.1, cpu: 8, mem: 64G}\n"
        + "  - {name: node2, address: 127.0.1.2, mem: 512M}\n  - {name: node3, address: 127.0.1.3}\n";
    DaemonConfig c = parse("cluster: prod\nnode: node2\n" + nodes);
    assertThat(c.nodes().get(0).capacity()).isEqualTo(new palisade.core.Capacity(8, 64L << 30));
    assertThat(c.nodes().get(2).capacity()).as("measured by its agent").isNull();
    assertThat(ClusterFacts.initial(c).placement().nodeCapacity()).as("seeds the cluster's /config")
        .containsOnlyKeys("node1", "node2").containsEntry("node2", new palisade.core.Capacity(0, 512L << 20));
    assertThat(ClusterFacts.initial(parse("cluster: prod\nnode: node2\n" + NODES)).placement().plain()).isTrue();
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\n" + nodes.replace("cpu: 8", "cpu: many")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("nodes[0].cpu: 'many' is not a CPU count");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\n" + nodes.replace("mem: 64G", "mem: lots")))
        .hasMessageStartingWith("nodes[0].mem: 'lots' is not a size");
  }

  @Test
  void repairAfterIsOffByDefaultAndValidatedWithTheKeyNamed() {
    assertThat(parse("cluster: prod\nnode: node2\n" + NODES).repairAfterMs()).isZero();
    assertThat(parse("cluster: prod\nnode: node2\nrepair_after: 10m\n" + NODES).repairAfterMs()).isEqualTo(600_000);
    assertThat(parse("cluster: prod\nnode: node2\nrepair_after: off\n" + NODES).repairAfterMs()).isZero();
    assertThat(ClusterFacts.initial(parse("cluster: prod\nnode: node2\nrepair_after: 90s\n" + NODES))
        .repairAfterMs()).as("seeds the cluster's /config").isEqualTo(90_000);
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nrepair_after: soon\n" + NODES))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("repair_after: 'soon' is not a duration");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nrepair_after: 2d\n" + NODES))
        .hasMessageStartingWith("repair_after: '2d' is not a duration");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nrepair_after: 25h\n" + NODES))
        .hasMessageStartingWith("repair_after: '25h' must be more than 0 and at most 24h (or off)");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nrepair_after: 0s\n" + NODES))
        .hasMessageStartingWith("repair_after: '0s' must be more than 0");
  }

  @Test
  void fenceGraceAndDeviceChecksSeedTheClusterAndAreValidatedWithTheKeyNamed() {
    DaemonConfig d = parse("cluster: prod\nnode: node2\n" + NODES);
    assertThat(d.fence()).isEqualTo(palisade.core.FenceOptions.defaults());
    assertThat(d.fence().extraMs(true, 10)).as("fast by default").isZero();
    DaemonConfig c = parse("cluster: prod\nnode: node2\nfence_grace: 60s\nfence_grace_spm: 20s\n"
        + "fence_grace_per_resource: 500ms\nfence_device_check: off\n" + NODES);
    assertThat(c.fence()).isEqualTo(new palisade.core.FenceOptions(60_000, 20_000, 500, 0));
    assertThat(c.fence().extraMs(true, 4)).as("RHEV: 60s + 20s (SPM) + 4 x 0.5s").isEqualTo(82_000);
    assertThat(ClusterFacts.initial(c).fence()).as("seeds the cluster's /config").isEqualTo(c.fence());
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nfence_grace: -5s\n" + NODES))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("fence_grace: '-5s' is not a duration");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nfence_grace_spm: soon\n" + NODES))
        .hasMessageStartingWith("fence_grace_spm: 'soon' is not a duration");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nfence_device_check: 25h\n" + NODES))
        .hasMessageStartingWith("fence_device_check: '25h' is longer than the limit of 86400s (one day)");
  }

  @Test
  void aNodeSiteSeedsTheClusterAndMustBeAName() {
    String nodes = NODES.replace("address: 127.0.1.2}", "address: 127.0.1.2, site: dc1}");
    DaemonConfig c = parse("cluster: prod\nnode: node2\n" + nodes);
    assertThat(ClusterFacts.initial(c).nodes().get("node2").site()).isEqualTo("dc1");
    assertThat(ClusterFacts.initial(c).nodes().get("node1").site()).isNull();
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\n" + NODES.replace("address: 127.0.1.2}",
        "address: 127.0.1.2, site: 'dc 1'}"))).hasMessageStartingWith("nodes[1].site: 'dc 1' must be");
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
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\ntiming: {restart_hold: 2s}\n" + NODES))
        .hasMessageStartingWith("timing: restart_hold=2s must be 0 (no hold) or between watchdog_timeout=5s");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\ntiming: {restart_hold: soon}\n" + NODES))
        .hasMessageStartingWith("timing.restart_hold: 'soon' is not a duration");
    assertThat(parse("cluster: c\nnode: node1\ntiming: {restart_hold: 0}\n" + NODES).timing().restartHoldMs())
        .isZero();
    assertThat(parse("cluster: c\nnode: node1\ntiming: {restart_hold: 2m}\n" + NODES).timing().restartHoldMs())
        .isEqualTo(120_000);
    assertThat(parse("cluster: c\nnode: node1\n" + NODES).timing().restartHoldMs()).isEqualTo(60_000);
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\ntiming: {tick: 1 second}\n" + NODES))
        .hasMessageStartingWith("timing.tick: '1 second' is not a duration");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: a, peer_port: 0}\n"))
        .hasMessageStartingWith("nodes[0].peer_port: '0' is not a port");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nstore: {peers: 5}\n" + NODES))
        .hasMessageStartingWith("store.peers: 5 peers need at least 5 nodes");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nnodes:\n"
        + "  - {name: node1, address: a, spm_priority: 11}\n"))
        .hasMessageStartingWith("nodes[0].spm_priority: '11' must be an integer from -1 (never) to 10");
  }

  @Test
  void spmPriorityDefaultsToNever() {
    DaemonConfig c = parse("cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: a, spm_priority: 4}\n"
        + "  - {name: node2, address: b}\n");
    assertThat(c.nodes()).extracting(DaemonConfig.Node::spmPriority).containsExactly(4, -1);
  }

  @Test
  void agentOnlyIsAnInitialSettingThatKeepsACandidate() {
    DaemonConfig c = parse("cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: a}\n"
        + "  - {name: node2, address: b, agent_only: yes}\n");
    assertThat(c.nodes()).extracting(DaemonConfig.Node::agentOnly).containsExactly(false, true);
    assertThat(ClusterFacts.initial(c).managerCandidate("node2")).isFalse();
    assertThat(ClusterFacts.initial(c).managerCandidate("node1")).isTrue();
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: a, agent_only: "
        + "sometimes}\n")).hasMessageStartingWith("nodes[0].agent_only: 'sometimes' must be yes or no");
    assertThatThrownBy(() -> ClusterFacts.initial(parse("cluster: c\nnode: node1\nnodes:\n"
        + "  - {name: node1, address: a, agent_only: yes}\n"))).hasMessageContaining("every node is agent-only");
  }

  @Test
  void eachNodeMayNameItsLibvirtHypervisor() {
    DaemonConfig c = parse("cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: a, libvirt_uri: 'qemu:///system'}\n"
        + "  - {name: node2, address: b}\n");
    assertThat(c.nodes()).extracting(DaemonConfig.Node::libvirtUri).containsExactly("qemu:///system", null);
    assertThat(AsyncResources.libvirtUris(c)).containsExactly(java.util.Map.entry("node1", "qemu:///system"));
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: a, libvirt_uri: ''}\n"))
        .hasMessageStartingWith("nodes[0].libvirt_uri: must be a non-empty string");
  }

  static final String DEVICES = """
      fence_devices:
        ipmi1: {type: ipmi, host: 10.0.0.5, username: admin, password_file: secrets/ipmi1, cipher: 3}
        rf1: {type: redfish, host: 10.0.0.6, port: 8443, username: root, password: s3cret, ssl_insecure: true,
              timeout: 4s}
      """;

  @Test
  void noneIsAcceptedWithAFenceDevice() {
    DaemonConfig c = parse("cluster: c\nnode: node1\nwatchdog: {driver: none}\nnodes:\n"
        + "  - {name: node1, address: a, fence_levels: [[ipmi1]], watchdog: none}\n" + DEVICES);
    assertThat(c.self().fenceLevels()).containsExactly(java.util.List.of("ipmi1"));
    assertThat(c.self().watchdog()).isFalse();
    assertThat(c.peers()).isEqualTo(1);
    assertThat(c.fenceDevices().get("ipmi1").timeoutMs()).isEqualTo(DaemonConfig.DEVICE_TIMEOUT_MS);
    assertThat(c.fenceDevices().get("ipmi1").spec().options().get("password_file")).isEqualTo("/var/lib/x/secrets/ipmi1");
    assertThat(c.fenceDevices().get("rf1").timeoutMs()).isEqualTo(4_000);
    assertThat(c.fenceDevices().get("rf1").spec().options()).doesNotContainKeys("type", "timeout");
    assertThat(c.toString()).as("a config can be logged: no secret in it").doesNotContain("s3cret");
  }

  @Test
  void fenceDeviceErrorsNameTheDeviceAndTheKey() {
    String node1 = "cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: a, fence_levels: [[ipmi1]]}\n";
    assertThatThrownBy(() -> parse(node1)).hasMessageStartingWith(
        "nodes[0].fence_levels: device 'ipmi1' is not in fence_devices");
    assertThatThrownBy(() -> parse(node1 + "fence_devices:\n  ipmi1: {type: pdu, host: x}\n"))
        .hasMessageContaining("fence_devices.ipmi1.type: fence device 'ipmi1': unknown type 'pdu'");
    assertThatThrownBy(() -> parse(node1 + "fence_devices:\n  ipmi1: {host: x}\n"))
        .hasMessage("fence_devices.ipmi1.type: is required");
    assertThatThrownBy(() -> parse(node1 + "fence_devices:\n  ipmi1: {type: ipmi, timeout: forever}\n"))
        .hasMessageStartingWith("fence_devices.ipmi1.timeout:");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: a, watchdog: none}\n"))
        .hasMessage("nodes[0].watchdog: 'none' is only allowed for a node with fence_levels");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nwatchdog: {driver: none}\nnodes:\n"
        + "  - {name: node1, address: a, fence_levels: [[ipmi1]]}\n" + DEVICES))
        .hasMessageStartingWith("watchdog.driver: 'none' needs nodes[0].watchdog: none too");
  }

  @Test
  void anInlinePasswordNeedsAFileOnlyItsOwnerReads(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    String yaml = "cluster: c\nnode: node1\nnodes:\n  - {name: node1, address: a, fence_levels: [[rf1]]}\n" + DEVICES;
    Path f = tmp.resolve("node.yaml");
    java.nio.file.Files.writeString(f, yaml);
    java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> DaemonConfig.load(f)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("fence_devices.rf1.password: an inline password needs a config file readable by its "
            + "owner only").hasMessageNotContaining("s3cret");
    java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(DaemonConfig.load(f).hasInlineSecret()).isTrue();
    // without an inline password a readable file is fine
    java.nio.file.Files.writeString(f, yaml.replace("password: s3cret", "password_file: /etc/rf1"));
    java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(DaemonConfig.load(f).hasInlineSecret()).isFalse();
  }

  /** The linux watchdog counts whole seconds: any other W is refused by validation, naming the key, not at arm. */
  @Test
  void theLinuxWatchdogRefusesATimeoutThatIsNotWholeSeconds() {
    String timing = "timing: {watchdog_timeout: 4500ms, lease_timeout: 8s}\n";
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\n" + timing + NODES)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("timing.watchdog_timeout: 4500ms cannot be set on the linux watchdog");
    DaemonConfig process = parse("cluster: c\nnode: node1\nwatchdog: {driver: process}\n" + timing + NODES);
    assertThat(process.timing().watchdogMs()).as("the process watchdog counts milliseconds").isEqualTo(4_500);
    assertThat(parse("cluster: c\nnode: node1\ntiming: {watchdog_timeout: 4s}\n" + NODES).timing().watchdogMs())
        .isEqualTo(4_000);
  }

  /** The process watchdog's socket comes from the file (default in the data dir), never from the environment. */
  @Test
  void theProcessWatchdogSocketIsAConfigKey() {
    DaemonConfig dflt = parse("cluster: c\nnode: node1\nwatchdog: {driver: process}\n" + NODES);
    assertThat(dflt.watchdogSocket()).isEqualTo(Path.of("/var/lib/x/data/watchdog.sock"));
    DaemonConfig set = parse("cluster: c\nnode: node1\nwatchdog: {driver: process, socket: run/wd.sock}\n" + NODES);
    assertThat(set.watchdogSocket()).isEqualTo(Path.of("/var/lib/x/run/wd.sock"));
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nwatchdog: {driver: linux, socket: /x}\n" + NODES))
        .hasMessage("watchdog.socket: only used by driver process, not linux");
    assertThatThrownBy(() -> parse("cluster: c\nnode: node1\nwatchdog: {driver: process, device: /x}\n" + NODES))
        .hasMessage("watchdog.device: not used by driver process (use socket)");
  }
}
