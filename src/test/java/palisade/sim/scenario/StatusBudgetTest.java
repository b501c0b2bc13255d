package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A recovery larger than the manager's status budget goes out in several writes (issue 14): each write changes at
 * most the budget's statuses beside what stepping one resource moves, the resources left over are recovered by the
 * following writes, and leaving them out is as invisible to skipping as a quiet resource is.
 */
class StatusBudgetTest {
  private static final Path SCENARIO = Path.of("src/test/scenarios/b-budget-recovery.scn");

  private static List<String> run(boolean stepAll) throws Exception {
    Scenario s = Scenario.load(SCENARIO);
    s.options.stepAll(stepAll);
    List<String> log = new ArrayList<>();
    ScenarioRunner.Result r = new ScenarioRunner(s, 0, log::add).run();
    assertThat(r.failure()).isNull();
    return log;
  }

  @Test
  void recoveryOverSeveralWritesOfAtMostTheBudget() throws Exception {
    List<String> log = run(false);
    List<String> full = log.stream().filter(l -> l.contains("status budget reached")).toList();
    assertThat(full).hasSizeGreaterThanOrEqualTo(6); // first assignment and recovery both span several writes
    // Every write that filled up changed exactly the budget (stepping one resource here changes one status), the
    // first ones too: the configuration's twelve new statuses are added three per write, as an import's would be.
    assertThat(full).allMatch(l -> l.contains(": 3 statuses changed"));
    // Recovered one write after another: tokens after the fence are issued in recovery order, priority 2 first.
    int first = indexOf(log, "vm:104: recovery -> started");
    assertThat(first).isPositive();
    assertThat(indexOf(log, "vm:110: recovery -> started")).isGreaterThan(first);
  }

  @Test
  void skippingQuietResourcesChangesNothingUnderABudget() throws Exception {
    assertThat(run(true)).isEqualTo(run(false));
  }

  private static int indexOf(List<String> log, String text) {
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).contains(text)) return i;
    }
    return -1;
  }
}
