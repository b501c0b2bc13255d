package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import palisade.core.AutoRebalanceConfig;
import palisade.core.Crs;
import palisade.core.Rule;

/** The placement words of the scenario grammar: rules, crs options, capacities, operator service actions. */
class RuleGrammarTest {
  private static void refused(String expectedMessage, String... lines) {
    assertThatThrownBy(() -> Scenario.parse("t.scn", List.of(lines)))
        .isInstanceOf(Scenario.ScenarioException.class).hasMessageContaining(expectedMessage);
  }

  @Test
  void rulesAndOptionsReadIntoTheConfiguration() throws Exception {
    Scenario s = Scenario.parse("t.scn", List.of("nodes node1 node2 node3", "node node1 cpu=8 mem=64G",
        "option crs=static", "option crs_rebalance_on_start=yes",
        "resource vm:1 node=node1 cpu=2 mem=512M", "resource vm:2 node=node2",
        "rule pin node-affinity nodes=node1:2,node2 resources=vm:1 strict=yes failback=no",
        "rule apart resource-affinity negative resources=vm:1,vm:2", "run 1s"));
    var p = s.config().placement();
    assertThat(p.crs()).isEqualTo(Crs.STATIC);
    assertThat(p.rebalanceOnStart()).isTrue();
    assertThat(p.capacity("node1").memBytes()).isEqualTo(64L << 30);
    assertThat(p.demand("vm:1").memBytes()).isEqualTo(512L << 20);
    Rule pin = p.rules().get("pin");
    assertThat(pin.strict()).isTrue();
    assertThat(pin.failback()).isFalse();
    assertThat(pin.nodes()).containsEntry("node1", 2).containsEntry("node2", 0);
    assertThat(p.rules().get("apart").kind()).isEqualTo(Rule.Kind.NEGATIVE);
    // The file prints back as it replays.
    assertThat(s.text(List.of())).contains("rule apart resource-affinity negative resources=vm:1,vm:2");
  }

  @Test
  void badRulesAreRefusedNamingTheRule() {
    refused("t.scn:3: rule r: unknown resource 'vm:9'", "nodes node1 node2", "resource vm:1 node=node1",
        "rule r resource-affinity positive resources=vm:1,vm:9", "run 1s");
    refused("t.scn:2: rule r: expected positive or negative, got 'together'", "nodes node1",
        "rule r resource-affinity together resources=a,b", "run 1s");
    refused("t.scn:2: rule r: unknown kind 'host-affinity'", "nodes node1", "rule r host-affinity resources=a",
        "run 1s");
    refused("t.scn: rules p and n conflict: vm:1 and vm:2 must be both together and apart", "nodes node1 node2",
        "resource vm:1 node=node1", "resource vm:2 node=node2",
        "rule p resource-affinity positive resources=vm:1,vm:2",
        "rule n resource-affinity negative resources=vm:1,vm:2", "run 1s");
    refused("t.scn:2: option crs: expected basic, static or dynamic, got 'smart'", "nodes node1",
        "option crs=smart", "run 1s");
    refused("t.scn:2: node node1 mem: '12Q' is not a size", "nodes node1", "node node1 mem=12Q", "run 1s");
  }

  @Test
  void autoRebalanceOptionsReadIntoTheConfigurationAndBadValuesNameTheKey() throws Exception {
    var off = Scenario.parse("t.scn", List.of("nodes node1", "run 1s")).config().placement().autoRebalance();
    assertThat(off).isEqualTo(AutoRebalanceConfig.OFF);
    assertThat(off.on()).isFalse();
    var a = Scenario.parse("t.scn", List.of("nodes node1 node2", "option crs=static", "option crs_auto_rebalance=yes",
        "option crs_auto_rebalance_method=topsis", "option crs_auto_rebalance_threshold=0.25",
        "option crs_auto_rebalance_hold=45s", "option crs_auto_rebalance_margin=0.2", "run 1s"))
        .config().placement().autoRebalance();
    assertThat(a).isEqualTo(new AutoRebalanceConfig(true, AutoRebalanceConfig.Method.TOPSIS, 0.25, 45_000, 0.2));
    refused("t.scn:2: option crs_auto_rebalance: ", "nodes node1", "option crs_auto_rebalance=maybe", "run 1s");
    refused("t.scn:2: option crs_auto_rebalance_method: expected bruteforce or topsis, got 'greedy'", "nodes node1",
        "option crs_auto_rebalance_method=greedy", "run 1s");
    refused("t.scn:2: option crs_auto_rebalance_threshold: 'high' is not a number", "nodes node1",
        "option crs_auto_rebalance_threshold=high", "run 1s");
    refused("t.scn:2: crs_auto_rebalance_threshold: -0.1 is out of range", "nodes node1",
        "option crs_auto_rebalance_threshold=-0.1", "run 1s");
    refused("t.scn:2: option crs_auto_rebalance_hold: '3rounds' is not a duration", "nodes node1",
        "option crs_auto_rebalance_hold=3rounds", "run 1s");
    refused("t.scn:2: crs_auto_rebalance_margin: 1.5 is out of range (0 to 1)", "nodes node1",
        "option crs_auto_rebalance_margin=1.5", "run 1s");
  }

  @Test
  void operatorServiceWordsAndTransientFailures() throws Exception {
    Scenario s = Scenario.parse("t.scn", List.of("nodes node1 node2",
        "resource vm:1 node=node1 fail_start=node1:2,node2 fail_migrate=node2:1 fail_stop=node2",
        "at 1s service vm:2 add node=node2 state=stopped cpu=1 mem=1G", "at 2s service vm:2 start",
        "at 3s service vm:1 stop 0", "at 4s service vm:2 ignore", "at 5s service vm:2 delete",
        "at 6s usage vm:1 cpu=0.5 mem=2G", "expect at 7s vm:2 not running", "run 8s"));
    assertThat(s.actions()).hasSize(6);
    assertThat(s.actions().get(2).action().words()).isEqualTo("service vm:1 stop 0s");
    refused("t.scn:2: service: unknown resource 'vm:3'", "nodes node1", "at 1s service vm:3 delete", "run 2s");
    refused("t.scn:2: resource vm:1 fail_start: the count of node1 must be at least 1", "nodes node1",
        "resource vm:1 node=node1 fail_start=node1:0", "run 1s");
  }
}
