package palisade.runtime.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process table on disk: changes appended, read back in order, rewritten whole once it has grown. */
class ProcessStateFileTest {
  @TempDir
  Path dir;

  @Test
  void appendedStartsAndStopsReadBackAsTheTableLaterLinesWinning() throws Exception {
    ProcessStateFile f = new ProcessStateFile(dir.resolve("processes.state"));
    f.save(Map.of("a", new ProcessStateFile.Entry(10, 100, 1)));
    assertThat(f.append("b", new ProcessStateFile.Entry(11, 101, 2), 2)).isFalse();
    assertThat(f.append("c", new ProcessStateFile.Entry(12, 102, 3), 3)).isFalse();
    assertThat(f.append("b", null, 2)).isFalse();
    assertThat(f.append("a", new ProcessStateFile.Entry(13, 103, 4), 2)).as("a restarted under a new token").isFalse();
    List<String> warnings = new ArrayList<>();
    assertThat(f.load(warnings::add)).isEqualTo(new TreeMap<>(Map.of(
        "a", new ProcessStateFile.Entry(13, 103, 4), "c", new ProcessStateFile.Entry(12, 102, 3))));
    assertThat(warnings).isEmpty();
  }

  @Test
  void theFileIsRewrittenWholeOnceItHoldsTwiceTheTablePlusTheSlack() throws Exception {
    Path file = dir.resolve("processes.state");
    ProcessStateFile f = new ProcessStateFile(file);
    f.save(Map.of());
    int appended = 0;
    boolean due = false;
    while (!due) { // one resource started and stopped again and again: a table of at most one
      due = f.append("x", appended % 2 == 0 ? new ProcessStateFile.Entry(1, 1, appended) : null, appended % 2 == 0
          ? 1 : 0);
      appended++;
    }
    assertThat(appended).isBetween(ProcessStateFile.SLACK, ProcessStateFile.SLACK + 3);
    f.save(Map.of());
    assertThat(Files.readAllLines(file)).isEmpty();
    assertThat(f.append("x", new ProcessStateFile.Entry(1, 1, 1), 1)).isFalse();
  }

  @Test
  void aFileNotWrittenByThisObjectIsRewrittenWholeFirst() throws Exception {
    ProcessStateFile f = new ProcessStateFile(dir.resolve("processes.state"));
    assertThat(f.append("a", new ProcessStateFile.Entry(1, 1, 1), 1)).isTrue();
    f.save(Map.of("a", new ProcessStateFile.Entry(1, 1, 1)));
    Files.delete(dir.resolve("processes.state"));
    assertThat(f.append("b", new ProcessStateFile.Entry(2, 2, 2), 2)).as("removed meanwhile").isTrue();
  }
}
