package palisade.runtime.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** One /proc pass gives every resource's process tree: built from stat lines here, read live in ProcStatTest. */
class ProcTableTest {
  /** A stat line of pid with parent ppid and utime ticks of CPU (stime, cutime, cstime 0). */
  private static String stat(long pid, String name, long ppid, long utime) {
    return pid + " (" + name + ") S " + ppid + " " + pid + " " + pid + " 0 -1 4194304 0 0 0 0 " + utime
        + " 0 0 0 20 0 1 0 100 0 0";
  }

  @Test
  void aTreeIsTheProcessThenEveryDescendantAndNothingElse() {
    ProcTable t = ProcTable.of(Map.of(
        1L, stat(1, "init", 0, 5),
        10L, stat(10, "sh", 1, 3),
        11L, stat(11, "sleep (a) b", 10, 4), // a name with spaces and parentheses
        12L, stat(12, "child", 11, 2),
        20L, stat(20, "other", 1, 9),
        30L, "garbage")); // left out, as a process that exited
    assertThat(t.tree(10)).containsExactly(10L, 11L, 12L);
    assertThat(t.tree(10).stream().mapToLong(t::cpuTicks).sum()).isEqualTo(9);
    assertThat(t.tree(20)).containsExactly(20L);
    assertThat(t.tree(30)).as("unreadable").isEmpty();
    assertThat(t.tree(99)).as("gone").isEmpty();
    assertThat(t.cpuTicks(99)).isZero();
  }

  @Test
  void aProcessThatNamesItselfItsParentIsNotLoopedOver() {
    ProcTable t = ProcTable.of(Map.of(0L, stat(0, "idle", 0, 1), 5L, stat(5, "x", 0, 1)));
    assertThat(t.tree(0)).containsExactly(0L, 5L);
  }
}
