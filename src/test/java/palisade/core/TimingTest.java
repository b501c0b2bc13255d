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

  /** The reproduction: X = W = 9e18 ms wrapped (X + W) negative, and L = 2s passed the inequality. */
  @Test
  void hugeTimingsCannotWrapAroundTheInequality() {
    long huge = 9_000_000_000_000_000_000L;
    assertThatThrownBy(() -> new Timing(1_000, huge, huge, 2_000, 10_000, 250)).isInstanceOf(ConfigException.class)
        .hasMessage("ack_timeout=9000000000000000s is above the limit of 86400s (one day)");
    assertThatThrownBy(() -> new Timing(1_000, 1_000, huge, 2_000, 10_000, 250))
        .hasMessageStartingWith("watchdog_timeout=9000000000000000s is above the limit");
    assertThatThrownBy(() -> new Timing(1_000, 1_000, 5_000, Long.MAX_VALUE, 10_000, 250))
        .hasMessageStartingWith("lease_timeout=");
    assertThatThrownBy(() -> new Timing(Timing.MAX_DURATION_MS + 1, 1_000, 5_000, 8_000, 10_000, 250))
        .hasMessage("renew_interval=86400.001s is above the limit of 86400s (one day)");
    assertThatThrownBy(() -> new Timing(1_000, 1_000, 5_000, 8_000, Timing.DRIFT_LIMIT_PPM, 250))
        .hasMessage("drift: 20.0% is out of range (0% to below 20%)");
    assertThatThrownBy(() -> Timing.minimumLeaseMs(1_000, huge, huge, 0)).isInstanceOf(ArithmeticException.class);
    // every timing at its limit together: the bound is computed exactly and is far from overflowing
    long day = Timing.MAX_DURATION_MS;
    assertThat(Timing.minimumLeaseMs(day, day, day, Timing.DRIFT_LIMIT_PPM - 1)).isGreaterThan(2 * day);
    assertThatThrownBy(() -> new Timing(day, day, day, day, Timing.DRIFT_LIMIT_PPM - 1, day))
        .hasMessageContaining("lease_timeout=86400s breaks the safety inequality");
    assertThat(new Timing(1_000, day / 4, day / 4, day, 0, 250).leaseMs()).isEqualTo(day);
  }

  @Test
  void restartHoldIsValidatedAndLengthensTheBoundByTheSameInequality() {
    Timing t = Timing.defaults();
    assertThat(t.restartHoldMs()).isEqualTo(60_000);
    assertThat(t.holdLeaseMs(0)).isEqualTo(t.leaseMs());
    // L_H = L + ((X + H) - (X + W))(1 + rho)^2 = 8 s + 55 s * 1.0201 = 64.1055 s, rounded up as the bound is
    assertThat(t.holdLeaseMs(60_000)).isEqualTo(8_000 + 56_106);
    assertThat(t.holdLeaseMs(60_000)).isGreaterThanOrEqualTo(Timing.minimumLeaseMs(1_000, 1_000, 60_000, 10_000));
    assertThat(new Timing(1_000, 1_000, 5_000, 8_000, 10_000, 250, 0).restartHoldMs()).isZero();
    assertThatThrownBy(() -> new Timing(1_000, 1_000, 5_000, 8_000, 10_000, 250, 4_000))
        .hasMessage("restart_hold=4s must be 0 (no hold) or between watchdog_timeout=5s and 3600s (the process "
            + "watchdog holds at most one hour)");
    assertThatThrownBy(() -> new Timing(1_000, 1_000, 5_000, 8_000, 10_000, 250, 3_600_001))
        .hasMessageStartingWith("restart_hold=3600.001s must be 0");
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
