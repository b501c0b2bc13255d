package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `fence device secret NAME` puts a secret from stdin (never argv) where the daemon reads /config's device secrets:
 * secrets/NAME beside the store credential, 0600 in a 0700 directory; it prints the path, never the secret.
 */
class FenceSecretCommandTest {
  @TempDir
  Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String stdin, String... args) {
    InputStream oldIn = System.in;
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = PalisadeCommand.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setIn(oldIn);
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void storesTheSecretFromStdinBesideTheCredentialOwnerOnly() throws Exception {
    Path f = tmp.resolve("palisade.yaml");
    Files.writeString(f, "cluster: c\nnode: node1\nstore: {credential: credential}\nnodes:\n"
        + "  - {name: node1, address: 127.0.0.1}\n");
    Run ok = run("s3cret-pw\n", "fence", "device", "secret", "bmc4", "--config", f.toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    Path secret = tmp.resolve("secrets").resolve("bmc4");
    assertThat(Files.readString(secret)).isEqualTo("s3cret-pw\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret.getParent())))
        .isEqualTo("rwx------");
    assertThat(ok.out()).contains(secret.toString()).doesNotContain("s3cret");
    try (var files = Files.list(secret.getParent())) {
      assertThat(files).as("no temporary file left").containsExactly(secret);
    }

    Run again = run("n3w\n", "fence", "device", "secret", "bmc4", "--config", f.toString());
    assertThat(again.code()).isZero();
    assertThat(Files.readString(secret)).isEqualTo("n3w\n");

    Run empty = run("\n", "fence", "device", "secret", "bmc5", "--config", f.toString());
    assertThat(empty.code()).isEqualTo(2);
    assertThat(empty.err()).contains("empty");
    assertThat(secret.resolveSibling("bmc5")).doesNotExist();
    Run badName = run("x", "fence", "device", "secret", "../evil", "--config", f.toString());
    assertThat(badName.code()).isEqualTo(2);
    assertThat(badName.err()).contains("NAME");
  }
}
