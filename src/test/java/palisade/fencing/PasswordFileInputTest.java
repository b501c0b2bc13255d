package palisade.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A password file is read like every user-supplied file: bounded, a regular UTF-8 file, a byte-order mark dropped. */
class PasswordFileInputTest {
  @TempDir
  Path tmp;

  private static Path privateFile(Path f) throws Exception {
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  @Test
  void aByteOrderMarkIsNotPartOfThePassword() throws Exception {
    Path f = privateFile(Files.write(tmp.resolve("pw"), "\uFEFFs3cret\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(FenceDevices.readPasswordFile("dev: ", f)).isEqualTo("s3cret");
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.SECONDS)
  void aFifoOrAHugeFileIsRefusedUnread() throws Exception {
    Path fifo = tmp.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).start().waitFor()).isZero();
    assertThatThrownBy(() -> FenceDevices.readPasswordFile("fence device 'bmc1': ", fifo))
        .isInstanceOf(FenceException.class)
        .hasMessage("fence device 'bmc1': password file " + fifo
            + ": is not a regular file (a device, FIFO or socket)");
    Path big = privateFile(Files.write(tmp.resolve("big"), new byte[2 << 20]));
    assertThatThrownBy(() -> FenceDevices.readPasswordFile("fence device 'bmc1': ", big))
        .hasMessage("fence device 'bmc1': password file " + big + ": 2097152 bytes is larger than the limit of "
            + "1048576 bytes (1 MiB)");
  }
}
