package palisade.runtime.watchdog;

import com.sun.jna.LastErrorException;
import com.sun.jna.NativeLong;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel watchdog, {@code /dev/watchdog} by default. Opening the device arms it, any write
 * feeds it, and writing the magic character 'V' before closing disarms it (where the driver
 * allows that; with CONFIG_WATCHDOG_NOWAYOUT it stays armed, which is the safe direction).
 *
 * <p>The timeout is set with WDIOC_SETTIMEOUT through JNA. A watchdog that fires later than the
 * configured W would break the safety inequality, so on a real device a timeout that cannot be
 * set or was rounded up is refused. A regular file stands in for the device in tests: there the
 * ioctl cannot work and the timeout is whatever the "driver" would use ({@link #effectiveTimeoutS()}
 * stays empty).
 */
public final class LinuxWatchdog implements WatchdogDevice {
  private static final Logger log = LoggerFactory.getLogger(LinuxWatchdog.class);
  public static final Path DEFAULT_DEVICE = Path.of("/dev/watchdog");
  /** _IOWR('W', 6, int) and _IOR('W', 7, int) from linux/watchdog.h. */
  static final long WDIOC_SETTIMEOUT = ioc(3, 'W', 6, 4);
  static final long WDIOC_GETTIMEOUT = ioc(2, 'W', 7, 4);
  static final byte KEEPALIVE = 0;
  static final byte MAGIC_CLOSE = 'V';

  private final Path device;
  private int fd = -1;
  private OptionalInt effectiveTimeoutS = OptionalInt.empty();

  public LinuxWatchdog() {
    this(DEFAULT_DEVICE);
  }

  public LinuxWatchdog(Path device) {
    this.device = device;
  }

  static long ioc(int direction, char type, int number, int size) {
    return ((long) direction << 30) | ((long) size << 16) | ((long) type << 8) | number;
  }

  /** @throws IllegalArgumentException unless the timeout is a whole number of seconds, 1 or more */
  @Override
  public synchronized void arm(Duration timeout) throws IOException {
    if (timeout.isNegative() || timeout.isZero() || timeout.toNanos() % 1_000_000_000L != 0) {
      throw new IllegalArgumentException("watchdog timeout must be whole seconds >= 1: " + timeout);
    }
    int timeoutS = Math.toIntExact(timeout.toSeconds());
    if (fd < 0) {
      try {
        // O_CLOEXEC: resource processes must not inherit the fd, or closing ours would not disarm.
        fd = LibC.INSTANCE.open(device.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC);
      } catch (LastErrorException e) {
        throw new IOException("cannot open watchdog " + device + ": errno " + e.getErrorCode(), e);
      }
      log.info("watchdog {} opened (armed)", device);
    }
    try {
      effectiveTimeoutS = setTimeout(timeoutS);
    } catch (IOException e) {
      disarm(); // do not leave a watchdog running with a timeout we do not know
      throw e;
    }
    feed();
  }

  private OptionalInt setTimeout(int timeoutS) throws IOException {
    IntByReference value = new IntByReference(timeoutS);
    try {
      LibC.INSTANCE.ioctl(fd, new NativeLong(WDIOC_SETTIMEOUT), value);
      return checked(value.getValue(), timeoutS, "set");
    } catch (LastErrorException setFailed) {
      if (Files.isRegularFile(device)) {
        log.warn("{} is a regular file, not a watchdog: timeout not set (driver default applies)", device);
        return OptionalInt.empty();
      }
      // Some drivers cannot change the timeout; their fixed one is fine if it is short enough.
      try {
        IntByReference current = new IntByReference();
        LibC.INSTANCE.ioctl(fd, new NativeLong(WDIOC_GETTIMEOUT), current);
        return checked(current.getValue(), timeoutS, "fixed");
      } catch (LastErrorException getFailed) {
        throw new IOException("watchdog " + device + " can neither set nor report its timeout (errno "
            + setFailed.getErrorCode() + "/" + getFailed.getErrorCode() + "); refusing an unknown timeout");
      }
    }
  }

  private OptionalInt checked(int actualS, int requestedS, String how) throws IOException {
    if (actualS > requestedS || actualS <= 0) {
      throw new IOException("watchdog " + device + " " + how + " timeout is " + actualS
          + " s, requested " + requestedS + " s; a later reset would break the lease inequality");
    }
    log.info("watchdog {} timeout {} s ({})", device, actualS, how);
    return OptionalInt.of(actualS);
  }

  @Override
  public synchronized void feed() throws IOException {
    if (fd < 0) {
      throw new IllegalStateException("watchdog " + device + " is not armed");
    }
    write(KEEPALIVE);
  }

  @Override
  public synchronized void disarm() throws IOException {
    if (fd < 0) {
      return;
    }
    try {
      write(MAGIC_CLOSE);
    } finally {
      try {
        LibC.INSTANCE.close(fd);
      } catch (LastErrorException e) {
        log.warn("closing watchdog {} failed: errno {}", device, e.getErrorCode());
      }
      fd = -1;
      effectiveTimeoutS = OptionalInt.empty();
    }
    log.info("watchdog {} disarmed (magic close)", device);
  }

  private void write(byte b) throws IOException {
    try {
      long n = LibC.INSTANCE.write(fd, new byte[] {b}, new NativeLong(1)).longValue();
      if (n != 1) {
        throw new IOException("short write to watchdog " + device);
      }
    } catch (LastErrorException e) {
      throw new IOException("write to watchdog " + device + " failed: errno " + e.getErrorCode(), e);
    }
  }

  @Override
  public synchronized boolean armed() {
    return fd >= 0;
  }

  /** The timeout the driver confirmed, empty if unknown (a stand-in file) or not armed. */
  public synchronized OptionalInt effectiveTimeoutS() {
    return effectiveTimeoutS;
  }

  public Path device() {
    return device;
  }
}
