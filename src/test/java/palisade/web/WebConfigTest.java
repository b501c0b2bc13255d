package palisade.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfigException;
import palisade.runtime.daemon.DaemonConfig;

/** The daemon YAML's http section and the API token file: defaults, and bad input refused naming the key/line. */
class WebConfigTest {
  @TempDir
  Path dir;

  private DaemonConfig load(String http) throws Exception {
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, "cluster: c\nnode: n1\nnodes:\n  - name: n1\n    address: 127.0.0.7\n" + http);
    return DaemonConfig.load(f);
  }

  @Test
  void defaultsToTheNodesAddressAndPort9190() throws Exception {
    DaemonConfig.Http h = load("").http();
    assertThat(h.enabled()).isTrue();
    assertThat(h.address()).isEqualTo("127.0.0.7");
    assertThat(h.port()).isEqualTo(DaemonConfig.DEFAULT_HTTP_PORT);
    assertThat(h.apiTokensFile()).isNull();
  }

  @Test
  void theOldNodeLevelNotificationKeysAreRefusedNamingTheNewCommand() {
    assertThatThrownBy(() -> load("http:\n  notify_webhook_file: hook.url\n")).isInstanceOf(ConfigException.class)
        .hasMessage(dir.resolve("node.yaml") + ": http.notify_webhook_file: notifications are set per cluster now: "
            + "palisade notify set --webhook-file FILE");
    assertThatThrownBy(() -> load("http:\n  notify_smtp: {host: h, port: 2525, from: p@x, to: o@y}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(dir.resolve("node.yaml") + ": http.notify_smtp: notifications are set per cluster now: "
            + "palisade notify set --smtp-host H --smtp-from A --smtp-to A");
  }

  @Test
  void httpsOnTheNodesAddressByDefaultAndPlainHttpOnlyOnLoopback() throws Exception {
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, "cluster: c\nnode: n1\nnodes:\n  - name: n1\n    address: 10.0.0.7\n");
    DaemonConfig.Http h = DaemonConfig.load(f).http();
    assertThat(h.address()).isEqualTo("10.0.0.7");
    assertThat(h.tls()).isTrue();
    assertThat(h.url()).isEqualTo("https://10.0.0.7:" + DaemonConfig.DEFAULT_HTTP_PORT);
    assertThat(load("http:\n  address: 10.0.0.8\n").http().tls()).isTrue();
    assertThatThrownBy(() -> load("http:\n  address: 10.0.0.7\n  tls: false\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.tls: false needs a loopback http.address").hasMessageContaining("'10.0.0.7'");
    assertThatThrownBy(() -> load("http:\n  address: palisade.example\n  tls: false\n"))
        .hasMessageContaining("needs a loopback");
    assertThatThrownBy(() -> load("http:\n  tls: maybe\n")).hasMessageContaining("http.tls: must be true or false");
    DaemonConfig.Http plain = load("http:\n  address: localhost\n  tls: false\n").http();
    assertThat(plain.tls()).isFalse();
    assertThat(plain.url()).startsWith("http://localhost:");
  }

  @Test
  void portZeroOrEnabledFalseTurnItOff() throws Exception {
    assertThat(load("http:\n  port: 0\n").http().enabled()).isFalse();
    assertThat(load("http:\n  enabled: false\n").http().enabled()).isFalse();
    assertThat(load("http:\n  address: 127.0.0.9\n  port: 8080\n").http().port()).isEqualTo(8080);
  }

  @Test
  void badKeysAreRefusedByName() {
    assertThatThrownBy(() -> load("http:\n  port: 70000\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port: '70000' is not a port");
    assertThatThrownBy(() -> load("http:\n  prot: 80\n")).hasMessageContaining("http.prot: unknown key");
    assertThatThrownBy(() -> load("http:\n  address: '1.2.3.4 -x'\n")).hasMessageContaining("http.address");
    assertThatThrownBy(() -> load("http:\n  enabled: maybe\n")).hasMessageContaining("http.enabled");
  }

  @Test
  void apiTokensFileIsHashesWithRoles() throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, "# comment\nalice viewer " + ApiTokens.sha256Hex("s3cret") + "\nbob admin "
        + ApiTokens.sha256Hex("other") + "\n");
    ApiTokens t = ApiTokens.load(f);
    assertThat(t.check("s3cret")).contains(new ApiTokens.Holder("alice", ApiTokens.Role.VIEWER));
    assertThat(t.check("other")).contains(new ApiTokens.Holder("bob", ApiTokens.Role.ADMIN));
    assertThat(t.check("s3cret ")).isEmpty();
    assertThat(ApiTokens.none().check("s3cret")).isEmpty();
    Files.writeString(f, "alice root " + ApiTokens.sha256Hex("x") + "\n");
    assertThatThrownBy(() -> ApiTokens.load(f)).hasMessageContaining(f + ":1: 'root' is not a role");
    Files.writeString(f, "\nalice viewer s3cret\n");
    assertThatThrownBy(() -> ApiTokens.load(f)).hasMessageContaining(f + ":2: the third field must be")
        .hasMessageNotContaining("s3cret");
  }
}
