package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfigException;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;

/** store.credential: where a node's store credential is, and a daemon that will not start without a good one. */
class StoreCredentialConfigTest {
  @TempDir
  Path dir;

  static final String BASE = "cluster: prod\nnode: node1\nwatchdog: {driver: process}\n"
      + "nodes:\n  - {name: node1, address: 127.0.2.9, client_port: 29181}\n";

  @Test
  void theCredentialDefaultsToTheDataDirAndIsRelativeToTheFile() {
    assertThat(DaemonConfig.parse(BASE, dir).storeCredential()).isEqualTo(dir.resolve("data/credential"));
    assertThat(DaemonConfig.parse(BASE + "store: {credential: creds/node1}\n", dir).storeCredential())
        .isEqualTo(dir.resolve("creds/node1"));
    assertThatThrownBy(() -> DaemonConfig.parse(BASE + "store: {credential: ''}\n", dir))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("store.credential: must be a non-empty string");
  }

  @Test
  void aDaemonWithoutANodeCredentialDoesNotStart() throws Exception {
    NodeDaemon missing = new NodeDaemon(DaemonConfig.parse(BASE, dir));
    assertThatThrownBy(missing::start).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("store.credential: " + dir.resolve("data/credential"))
        .hasMessageContaining("not a credential directory");
    missing.close();

    Path creds = dir.resolve("creds");
    Credentials.initCa(creds, "prod");
    Credentials.issueOperator(creds, "alice", Credential.Role.ADMIN, 1);
    NodeDaemon operator = new NodeDaemon(DaemonConfig.parse(BASE + "store: {credential: creds/operators/alice}\n",
        dir));
    assertThatThrownBy(operator::start).isInstanceOf(ConfigException.class)
        .hasMessageContaining("holds the credential of alice (admin), not a node credential");
    operator.close();
  }
}
