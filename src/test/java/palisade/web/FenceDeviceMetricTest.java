package palisade.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.runtime.daemon.Telemetry;

/** palisade_fence_device_up: each device's last periodic status check, from the fence history in the store. */
class FenceDeviceMetricTest {
  @Test
  void eachCheckedDeviceIsUpOrDown() {
    FenceHistory h = FenceHistory.empty().append(List.of(
        new FenceEntry("node2", 7, 1, "bmc2", FenceEntry.CHECK, "ok (on)", "node1", 1_000, 1_200),
        new FenceEntry("node3", 7, 1, "bmc3", FenceEntry.CHECK, "error: 401 Unauthorized", "node1", 1_000, 1_300),
        new FenceEntry("node3", 5, 1, "bmc3", "off", "ok", "node1", 900, 950)));
    Metrics m = new Metrics("n1", () -> null);
    m.tick(new Telemetry.Tick(true, true, ManagerState.empty(), h));
    String scrape = m.scrape();
    assertThat(scrape).contains("palisade_fence_device_up{device=\"bmc2\",node=\"n1\"} 1.0")
        .contains("palisade_fence_device_up{device=\"bmc3\",node=\"n1\"} 0.0");
    m.tick(new Telemetry.Tick(true, true, ManagerState.empty(), h.append(List.of(
        new FenceEntry("node3", 9, 1, "bmc3", FenceEntry.CHECK, "ok (off)", "node2", 2_000, 2_100)))));
    assertThat(m.scrape()).as("the newest check replaces the older one")
        .contains("palisade_fence_device_up{device=\"bmc3\",node=\"n1\"} 1.0");
  }
}
