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

  @Test
  void aNewDaemonAdoptsTheRunningDomainsOfItsNodesLibvirtWithTheirToken() throws Exception {
    String name = "adopt-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    String xml = "<domain type='test'><name>" + name + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        + "<os><type arch='x86_64'>hvm</type></os></domain>";
    String uri = palisade.runtime.resource.LibvirtResourceDriver.DEFAULT_URI;
    try (var earlier = new palisade.runtime.resource.LibvirtResourceDriver(uri, "node1")) {
      earlier.start(new palisade.runtime.resource.ResourceSpec("vm:7", "libvirt", Map.of("domain", name, "xml", xml)),
          31, "node1");
    }
    List<DriverResult> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();
    AsyncResources resources = new AsyncResources("node1", "none", dir.resolve("logs"), Map.of("node1", uri),
        new AsyncResources.Poster() {
          @Override
          public <T> void post(Callback<T> cb, T result) {
            stopped.add((DriverResult) result);
          }
        });
    try {
      resources.adoptProcesses(); // at daemon start
      assertThat(resources.running()).contains("vm:7");
      assertThat(resources.runningToken("vm:7")).isEqualTo(31);
      resources.stop("vm:7", (r, now) -> { }); // what the agent does with a domain not assigned here
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !stopped.isEmpty());
      assertThat(stopped.get(0).ok()).isTrue();
      assertThat(resources.running()).doesNotContain("vm:7");
      assertThat(resources.runningToken("vm:7")).isEqualTo(-1);
    } finally {
      resources.close();
    }
  }
}
