package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import palisade.core.NodeRecord;
import palisade.core.Timing;

/** `palisade config timing`'s validation: what it refuses (exit 2, nothing written) and why, naming the node. */
class TimingCommandTest {
  static final Timing NOW = Timing.defaults();

  @Test
  void aTargetThatBreaksTheInequalityIsRefusedWithTheBound() {
    TimingCommand c = new TimingCommand();
    c.watchdogMs = 10_000L;
    assertThatThrownBy(() -> c.target(NOW)).isInstanceOf(CliError.class).hasMessageContaining(
        "breaks the safety inequality").hasMessageContaining("must be at least 12.222s").hasMessageContaining(
        "nothing was written");
    c.leaseMs = 13_000L;
    assertThat(c.target(NOW).watchdogMs()).isEqualTo(10_000);
    assertThat(c.target(NOW).renewMs()).as("the rest unchanged").isEqualTo(NOW.renewMs());
  }

  @Test
  void aWatchdogANodeCannotCountIsRefusedNamingTheNode() {
    Timing fractional = new Timing(1_000, 1_000, 5_500, 9_000, 10_000, 250);
    Map<String, NodeRecord> linux = Map.of("node2", NodeRecord.fresh("node2", "linux", NOW));
    assertThat(TimingCommand.honoured(linux, fractional)).contains("node2 drives a Linux watchdog")
        .contains("whole seconds");
    Map<String, NodeRecord> process = Map.of("node3", NodeRecord.fresh("node3", "process", NOW));
    assertThat(TimingCommand.honoured(process, fractional)).isNull();
    Timing long2h = new Timing(1_000, 1_000, 7_200_000, 7_400_000, 10_000, 250, 0);
    assertThat(TimingCommand.honoured(process, long2h)).contains("node3 drives the process watchdog");
  }
}
