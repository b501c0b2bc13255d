package palisade.runtime.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import palisade.core.Callback;
import palisade.core.ResourceConfig;
import palisade.core.ResourceDriver;
import palisade.runtime.resource.LibvirtResourceDriver;
import palisade.runtime.resource.ProcessResourceDriver;
import palisade.runtime.resource.ResourceException;
import palisade.runtime.resource.ResourceSpec;

/**
 * The core's asynchronous ResourceDriver on the blocking runtime drivers: starts and stops run on a small worker
 * pool and their results are posted back to the event loop. Every method is called on the event loop.
 */
final class AsyncResources implements ResourceDriver {
  static final int WORKERS = 4;
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final String node;
  /** The node's watchdog driver: what a reset of this node can kill decides which resources it may run. */
  private final String watchdogDriver;
  private final Path logDir;
  private final Poster poster;
  private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, r -> {
    Thread t = new Thread(r, "palisade-resource-worker");
    t.setDaemon(true);
    return t;
  });
  /** Driver instances by key: "process", "libvirt:<uri>". */
  private final TreeMap<String, palisade.runtime.resource.ResourceDriver> drivers = new TreeMap<>();
  /** Which driver started each resource. */
  private final TreeMap<String, palisade.runtime.resource.ResourceDriver> owner = new TreeMap<>();

  /** Posts a completion to the event loop with the loop's clock. */
  interface Poster {
    <T> void post(Callback<T> cb, T result);
  }

  AsyncResources(String node, String watchdogDriver, Path logDir, Poster poster) {
    this.node = node;
    this.watchdogDriver = watchdogDriver;
    this.logDir = logDir;
    this.poster = poster;
  }

  private palisade.runtime.resource.ResourceDriver driverFor(ResourceConfig rc) throws ResourceException {
    if (rc.type().equals("libvirt") && watchdogDriver.equals("process")) {
      // The process watchdog resets the daemon's cgroup; libvirtd's VMs live outside it and would survive.
      throw new ResourceException("resource " + rc.id() + ": a libvirt VM is not covered by watchdog.driver "
          + "process (its reset kills only the daemon's cgroup, not libvirtd's VMs); use watchdog.driver linux");
    }
    String key = switch (rc.type()) {
      case "process" -> "process";
      case "libvirt" -> "libvirt:" + rc.options().getOrDefault("uri", LibvirtResourceDriver.DEFAULT_URI);
      default -> throw new ResourceException("resource " + rc.id() + ": no driver for type '" + rc.type() + "'");
    };
    palisade.runtime.resource.ResourceDriver d = drivers.get(key);
    if (d != null) return d;
    if (key.equals("process")) {
      try {
        d = new ProcessResourceDriver(logDir);
      } catch (IOException e) {
        throw new ResourceException("process driver: cannot create " + logDir + ": " + e.getMessage(), e);
      }
    } else {
      d = new LibvirtResourceDriver(key.substring("libvirt:".length()));
    }
    drivers.put(key, d);
    return d;
  }

  @Override
  public void start(ResourceConfig rc, long token, Callback<DriverResult> done) {
    palisade.runtime.resource.ResourceDriver d;
    try {
      d = driverFor(rc);
    } catch (ResourceException e) {
      poster.post(done, DriverResult.failure(e.getMessage()));
      return;
    }
    owner.put(rc.id(), d);
    ResourceSpec spec = new ResourceSpec(rc.id(), rc.type(), rc.options());
    workers.execute(() -> {
      DriverResult r;
      try {
        d.start(spec, token, node);
        r = d.isRunning(rc.id()) ? DriverResult.success() : DriverResult.failure("exited right after start");
      } catch (ResourceException | RuntimeException e) {
        r = DriverResult.failure(e.getMessage());
      }
      poster.post(done, r);
    });
  }

  @Override
  public void stop(String id, Callback<DriverResult> done) {
    palisade.runtime.resource.ResourceDriver d = owner.get(id);
    if (d == null) {
      for (palisade.runtime.resource.ResourceDriver x : drivers.values()) {
        if (x.running().contains(id)) d = x;
      }
    }
    if (d == null) {
      poster.post(done, DriverResult.success());
      return;
    }
    palisade.runtime.resource.ResourceDriver driver = d;
    workers.execute(() -> {
      DriverResult r;
      try {
        driver.stop(id, STOP_TIMEOUT);
        r = DriverResult.success();
      } catch (ResourceException | RuntimeException e) {
        r = DriverResult.failure(e.getMessage());
      }
      poster.post(done, r);
    });
  }

  @Override
  public void migrate(ResourceConfig rc, String target, long token, Callback<DriverResult> done) {
    poster.post(done, DriverResult.failure("live migration is not supported by the " + rc.type() + " driver"));
  }

  @Override
  public SortedSet<String> running() {
    TreeSet<String> all = new TreeSet<>();
    for (palisade.runtime.resource.ResourceDriver d : drivers.values()) all.addAll(d.running());
    return all;
  }

  @Override
  public void killAll() {
    for (palisade.runtime.resource.ResourceDriver d : drivers.values()) d.killAll();
  }

  void close() {
    workers.shutdownNow();
  }
}
