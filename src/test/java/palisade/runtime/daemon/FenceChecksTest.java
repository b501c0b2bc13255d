package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import palisade.core.Callback;
import palisade.core.FenceDriver;
import palisade.core.PowerAction;

/** The periodic fence device check: one ALERT per failing episode, one device at a time, nothing when healthy. */
class FenceChecksTest {
  private final List<String> lines = new ArrayList<>();
  private final List<String> calls = new ArrayList<>();
  private final Map<String, Callback<FenceDriver.Outcome>> pending = new TreeMap<>();
  private final FenceDriver driver = (device, target, action, done) -> {
    calls.add(device + " " + action);
    pending.put(device, done);
  };
  private final FenceChecks checks = new FenceChecks(driver, new TreeSet<>(List.of("bmc-node2", "bmc-node1")),
      (source, message) -> lines.add(source + ": " + message), "node1");

  private void answer(String device, boolean ok) {
    pending.remove(device).done(new FenceDriver.Outcome(ok, true, ok ? "on" : device + ": no answer within 15s",
        0, 0), 0);
  }

  @Test
  void aFailingDeviceIsAlertedOnceAndItsReturnNoted() {
    checks.round();
    assertThat(calls).as("one device at a time, in order").containsExactly("bmc-node1 STATUS");
    checks.round();
    assertThat(calls).as("no second round while one runs").hasSize(1);
    answer("bmc-node1", true);
    assertThat(calls).containsExactly("bmc-node1 STATUS", "bmc-node2 STATUS");
    answer("bmc-node2", false);
    assertThat(lines).containsExactly(
        "node1/fencer: ALERT: fence device bmc-node2 fails its check from node1: bmc-node2: no answer within 15s");
    checks.round();
    answer("bmc-node1", true);
    answer("bmc-node2", false);
    assertThat(lines).as("still failing: no new line").hasSize(1);
    assertThat(checks.failing()).containsExactly("bmc-node2");
    checks.round();
    answer("bmc-node1", true);
    answer("bmc-node2", true);
    assertThat(lines).hasSize(2).last().isEqualTo("node1/fencer: fence device bmc-node2 passes its check again "
        + "(power on)");
    assertThat(calls).allMatch(c -> c.endsWith(" " + PowerAction.STATUS));
  }
}
