package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfigException;

/** The daemon's YAML: every value that is not exactly what its key means is refused, naming the key. */
class DaemonConfigInputTest {
  @TempDir
  Path dir;

  private static final String HEAD = "cluster: c\nnode: node1\n";

  private static void refused(String yaml, String message) {
    assertThatThrownBy(() -> DaemonConfigTest.parse(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void aKeyGivenTwiceIsRefusedNotOverwritten() {
    refused(HEAD + "node: node2\n" + DaemonConfigTest.NODES, "line 3: not valid YAML: Duplicate field 'node'");
    refused(HEAD + "nodes:\n  - {name: node1, address: 127.0.1.1, address: 127.0.1.9}\n",
        "line 4: not valid YAML: Duplicate field 'address'");
  }

  @Test
  void portsAndPeersAreIntegers() {
    refused(HEAD + "nodes:\n  - {name: node1, address: a, client_port: 2181.5}\n",
        "nodes[0].client_port: '2181.5' is not a port (1-65535)");
    refused(HEAD + "nodes:\n  - {name: node1, address: a, peer_port: '2888'}\n",
        "nodes[0].peer_port: '2888' is not a port (1-65535)");
    refused(HEAD + "nodes:\n  - {name: node1, address: a, election_port: 65536}\n",
        "nodes[0].election_port: '65536' is not a port (1-65535)");
    refused(HEAD + "store: {peers: 3.5}\n" + DaemonConfigTest.NODES, "store.peers: must be 1, 3 or 5, got 3.5");
    refused(HEAD + "store: {peers: '3'}\n" + DaemonConfigTest.NODES, "store.peers: must be 1, 3 or 5, got 3");
    assertThat(DaemonConfigTest.parse(HEAD + "store: {peers: 3}\n" + DaemonConfigTest.NODES).peers()).isEqualTo(3);
  }

  @Test
  void anAddressIsAnIpv4LiteralOrAHostName() {
    refused(HEAD + "nodes:\n  - {name: node1, address: '127.0.0.1 -x'}\n",
        "nodes[0].address: '127.0.0.1 -x' must be an IPv4 address or a host name (letters, digits, '-' and '.')");
    refused(HEAD + "nodes:\n  - {name: node1, address: '-oProxyCommand=x'}\n",
        "nodes[0].address: '-oProxyCommand=x' must be an IPv4 address or a host name (letters, digits, '-' and '.')");
    refused(HEAD + "nodes:\n  - {name: node1, address: 127.0.0.300}\n",
        "nodes[0].address: '127.0.0.300' is not an IPv4 address (four numbers 0-255)");
    refused(HEAD + "nodes:\n  - {name: node1, address: '::1'}\n", "nodes[0].address: '::1' is an IPv6 literal, "
        + "which host:port connect strings cannot carry (use a host name or IPv4)");
    refused(HEAD + "store: {connect: 'zk1:2181,zk2 -x:2181'}\n" + DaemonConfigTest.NODES,
        "store.connect: 'zk2 -x' must be an IPv4 address or a host name (letters, digits, '-' and '.')");
    refused(HEAD + "store: {connect: 'zk1:99999'}\n" + DaemonConfigTest.NODES,
        "store.connect: 'zk1:99999' has no port 1-65535");
    DaemonConfig ok = DaemonConfigTest.parse(HEAD + "nodes:\n  - {name: node1, address: node-1.example.org}\n"
        + "  - {name: node2, address: 10.0.0.2}\n");
    assertThat(ok.nodes()).extracting(DaemonConfig.Node::address).containsExactly("node-1.example.org", "10.0.0.2");
  }

  @Test
  void timingsCannotOverflowTheInequality() {
    refused(HEAD + "timing: {ack_timeout: 2500000000000000h, watchdog_timeout: 2500000000000000h, "
        + "lease_timeout: 2s}\n" + DaemonConfigTest.NODES, "timing.ack_timeout: '2500000000000000h' is finer than a "
        + "millisecond or too large");
    refused(HEAD + "timing: {ack_timeout: 2500000h, watchdog_timeout: 2500000h, lease_timeout: 2s}\n"
        + DaemonConfigTest.NODES, "timing: ack_timeout=9000000000s is above the limit of 86400s (one day)");
    refused(HEAD + "timing: {drift: NaN%}\n" + DaemonConfigTest.NODES, "timing.drift: 'NaN%' is not a percentage");
    refused(HEAD + "timing: {drift: 25%}\n" + DaemonConfigTest.NODES,
        "timing: drift: 25.0% is out of range (0% to below 20%)");
  }

  @Test
  void aByteOrderMarkIsAccepted() throws Exception {
    Path f = dir.resolve("node1.yaml");
    Files.write(f, ("\uFEFF" + HEAD + DaemonConfigTest.NODES).getBytes(StandardCharsets.UTF_8));
    assertThat(DaemonConfig.load(f).cluster()).isEqualTo("c");
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.SECONDS)
  void aHugeFileOrADeviceIsRefusedBeforeParsing() throws Exception {
    Path big = dir.resolve("big.yaml");
    try (RandomAccessFile raf = new RandomAccessFile(big.toFile(), "rw")) {
      raf.setLength(20_000_000); // the 20 MB file took 79 s and 1.4 GB to refuse
    }
    assertThatThrownBy(() -> DaemonConfig.load(big)).isInstanceOf(ConfigException.class)
        .hasMessage(big + ": 20000000 bytes is larger than the limit of 1048576 bytes (1 MiB)");
    assertThatThrownBy(() -> DaemonConfig.load(Path.of("/dev/zero")))
        .hasMessage("/dev/zero: is not a regular file (a device, FIFO or socket)");
  }
}
