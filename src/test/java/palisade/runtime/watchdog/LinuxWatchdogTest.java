package palisade.runtime.watchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write protocol against a regular file standing in for /dev/watchdog; no real device. */
class LinuxWatchdogTest {
  @TempDir Path dir;

  @Test
  void ioctlNumbersMatchLinuxWatchdogH() {
    assertThat(LinuxWatchdog.WDIOC_SETTIMEOUT).isEqualTo(0xC0045706L);
    assertThat(LinuxWatchdog.WDIOC_GETTIMEOUT).isEqualTo(0x80045707L);
  }

  @Test
  void armFeedsWithWritesAndDisarmWritesTheMagicCharacterThenCloses() throws IOException {
    Path device = Files.createFile(dir.resolve("watchdog"));
    LinuxWatchdog watchdog = new LinuxWatchdog(device);
    assertThat(watchdog.armed()).isFalse();

    watchdog.arm(Duration.ofSeconds(5));
    assertThat(watchdog.armed()).isTrue();
    assertThat(watchdog.effectiveTimeoutS()).as("a file cannot take the ioctl").isEmpty();
    watchdog.feed();
    watchdog.feed();
    watchdog.disarm();

    // arm feeds once, then two feeds, then the magic close
    assertThat(Files.readAllBytes(device)).containsExactly(0, 0, 0, 'V');
    assertThat(watchdog.armed()).isFalse();
    watchdog.disarm(); // no-op when disarmed
    assertThat(Files.readAllBytes(device)).hasSize(4);
    assertThatThrownBy(watchdog::feed).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refusesTimeoutsThatAreNotWholeSeconds() {
    LinuxWatchdog watchdog = new LinuxWatchdog(dir.resolve("watchdog"));
    assertThatThrownBy(() -> watchdog.arm(Duration.ofMillis(1500))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> watchdog.arm(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThat(watchdog.armed()).isFalse();
  }

  @Test
  void aCharacterDeviceThatIsNoWatchdogIsRefusedAndLeftClosed() {
    // /dev/null takes writes but not the watchdog ioctls: an unknown timeout must not be accepted.
    LinuxWatchdog watchdog = new LinuxWatchdog(Path.of("/dev/null"));
    assertThatThrownBy(() -> watchdog.arm(Duration.ofSeconds(5)))
        .isInstanceOf(IOException.class).hasMessageContaining("unknown timeout");
    assertThat(watchdog.armed()).isFalse();
  }

  @Test
  void aMissingDeviceFailsToArm() {
    LinuxWatchdog watchdog = new LinuxWatchdog(dir.resolve("missing"));
    assertThatThrownBy(() -> watchdog.arm(Duration.ofSeconds(5)))
        .isInstanceOf(IOException.class).hasMessageContaining("cannot open");
  }

  @Test
  void noWatchdogIsNeverArmed() {
    NoWatchdog none = new NoWatchdog();
    none.arm(Duration.ofSeconds(1));
    none.feed();
    assertThat(none.armed()).isFalse();
    none.disarm();
  }
}
