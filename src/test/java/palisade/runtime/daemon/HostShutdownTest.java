package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.runtime.daemon.HostShutdown.Kind;

/** Telling a host shutdown from a daemon restart, as Proxmox does: systemd's queued jobs, or the lab's file. */
class HostShutdownTest {
  @TempDir
  Path dir;

  @Test
  void systemdJobsNameTheKindOfShutdown() {
    assertThat(HostShutdown.parseJobs("")).isEqualTo(Kind.NONE);
    assertThat(HostShutdown.parseJobs("1234 palisade.service stop running\n")).isEqualTo(Kind.NONE);
    assertThat(HostShutdown.parseJobs("""
        1621 poweroff.target               start waiting
        1623 shutdown.target               start waiting
        1700 palisade.service              stop  running
        """)).isEqualTo(Kind.POWEROFF);
    assertThat(HostShutdown.parseJobs("12 halt.target start waiting\n")).isEqualTo(Kind.POWEROFF);
    assertThat(HostShutdown.parseJobs("""
        1623 shutdown.target start waiting
        1621 reboot.target   start waiting
        """)).isEqualTo(Kind.REBOOT);
    assertThat(HostShutdown.parseJobs("7 kexec.target start waiting\n")).isEqualTo(Kind.REBOOT);
    // A reboot wins whatever the order; a stop job of a target is no shutdown.
    assertThat(HostShutdown.parseJobs("1 reboot.target start waiting\n2 poweroff.target start waiting\n"))
        .isEqualTo(Kind.REBOOT);
    assertThat(HostShutdown.parseJobs("1 reboot.target stop waiting\n")).isEqualTo(Kind.NONE);
  }

  @Test
  void theLabsFileIsReadOnceAndAbsenceMeansARestartOfTheDaemonAlone() throws Exception {
    Path f = dir.resolve("host-shutdown");
    HostShutdown h = HostShutdown.file(f);
    assertThat(h.queued()).isEqualTo(Kind.NONE);
    Files.writeString(f, "reboot\n");
    assertThat(h.queued()).isEqualTo(Kind.REBOOT);
    assertThat(f).doesNotExist();
    assertThat(h.queued()).as("a booted host has no job left").isEqualTo(Kind.NONE);
    Files.writeString(f, "poweroff\n");
    assertThat(h.queued()).isEqualTo(Kind.POWEROFF);
    Files.writeString(f, "nonsense\n");
    assertThat(h.queued()).isEqualTo(Kind.NONE);
  }

  @Test
  void withoutSystemdOrWithoutAJobItIsNoShutdown() {
    // This machine's systemctl (if any) has no shutdown queued while the tests run.
    assertThat(HostShutdown.systemd().queued()).isEqualTo(Kind.NONE);
  }

  @Test
  void shutdownSettingsAreValidated() {
    String base = "cluster: c\nnode: node1\n" + DaemonConfigTest.NODES;
    DaemonConfig d = DaemonConfigTest.parse(base);
    assertThat(d.shutdown().timeoutMs()).isEqualTo(180_000);
    assertThat(d.shutdown().hostShutdownFile()).isNull();
    DaemonConfig c = DaemonConfigTest.parse(base + "shutdown_timeout: 90s\nhost_shutdown_file: run/hs\n");
    assertThat(c.shutdown().timeoutMs()).isEqualTo(90_000);
    assertThat(c.shutdown().hostShutdownFile()).isEqualTo(Path.of("/var/lib/x/run/hs"));
    assertThatThrownBy(() -> DaemonConfigTest.parse(base + "shutdown_timeout: soon\n"))
        .hasMessageStartingWith("shutdown_timeout: 'soon' is not a duration");
    assertThatThrownBy(() -> DaemonConfigTest.parse(base + "shutdown_timeout: 0s\n"))
        .hasMessageStartingWith("shutdown_timeout: '0s' must be above 0 and at most 24h");
    assertThatThrownBy(() -> DaemonConfigTest.parse(base + "shutdown_timeout: 25h\n"))
        .hasMessageStartingWith("shutdown_timeout: '25h' must be above 0 and at most 24h");
  }

  @Test
  void theFileSeedsTheClustersPoliciesOfANewCluster() {
    String nodes = """
        nodes:
          - {name: node1, address: 127.0.1.1}
          - {name: node2, address: 127.0.1.2, shutdown_policy: migrate}
        """;
    DaemonConfig c = DaemonConfigTest.parse("cluster: c\nnode: node1\nshutdown_policy: freeze\n" + nodes);
    palisade.core.ClusterConfig initial = ClusterFacts.initial(c);
    assertThat(initial.shutdownPolicy()).isEqualTo(palisade.core.ShutdownPolicy.FREEZE);
    assertThat(initial.shutdownPolicyOf("node1")).isEqualTo(palisade.core.ShutdownPolicy.FREEZE);
    assertThat(initial.shutdownPolicyOf("node2")).isEqualTo(palisade.core.ShutdownPolicy.MIGRATE);
    assertThat(ClusterFacts.initial(DaemonConfigTest.parse("cluster: c\nnode: node1\n" + nodes)).shutdownPolicy())
        .isEqualTo(palisade.core.ShutdownPolicy.CONDITIONAL);
    assertThatThrownBy(() -> DaemonConfigTest.parse("cluster: c\nnode: node1\nshutdown_policy: never\n" + nodes))
        .hasMessage("shutdown_policy: 'never' is not one of conditional, freeze, failover, migrate");
    assertThatThrownBy(() -> DaemonConfigTest.parse("cluster: c\nnode: node1\n" + nodes.replace("migrate", "x")))
        .hasMessage("nodes[1]: shutdown_policy 'x' is not one of conditional, freeze, failover, migrate");
  }
}
