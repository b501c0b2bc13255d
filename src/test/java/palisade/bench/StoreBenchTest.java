package palisade.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import palisade.core.Timing;
import picocli.CommandLine;

/**
 * `bench store` at a tiny size: three real TLS store peers (child JVMs), five real agents and a manager. The last
 * line has its documented shape, the store was seeded in layout 3, the lost node's resources were assigned elsewhere,
 * never before its lease could have lapsed, and the peer processes are gone afterwards.
 */
@Tag("cluster")
class StoreBenchTest {
  private static final Pattern LAST = Pattern.compile(
      "bench store nodes=5 resources=50 renew_p99=(\\d+\\.\\d)ms failover=(\\d+\\.\\d{3})s");
  private static final Pattern SINCE = Pattern.compile("lost power with \\d+ resources, (\\d+) ms after its last");
  private static final Pattern PIDS = Pattern.compile("child JVMs \\(pids \\[([0-9, ]+)]\\)");

  @Test
  void tinyRunFailsOverAndStopsItsPeers() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = System.out;
    int code;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      code = new CommandLine(new StoreBench()).execute("--nodes", "5", "--resources", "50", "--duration", "10s");
    } finally {
      System.setOut(out);
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    out.print(text);
    assertThat(code).as(text).isZero();
    String[] lines = text.strip().split("\n");
    Matcher m = LAST.matcher(lines[lines.length - 1]);
    assertThat(m.matches()).as("last line: %s", lines[lines.length - 1]).isTrue();
    double failoverS = Double.parseDouble(m.group(2));
    // Never before the lease could have lapsed: L after the node's last committed renewal was sent. (Not L - R
    // after the power loss: renewals are due every R but sent on the next tick, later still on a loaded machine.)
    Matcher since = SINCE.matcher(text);
    assertThat(since.find()).as(text).isTrue();
    long sinceRenewalMs = Long.parseLong(since.group(1));
    assertThat(sinceRenewalMs).isBetween(0L, 10_000L);
    assertThat(failoverS * 1000).isGreaterThanOrEqualTo(Timing.defaults().leaseMs() - sinceRenewalMs);
    assertThat(text).contains("assigned elsewhere in /manager/state after").doesNotContain("after never");
    // The store is seeded as a new cluster's: layout 3, and the peers' own figures were read over the window.
    assertThat(text).contains("store layout 3: /config with 5 nodes and 50 resources")
        .containsPattern("store, all peers: \\d+ reads/s").contains("converged: every one of 50 resources started");
    Matcher p = PIDS.matcher(text);
    assertThat(p.find()).as(text).isTrue();
    List<Long> pids = new ArrayList<>();
    for (String s : p.group(1).split(",\\s*")) pids.add(Long.parseLong(s.strip()));
    assertThat(pids).hasSize(3);
    for (long pid : pids) {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("peer pid %d", pid).isFalse();
    }
  }
}
