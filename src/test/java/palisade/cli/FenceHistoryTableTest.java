package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import palisade.core.FenceEntry;

/**
 * `palisade fence history` answers "when was node3 fenced, how, by whom": each line shows its time, node, kind
 * (watchdog, power, manual), who acted and the outcome, in aligned columns however long an operator's name is.
 */
class FenceHistoryTableTest {
  private static final long T = 1_764_763_200_000L; // some wall-clock time

  private static String table(List<FenceEntry> entries, String node) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FenceCommand.print(entries, node, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void showsTimeNodeKindByAndOutcome() {
    List<FenceEntry> entries = List.of(
        new FenceEntry("node3", 2, 0, null, FenceEntry.SUMMARY, FenceEntry.WATCHDOG, "node1", T, T),
        new FenceEntry("node3", 2, 0, "bmc3", FenceEntry.CYCLE, "ordered via node2 (attempt 9)", "node1", T + 60_000,
            T + 60_000),
        new FenceEntry("node3", 9, 1, "bmc3", "off", "ok", "node2", T + 60_100, T + 60_350),
        new FenceEntry("node3", 9, 1, "bmc3", FenceEntry.CYCLE, FenceEntry.ON_CONFIRMED, "node2", T + 61_000,
            T + 61_000),
        new FenceEntry("node2", 3, 0, null, FenceEntry.SUMMARY, FenceEntry.MANUAL,
            "admin (admin) on host at 2025-12-03T12:00:00Z", T + 70_000, T + 70_000));
    List<String> lines = table(entries, null).lines().toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).startsWith("TIME").contains("NODE", "KIND", "ACTION", "BY", "OUTCOME");
    assertThat(lines.get(1)).contains(FenceCommand.time(T), "node3", "watchdog", "node1", "watchdog confirm",
        "generation 2");
    assertThat(lines.get(2)).contains("power", "cycle", "ordered via node2");
    assertThat(lines.get(3)).contains("power", "off", "node2", "ok", "250ms", "attempt 9");
    assertThat(lines.get(5)).contains("node2", "manual", "admin (admin) on host", "manual confirm");
    int outcome = lines.get(0).indexOf("OUTCOME");
    for (String l : lines.subList(1, lines.size())) {
      assertThat(l.charAt(outcome - 1)).as("columns aligned: %s", l).isEqualTo(' ');
      assertThat(l.charAt(outcome)).as("columns aligned: %s", l).isNotEqualTo(' ');
    }
    assertThat(table(entries, "node2").lines()).hasSize(2);
    assertThat(table(List.of(), null)).isEqualTo("(no fence operations recorded)" + System.lineSeparator());
  }

  @Test
  void repairAfterArgumentsAreOffOrADurationUpToADay() {
    assertThat(FenceCommand.RepairAfter.parse("off")).isZero();
    assertThat(FenceCommand.RepairAfter.parse("10m")).isEqualTo(600_000);
    assertThat(FenceCommand.RepairAfter.describe(600_000)).isEqualTo("600s");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FenceCommand.RepairAfter.parse("soon"))
        .isInstanceOf(CliError.class).hasMessageStartingWith("repair_after: 'soon' is not a duration");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FenceCommand.RepairAfter.parse("0s"))
        .isInstanceOf(CliError.class).hasMessage("repair_after: '0s' must be more than 0 and at most 24h (or off)");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> FenceCommand.RepairAfter.parse("25h"))
        .isInstanceOf(CliError.class).hasMessageContaining("at most 24h");
  }
}
