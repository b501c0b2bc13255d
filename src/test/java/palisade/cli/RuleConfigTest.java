package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import palisade.core.AutoRebalanceConfig;
import palisade.core.Capacity;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.Crs;
import palisade.core.NodeConfig;
import palisade.core.PlacementConfig;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.Rule;
import palisade.core.ShutdownPolicy;
import palisade.runtime.store.Codec;

/** Rules as the CLI writes them into /config: stored and read back whole, conflicts refused naming both rules. */
class RuleConfigTest {
  private static ClusterConfig cluster() {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : List.of("node1", "node2")) nodes.put(n, NodeConfig.standard(n));
    TreeMap<String, ResourceConfig> rs = new TreeMap<>();
    for (String id : List.of("vm:1", "vm:2")) {
      rs.put(id, ResourceConfig.sim(id, "node1", RequestState.STARTED, null, 0, 1, 1, List.of()));
    }
    return new ClusterConfig(nodes, new TreeMap<>(), rs, ShutdownPolicy.CONDITIONAL);
  }

  @Test
  void rulesCrsAndCapacitiesSurviveTheStoreAndAnOlderConfigReadsAsNone() throws Exception {
    ClusterConfig c = RuleCommand.withRule(cluster(), "apart", Rule.resourceAffinity("apart", false,
        new TreeSet<>(List.of("vm:1", "vm:2"))));
    c = RuleCommand.withRule(c, "pin", Rule.nodeAffinity("pin", RuleCommand.nodes("node1:2,node2"),
        RuleCommand.resources("vm:1"), true, false));
    c = c.withPlacement(new PlacementConfig(c.placement().rules(), Crs.STATIC, true,
        new TreeMap<>(Map.of("node1", new Capacity(8, 64L << 30))),
        new TreeMap<>(Map.of("vm:1", new Capacity(0.5, 512L << 20)))).withAutoRebalance(
        new AutoRebalanceConfig(true, AutoRebalanceConfig.Method.TOPSIS, 0.2, 60_000, 0.15)));
    ClusterConfig back = (ClusterConfig) Codec.decode("/config", Codec.encode(c));
    assertThat(back).isEqualTo(c);
    assertThat(back.placement().autoRebalance().method()).isEqualTo(AutoRebalanceConfig.Method.TOPSIS);
    // A placement written before crs_auto_rebalance existed reads as off.
    String noAuto = new String(Codec.encode(c), StandardCharsets.UTF_8).replaceAll(
        ",?\"autoRebalance\":\\{[^}]*\\}", "");
    assertThat(noAuto).doesNotContain("autoRebalance").contains("resourceDemand");
    ClusterConfig before = (ClusterConfig) Codec.decode("/config", noAuto.getBytes(StandardCharsets.UTF_8));
    assertThat(before.placement().autoRebalance()).isEqualTo(AutoRebalanceConfig.OFF);
    String older = new String(Codec.encode(cluster()), StandardCharsets.UTF_8).replaceAll(",\"placement\":\\{.*\\}\\}$",
        "}");
    assertThat(older).doesNotContain("placement");
    ClusterConfig old = (ClusterConfig) Codec.decode("/config", older.getBytes(StandardCharsets.UTF_8));
    assertThat(old.placement()).isEqualTo(PlacementConfig.NONE);
    assertThat(old.placement().plain()).isTrue();
  }

  @Test
  void aConflictingRuleIsRefusedNamingBothAndListsInTheGrammarsWords() {
    ClusterConfig c = RuleCommand.withRule(cluster(), "apart", Rule.resourceAffinity("apart", false,
        new TreeSet<>(List.of("vm:1", "vm:2"))));
    assertThatThrownBy(() -> RuleCommand.withRule(c, "with", Rule.resourceAffinity("with", true,
        new TreeSet<>(List.of("vm:1", "vm:2"))))).isInstanceOf(ConfigException.class)
        .hasMessage("rules with and apart conflict: vm:1 and vm:2 must be both together and apart");
    assertThat(c.placement().rules().get("apart").describe())
        .isEqualTo("rule apart resource-affinity negative resources=vm:1,vm:2");
    assertThatThrownBy(() -> RuleCommand.nodes("node1:x")).isInstanceOf(CliError.class)
        .hasMessage("--nodes: priority of 'node1:x' is not a number");
    assertThatThrownBy(() -> RuleCommand.yesNo("maybe", "--strict")).hasMessage("--strict: expected yes or no, got "
        + "'maybe'");
  }

  @Test
  void ruleCrsSetsTheAutoRebalanceOptionsAndABadValueNamesItsOption() {
    RuleCommand.CrsMode cmd = new picocli.CommandLine(new RuleCommand.CrsMode()).parseArgs("--auto-rebalance", "yes",
        "--method", "topsis", "--threshold", "0.4", "--hold", "45s", "--margin", "0.2").asCommandLineList().get(0)
        .getCommand();
    assertThat(cmd.mode).as("the mode may be left out").isNull();
    AutoRebalanceConfig a = cmd.autoRebalance(AutoRebalanceConfig.OFF);
    assertThat(a).isEqualTo(new AutoRebalanceConfig(true, AutoRebalanceConfig.Method.TOPSIS, 0.4, 45_000, 0.2));
    assertThat(RuleCommand.options(PlacementConfig.NONE.withAutoRebalance(a))).containsExactly("crs=basic",
        "crs_rebalance_on_start=no", "crs_auto_rebalance=yes", "crs_auto_rebalance_method=topsis",
        "crs_auto_rebalance_threshold=0.4", "crs_auto_rebalance_hold=45s", "crs_auto_rebalance_margin=0.2");
    RuleCommand.CrsMode keep = new RuleCommand.CrsMode();
    keep.margin = "0.05";
    assertThat(keep.autoRebalance(a)).as("options left out keep their value").isEqualTo(a.withMargin(0.05));
    for (String[] bad : List.of(new String[] {"--method", "smart", "--method: expected bruteforce or topsis"},
        new String[] {"--threshold", "lots", "--threshold: 'lots' is not a number"},
        new String[] {"--threshold", "-1", "--threshold: crs_auto_rebalance_threshold: -1.0 is out of range"},
        new String[] {"--hold", "soon", "--hold"},
        new String[] {"--margin", "2", "--margin: crs_auto_rebalance_margin: 2.0 is out of range (0 to 1)"},
        new String[] {"--auto-rebalance", "perhaps", "--auto-rebalance: expected yes or no, got 'perhaps'"})) {
      RuleCommand.CrsMode c = new RuleCommand.CrsMode();
      new picocli.CommandLine(c).parseArgs(bad[0], bad[1]);
      assertThatThrownBy(() -> c.autoRebalance(AutoRebalanceConfig.OFF)).isInstanceOf(CliError.class)
          .hasMessageStartingWith(bad[2]);
    }
  }
}
