package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A recovery larger than the manager's status budget goes out in several writes (issue 14): each write changes at
 * most the budget's statuses and disk leases beside what stepping one resource moves, the resources left over are recovered by the
 * following writes, and leaving them out is as invisible to skipping as a quiet resource is.
 */
class StatusBudgetTest {
  private static final Path SCENARIO = Path.of("src/test/scenarios/b-budget-recovery.scn");

  private static List<String> run(boolean stepAll) throws Exception {
    return run(SCENARIO, stepAll);
  }

  private static List<String> run(Path scenario, boolean stepAll) throws Exception {
    Scenario s = Scenario.load(scenario);
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
    // The one exception is the write carrying node1's fence: every resource on node1 moves to fence in it, as an
    // agent that sees its fence must find none still assigned to it (QuietResources.onFencedNode).
    String fenceWrite = log.stream().filter(l -> l.contains("budget reached") && log.indexOf(l) > indexOf(log,
        "node1: online -> fencing")).findFirst().orElseThrow();
    int onNode1 = (int) log.stream().filter(l -> l.contains("-> fence on node1") && log.indexOf(l) < log.indexOf(
        fenceWrite)).count();
    assertThat(onNode1).isGreaterThan(3);
    assertThat(fenceWrite).contains(": " + onNode1 + " statuses changed");
    // Disk leases count too (vm:101-103 list a disk each): a write is full at three entries, statuses and leases,
    // and one resource's step is never split, so a status with its lease may pass the budget by one.
    assertThat(full).filteredOn(l -> !l.equals(fenceWrite)).allMatch(l -> entries(l) == 3 || entries(l) == 4);
    assertThat(full).anyMatch(l -> l.contains(" disk lease"));
    // Recovered one write after another: tokens after the fence are issued in recovery order, priority 2 first.
    int first = indexOf(log, "vm:104: recovery -> started");
    assertThat(first).isPositive();
    assertThat(indexOf(log, "vm:110: recovery -> started")).isGreaterThan(first);
  }

  @Test
  void fencesOfNodesFailingTogetherAreSpreadAndEachCarriesAllItsResources() throws Exception {
    List<String> log = run(Path.of("src/test/scenarios/b-budget-fences-spread.scn"), false);
    List<Integer> fencing = new ArrayList<>();
    for (String n : List.of("node5", "node6", "node7")) {
      int at = indexOf(log, n + ": unknown -> fencing");
      assertThat(at).as(n + " fenced").isPositive();
      fencing.add(at);
      // its three VMs move to fence in the very write that fenced it: between it and that write's end
      int end = at + 1;
      while (end < log.size() && !log.get(end).contains("status budget reached")) end++;
      assertThat(log.subList(at, end)).filteredOn(l -> l.contains("-> fence on " + n)).hasSize(3);
    }
    // one node per write: each fence waited for the round after the one before (budget 3, three VMs a node)
    String t5 = log.get(fencing.get(0)).trim().split(" ")[0];
    String t6 = log.get(fencing.get(1)).trim().split(" ")[0];
    String t7 = log.get(fencing.get(2)).trim().split(" ")[0];
    assertThat(List.of(t5, t6, t7)).doesNotHaveDuplicates();
    assertThat(run(Path.of("src/test/scenarios/b-budget-fences-spread.scn"), true)).isEqualTo(log);
  }

  @Test
  void skippingQuietResourcesChangesNothingUnderABudget() throws Exception {
    assertThat(run(true)).isEqualTo(run(false));
  }

  /** Statuses plus disk leases a "status budget reached" line counts. */
  private static int entries(String line) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        ": (\\d+) statuses(?: and (\\d+) disk leases?)? changed").matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return Integer.parseInt(m.group(1)) + (m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
  }

  private static int indexOf(List<String> log, String text) {
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).contains(text)) return i;
    }
    return -1;
  }
}
