package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node certificates name the node and the addresses its web server is reached at (what HTTPS clients check). */
class CredentialsTest {
  @TempDir
  Path dir;

  private static List<String> altNames(X509Certificate c) throws Exception {
    return c.getSubjectAlternativeNames().stream().map(n -> n.get(0) + ":" + n.get(1)).toList();
  }

  @Test
  void aNodeCertificateNamesTheNodeAndEachAddress() throws Exception {
    Credentials.initCa(dir, "c");
    Path n1 = Credentials.issueNode(dir, "node1", 30, List.of("10.0.0.5", "node1.example.org", "fd00::5",
        "10.0.0.5"));
    // GeneralName types: 2 = DNS, 7 = IP
    assertThat(altNames(Credential.load(n1).certificate())).containsExactly("2:node1", "7:10.0.0.5",
        "2:node1.example.org", "7:fd00:0:0:0:0:0:0:5");
    assertThat(altNames(Credential.load(Credentials.issueNode(dir, "node2", 30)).certificate()))
        .containsExactly("2:node2");
  }

  @Test
  void aBadAddressIsRefusedByNameAndWritesNothing() throws Exception {
    Credentials.initCa(dir, "c");
    for (String bad : List.of("10.0.0.300", "not a name", "-x.example", "a..b", "1:2:3")) {
      assertThatThrownBy(() -> Credentials.issueNode(dir, "node1", 30, List.of(bad)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--address: '" + bad + "'");
    }
    assertThat(Files.exists(Credentials.nodeDir(dir, "node1"))).isFalse();
  }
}
