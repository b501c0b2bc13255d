package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import palisade.core.ClusterConfig;
import palisade.core.PowerSavingConfig;
import palisade.runtime.store.Codec;

/** The power saving options: read into the configuration, carried in /config, bad values named by their key. */
class PowerSavingGrammarTest {
  private static void refused(String expectedMessage, String... lines) {
    assertThatThrownBy(() -> Scenario.parse("t.scn", List.of(lines)))
        .isInstanceOf(Scenario.ScenarioException.class).hasMessageContaining(expectedMessage);
  }

  @Test
  void optionsReadIntoTheConfigurationWithDocumentedDefaults() throws Exception {
    PowerSavingConfig off = Scenario.parse("t.scn", List.of("nodes node1", "run 1s")).config().placement()
        .powerSaving();
    assertThat(off).isEqualTo(PowerSavingConfig.OFF);
    assertThat(off.on()).isFalse();
    assertThat(off.minNodes()).isEqualTo(2);
    assertThat(off.low()).isEqualTo(0.3);
    assertThat(off.high()).isEqualTo(0.75);
    assertThat(off.holdMs()).isEqualTo(60_000);
    // low is set above the default high before high is raised: the pair is checked once every option is read
    PowerSavingConfig p = Scenario.parse("t.scn", List.of("nodes node1 node2 node3", "option power_saving=on",
        "option power_saving_min_nodes=1", "option power_saving_low=0.8", "option power_saving_high=0.9",
        "option power_saving_hold=45s", "run 1s")).config().placement().powerSaving();
    assertThat(p).isEqualTo(new PowerSavingConfig(true, 1, 0.8, 0.9, 45_000));
    assertThat(p.lines()).containsExactly("power_saving=on", "power_saving_min_nodes=1", "power_saving_low=0.8",
        "power_saving_high=0.9", "power_saving_hold=45s");
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    refused("t.scn:2: option power_saving: expected on or off, got 'yes'", "nodes node1", "option power_saving=yes",
        "run 1s");
    refused("t.scn:2: option power_saving_min_nodes: 0 is out of range (1 to 10000)", "nodes node1",
        "option power_saving_min_nodes=0", "run 1s");
    refused("t.scn:2: option power_saving_min_nodes: 'two' is not a whole number", "nodes node1",
        "option power_saving_min_nodes=two", "run 1s");
    refused("t.scn:2: option power_saving_low: 'low' is not a number", "nodes node1", "option power_saving_low=low",
        "run 1s");
    refused("t.scn:2: option power_saving_high: 1.5 is out of range", "nodes node1", "option power_saving_high=1.5",
        "run 1s");
    refused("t.scn:2: option power_saving_hold: '3rounds' is not a duration", "nodes node1",
        "option power_saving_hold=3rounds", "run 1s");
    refused("power_saving_low: 0.8 must be below power_saving_high (0.75)", "nodes node1",
        "option power_saving_low=0.8", "run 1s");
  }

  @Test
  void carriedInConfigAndAnOlderConfigReadsAsOff() throws Exception {
    ClusterConfig c = Scenario.parse("t.scn", List.of("nodes node1 node2 node3", "option power_saving=on",
        "option power_saving_hold=10s", "run 1s")).config();
    ClusterConfig back = (ClusterConfig) Codec.decode("/config", Codec.encode(c));
    assertThat(back.placement().powerSaving()).isEqualTo(c.placement().powerSaving());
    assertThat(back.placement().powerSaving().on()).isTrue();
    String older = new String(Codec.encode(c), StandardCharsets.UTF_8).replaceAll(",?\"powerSaving\":\\{[^}]*\\}",
        "");
    assertThat(older).doesNotContain("powerSaving");
    ClusterConfig old = (ClusterConfig) Codec.decode("/config", older.getBytes(StandardCharsets.UTF_8));
    assertThat(old.placement().powerSaving()).isEqualTo(PowerSavingConfig.OFF);
  }
}
