package palisade.runtime.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import palisade.runtime.watchdog.Cgroup;

/** Which libvirt daemons the process watchdog's cgroup kill reaches. */
class LibvirtCoverageTest {
  @Test
  void findsTheLibvirtdPidFileOfALocalUri() {
    assertThat(LibvirtCoverage.pidFile("qemu+unix:///session?socket=/r/n1/libvirt/libvirt-sock"))
        .contains(Path.of("/r/n1/libvirt/libvirtd.pid"));
    assertThat(LibvirtCoverage.pidFile("qemu:///system")).contains(Path.of("/run/libvirt/libvirtd.pid"));
    assertThat(LibvirtCoverage.pidFile("qemu+ssh://host2/system")).isEmpty();
  }

  @Test
  void aProcessIsCoveredOnlyInsideTheDaemonsCgroup() {
    long self = ProcessHandle.current().pid();
    String own = Cgroup.of(self).orElse("/");
    assertThat(LibvirtCoverage.outside("me", self, own)).isEmpty();
    assertThat(LibvirtCoverage.outside("me", self, own.equals("/") ? "/elsewhere" : own + "/child"))
        .hasValueSatisfying(why -> assertThat(why).contains("outside this daemon's"));
    assertThat(LibvirtCoverage.refusal("qemu+ssh://host2/system", Optional.of(own)))
        .hasValueSatisfying(why -> assertThat(why).contains("not a local daemon"));
    assertThat(LibvirtCoverage.refusal("test:///default", Optional.of(own))).isEmpty();
  }
}
