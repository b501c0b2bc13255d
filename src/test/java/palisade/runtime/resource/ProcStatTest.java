package palisade.runtime.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The /proc parsers on fixture files (src/test/resources/proc), and the readers on this very process. */
class ProcStatTest {
  private static String fixture(String name) throws IOException {
    try (InputStream in = ProcStatTest.class.getResourceAsStream("/proc/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void cpuTicksSumUserSystemAndWaitedChildrenAfterACommandWithSpacesAndParentheses() throws IOException {
    // utime 250, stime 30, cutime 7, cstime 3; the name "my (odd) proc" must not shift the fields
    assertThat(ProcStat.cpuTicks(fixture("stat"))).isEqualTo(290);
  }

  @Test
  void residentMemoryComesFromVmRssInKilobytes() throws IOException {
    assertThat(ProcStat.rssBytes(fixture("status"))).isEqualTo(2172L * 1024);
    assertThat(ProcStat.rssBytes("Name:\tkthreadd\nState:\tS\n")).as("a kernel thread has no VmRSS").isZero();
  }

  @Test
  void hostMemoryComesFromMemTotal() throws IOException {
    assertThat(ProcStat.memTotalBytes(fixture("meminfo"))).isEqualTo(24683664L * 1024);
    assertThatThrownBy(() -> ProcStat.memTotalBytes("MemFree: 1 kB\n")).hasMessageContaining("MemTotal");
  }

  @Test
  void aTruncatedStatLineIsRefusedNotMisread() {
    assertThatThrownBy(() -> ProcStat.cpuTicks("1 (x) R 1 2 3")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcStat.cpuTicks("garbage")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theParentIsField4AfterTheCommand() throws IOException {
    assertThat(ProcStat.ppid(fixture("stat"))).isEqualTo(1);
    assertThatThrownBy(() -> ProcStat.ppid("7 (x)")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProcStat.ppid("7 (x) S y 1")).hasMessageContaining("parent 'y'");
  }

  @Test
  void readsThisProcessAndNothingForAProcessThatIsGone() {
    long me = ProcessHandle.current().pid();
    ProcTable table = ProcTable.read();
    assertThat(table.cpuTicks(me)).as("a JVM has used CPU by now").isPositive();
    assertThat(table.tree(me)).startsWith(me);
    assertThat(ProcStat.rssBytes(me)).as("a JVM is resident").isGreaterThan(10L << 20);
    assertThat(ProcStat.rssBytes(Integer.MAX_VALUE)).isZero();
    assertThat(table.tree(Integer.MAX_VALUE)).isEmpty();
    assertThat(ProcStat.memTotalBytes()).isGreaterThan(ProcStat.rssBytes(me));
  }
}
