package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfigException;
import palisade.core.FenceDriver;
import palisade.core.PowerAction;
import palisade.lab.InMemoryPowerSwitch;
import palisade.lab.RedfishMockBmc;

/** The daemon's FenceDriver: validation at start, outcomes on the loop thread with wall-clock stamps, deadlines. */
class AsyncFencesTest {
  @TempDir
  Path tmp;

  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r,
      "test-loop"));
  private RedfishMockBmc bmc;

  @AfterEach
  void tearDown() {
    loop.shutdownNow();
    if (bmc != null) bmc.close();
  }

  private DaemonConfig config(String devices) throws Exception {
    Path f = tmp.resolve("node.yaml");
    Files.writeString(f, "cluster: c\nnode: node1\nwatchdog: {driver: none}\nnodes:\n"
        + "  - {name: node1, address: 127.0.0.1, fence_levels: [[d1]], watchdog: none}\nfence_devices:\n" + devices);
    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return DaemonConfig.load(f);
  }

  private FenceDriver.Outcome call(AsyncFences f, String device, PowerAction a) throws Exception {
    CompletableFuture<FenceDriver.Outcome> out = new CompletableFuture<>();
    f.run(device, "node1", a, (o, t) -> {
      assertThat(Thread.currentThread().getName()).isEqualTo("test-loop");
      out.complete(o);
    });
    return out.get(40, TimeUnit.SECONDS);
  }

  @Test
  void badDefinitionsStopTheDaemonWithTheDeviceAndKeyNamed() throws Exception {
    assertThatThrownBy(() -> AsyncFences.create(config("  d1: {type: agent, agent: fence_nosuch, ip: x}\n"), loop,
        () -> 0)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("fence_devices.d1: ").hasMessageContaining("unknown fence agent 'fence_nosuch'");
    assertThatThrownBy(() -> AsyncFences.create(config("  d1: {type: agent, agent: fence_ipmilan, ip: x, "
        + "username: a, password: pw, colour: red}\n"), loop, () -> 0)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("option 'colour' is not allowed by fence_ipmilan").hasMessageNotContaining("pw,");
    assertThatThrownBy(() -> AsyncFences.create(config("  d1: {type: ipmi, host: x, username: a, password: pw, "
        + "vendor: y}\n"), loop, () -> 0)).hasMessageContaining("fence_devices.d1: ")
        .hasMessageContaining("unknown option 'vendor'");
  }

  @Test
  void redfishCallsAnswerOnTheLoopWithWallClockTimesAndWrongPasswordsFail() throws Exception {
    InMemoryPowerSwitch power = new InMemoryPowerSwitch(true);
    bmc = new RedfishMockBmc(0, "admin", "right", power);
    bmc.start();
    AsyncFences f = AsyncFences.create(config("  d1: {type: redfish, host: 127.0.0.1, port: " + bmc.port()
        + ", username: admin, password: right, ssl_insecure: true}\n  d2: {type: redfish, host: 127.0.0.1, port: "
        + bmc.port() + ", username: admin, password: wrong, ssl_insecure: true}\n"), loop, () -> 0);
    long before = System.currentTimeMillis();
    FenceDriver.Outcome s = call(f, "d1", PowerAction.STATUS);
    assertThat(s.ok()).isTrue();
    assertThat(s.poweredOn()).isTrue();
    assertThat(s.startedMs()).isBetween(before, s.endedMs());
    assertThat(call(f, "d1", PowerAction.OFF).ok()).isTrue();
    assertThat(power.isOn()).isFalse();
    assertThat(call(f, "d1", PowerAction.STATUS).poweredOn()).isFalse();
    FenceDriver.Outcome bad = call(f, "d2", PowerAction.STATUS);
    assertThat(bad.ok()).isFalse();
    assertThat(bad.detail()).doesNotContain("wrong");
    assertThat(call(f, "nosuch", PowerAction.OFF).detail()).contains("no fence device 'nosuch'");
    f.close();
  }

  @Test
  void anUnreachableBmcFailsWithinTheDeadline() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    // a routable-nowhere address would hang; loopback with no listener is refused; both must end in time
    AsyncFences f = AsyncFences.create(config("  d1: {type: ipmi, host: 127.0.0.1, port: " + closed
        + ", username: admin, password: x, timeout: 3s}\n"), loop, () -> 0);
    long t0 = System.nanoTime();
    FenceDriver.Outcome o = call(f, "d1", PowerAction.STATUS);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(o.ok()).isFalse();
    assertThat(ms).isLessThan(3_000 + AsyncFences.SLACK_MS);
    System.out.println("unreachable ipmi BMC: failed after " + ms + "ms: " + o.detail());
    f.close();
  }
}
