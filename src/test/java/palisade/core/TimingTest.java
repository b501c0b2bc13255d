package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** DESIGN's inequality L >= (X + W)(1 + rho)^2 + R, enforced when timing is built. */
class TimingTest {
  @Test
  void defaultsSatisfyTheInequality() {
    Timing t = Timing.defaults();
    assertThat(t.leaseMs()).isEqualTo(8_000);
    assertThat(Timing.minimumLeaseMs(1_000, 1_000, 5_000, 10_000)).isEqualTo(7_121);
    assertThat(t.leaseMs()).isGreaterThanOrEqualTo(Timing.minimumLeaseMs(t.renewMs(), t.ackMs(), t.watchdogMs(),
        t.driftPpm()));
  }

  @Test
  void theBoundIsExact() {
    assertThat(new Timing(1_000, 1_000, 5_000, 7_121, 10_000, 250).leaseMs()).isEqualTo(7_121);
    assertThatThrownBy(() -> new Timing(1_000, 1_000, 5_000, 7_120, 10_000, 250))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("lease_timeout=7.12s breaks the safety inequality")
        .hasMessageContaining("watchdog_timeout=5s").hasMessageContaining("ack_timeout=1s")
        .hasMessageContaining("renew_interval=1s").hasMessageContaining("at least 7.121s");
  }

  @Test
  void driftWidensTheBound() {
    assertThat(Timing.minimumLeaseMs(1_000, 1_000, 5_000, 0)).isEqualTo(7_000);
    assertThat(Timing.minimumLeaseMs(1_000, 1_000, 5_000, 100_000)).isEqualTo(8_260);
  }

  @Test
  void otherNonsenseIsRefusedByName() {
    assertThatThrownBy(() -> new Timing(0, 1_000, 5_000, 8_000, 10_000, 250)).hasMessageContaining("renew_interval");
    assertThatThrownBy(() -> new Timing(1_000, 6_000, 5_000, 20_000, 10_000, 250)).hasMessageContaining(
        "ack_timeout=6s must not exceed watchdog_timeout=5s");
    assertThatThrownBy(() -> new Timing(1_000, 1_000, 5_000, 8_000, 300_000, 250)).hasMessageContaining("drift");
    assertThatThrownBy(() -> new Timing(1_000, 1_000, 5_000, 8_000, 10_000, 2_000)).hasMessageContaining("tick");
  }

  @Test
  void durationsRoundTrip() {
    assertThat(Durations.parseMs("250ms", "x")).isEqualTo(250);
    assertThat(Durations.parseMs("1.5s", "x")).isEqualTo(1_500);
    assertThat(Durations.parseMs("256.979s", "x")).isEqualTo(256_979);
    assertThat(Durations.parseMs("2m", "x")).isEqualTo(120_000);
    assertThat(Durations.format(256_979)).isEqualTo("256.979s");
    assertThat(Durations.format(8_000)).isEqualTo("8s");
    assertThatThrownBy(() -> Durations.parseMs("1.0001s", "at")).hasMessageContaining("finer than a millisecond");
    assertThatThrownBy(() -> Durations.parseMs("soon", "at")).hasMessageContaining("at: 'soon' is not a duration");
  }
}
