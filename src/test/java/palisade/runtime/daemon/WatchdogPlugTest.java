package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import palisade.runtime.watchdog.WatchdogDevice;

/** Every failure of the device, the periodic liveness check included, is a lost watchdog; a check never feeds. */
class WatchdogPlugTest {
  /** A device that records calls and fails the ones named in {@code failing}. */
  static final class Recording implements WatchdogDevice {
    final List<String> calls = new ArrayList<>();
    final List<String> failing = new ArrayList<>();

    private void call(String name) throws IOException {
      calls.add(name);
      if (failing.contains(name)) throw new IOException(name + " timed out");
    }

    @Override
    public void arm(Duration timeout) throws IOException {
      call("arm");
    }

    @Override
    public void feed() throws IOException {
      call("feed");
    }

    @Override
    public void disarm() throws IOException {
      call("disarm");
    }

    @Override
    public boolean armed() {
      return false;
    }

    @Override
    public void check() throws IOException {
      call("check");
    }
  }

  @Test
  void aFailedCheckIsALostWatchdogAndAGoodOneDoesNotFeed() {
    Recording device = new Recording();
    List<String> lost = new ArrayList<>();
    WatchdogPlug plug = new WatchdogPlug(device, 4_000, lost::add);
    plug.arm();
    plug.check();
    assertThat(device.calls).containsExactly("arm", "check");
    assertThat(lost).isEmpty();
    device.failing.add("check");
    plug.check();
    assertThat(lost).containsExactly("watchdog check failed: check timed out");
    device.failing.add("feed");
    plug.feed();
    assertThat(lost).last().isEqualTo("watchdog feed failed: feed timed out");
  }
}
