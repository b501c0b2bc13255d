package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.Callback;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.LocalResources.DriverResult;

/** A resource the node's watchdog cannot kill is refused on that node. */
class AsyncResourcesTest {
  @TempDir Path dir;

  @Test
  void aLibvirtVmIsRefusedUnderTheProcessWatchdog() {
    List<Object> results = new ArrayList<>();
    AsyncResources resources = new AsyncResources("node1", "process", dir.resolve("logs"),
        new AsyncResources.Poster() {
          @Override
          public <T> void post(Callback<T> cb, T result) {
            results.add(result);
          }
        });
    try {
      ResourceConfig vm = new ResourceConfig("vm:1", "node1", RequestState.STARTED, null, 0, 1, 1, List.of(),
          "libvirt", new TreeMap<>(Map.of("domain", "vm1", "uri",
          "qemu+unix:///session?socket=" + dir.resolve("no-libvirtd/libvirt/libvirt-sock"))));
      resources.start(vm, 1, (r, now) -> { });
      assertThat(results).hasSize(1);
      DriverResult r = (DriverResult) results.get(0);
      assertThat(r.ok()).isFalse();
      assertThat(r.detail()).startsWith("resource vm:1: a libvirt VM is not covered by watchdog.driver process here: "
          + "cannot read the libvirtd pid from " + dir.resolve("no-libvirtd/libvirt/libvirtd.pid"))
          .endsWith("run libvirtd inside the daemon's cgroup or use watchdog.driver linux (which resets the machine)");
      assertThat(resources.running()).isEmpty();
    } finally {
      resources.close();
    }
  }

  @Test
  void aProcessCannotBeLiveMigratedSoTheCoreRelocatesIt() {
    List<Object> results = new ArrayList<>();
    AsyncResources resources = new AsyncResources("node1", "none", dir.resolve("logs"),
        new AsyncResources.Poster() {
          @Override
          public <T> void post(Callback<T> cb, T result) {
            results.add(result);
          }
        });
    try {
      ResourceConfig p = new ResourceConfig("p:1", "node1", RequestState.STARTED, null, 0, 1, 1, List.of(),
          "process", new TreeMap<>(Map.of("command", "sleep 60")));
      resources.migrate(p, "node2", 2, (r, now) -> { });
      org.awaitility.Awaitility.await().until(() -> !results.isEmpty());
      assertThat(results).containsExactly(DriverResult.failure(
          "resource p:1: live migration is not supported by the process driver"));
    } finally {
      resources.close();
    }
  }
}
