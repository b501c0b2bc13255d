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
import palisade.core.ResourceDriver.DriverResult;

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
          "libvirt", new TreeMap<>(Map.of("domain", "vm1")));
      resources.start(vm, 1, (r, now) -> { });
      assertThat(results).containsExactly(DriverResult.failure("resource vm:1: a libvirt VM is not covered by "
          + "watchdog.driver process (its reset kills only the daemon's cgroup, not libvirtd's VMs); use "
          + "watchdog.driver linux"));
      assertThat(resources.running()).isEmpty();
    } finally {
      resources.close();
    }
  }
}
