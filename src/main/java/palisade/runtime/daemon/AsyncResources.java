package palisade.runtime.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import palisade.core.Callback;
import palisade.core.ResourceConfig;
import palisade.core.LocalResources;
import palisade.runtime.resource.LibvirtCoverage;
import palisade.runtime.resource.LibvirtResourceDriver;
import palisade.runtime.resource.ProcessResourceDriver;
import palisade.runtime.resource.ResourceException;
import palisade.runtime.resource.ResourceSpec;
import palisade.runtime.watchdog.Cgroup;

/**
 * The core's asynchronous LocalResources on the blocking runtime drivers: starts and stops run on a small worker
 * pool and their results are posted back to the event loop. Every method is called on the event loop.
 */
final class AsyncResources implements LocalResources {
  static final int WORKERS = 4;
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final String node;
  /** The node's watchdog driver: what a reset of this node can kill decides which resources it may run. */
  private final String watchdogDriver;
  private final Path logDir;
  /** Each node's libvirt URI ({@code nodes[].libvirt_uri}), for the nodes that have one. */
  private final Map<String, String> libvirtUris;
  private final Poster poster;
  private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, r -> {
    Thread t = new Thread(r, "palisade-resource-worker");
    t.setDaemon(true);
    return t;
  });
  /** Driver instances by key: "process", "libvirt:<uri>"; concurrent: the usage reporter reads it (see drivers()). */
  private final java.util.concurrent.ConcurrentSkipListMap<String, palisade.runtime.resource.ResourceDriver> drivers =
      new java.util.concurrent.ConcurrentSkipListMap<>();
  /** The shared storage directory (PALISADE_STORAGE of resource processes), or null. */
  private Path storageDir;
  /** Which driver started each resource. */
  private final TreeMap<String, palisade.runtime.resource.ResourceDriver> owner = new TreeMap<>();

  /** Posts a completion to the event loop with the loop's clock. */
  interface Poster {
    <T> void post(Callback<T> cb, T result);

    /** An event for the cluster log (migration progress), from any thread. */
    default void event(String source, String message) {}
  }

  AsyncResources(String node, String watchdogDriver, Path logDir, Poster poster) {
    this(node, watchdogDriver, logDir, Map.of(), poster);
  }

  /** The daemon's: its node, watchdog, libvirt URIs and shared storage (handed to resource processes). */
  AsyncResources(DaemonConfig config, Path logDir, Poster poster) {
    this(config.node(), config.watchdogDriver(), logDir, libvirtUris(config), poster);
    this.storageDir = config.storage() == null ? null : config.storage().path();
  }

  AsyncResources(String node, String watchdogDriver, Path logDir, Map<String, String> libvirtUris, Poster poster) {
    this.node = node;
    this.watchdogDriver = watchdogDriver;
    this.logDir = logDir;
    this.libvirtUris = Map.copyOf(libvirtUris);
    this.poster = poster;
  }

  /**
   * At daemon start: the process driver takes over the processes an earlier daemon of this node left running (a
   * restart under the watchdog's hold), and the libvirt driver of the node's libvirt_uri the running domains that
   * carry our metadata, so that the agent sees them running: it keeps those assigned here and stops the others.
   * A libvirtd that does not answer yet is not fatal: its driver is made (and adopts) at the first start.
   */
  void adoptProcesses() throws IOException {
    if (drivers.containsKey("process")) return;
    ProcessResourceDriver d = new ProcessResourceDriver(logDir, storageDir);
    drivers.put("process", d);
    d.adopted().forEach((id, what) -> DaemonLog.info("resource " + id + ": adopted " + what
        + " from an earlier daemon"));
    String uri = libvirtUris.get(node);
    if (uri != null && !drivers.containsKey("libvirt:" + uri)) {
      try {
        LibvirtResourceDriver lv = new LibvirtResourceDriver(uri, node);
        drivers.put("libvirt:" + uri, lv);
        lv.adopted().forEach((id, what) -> DaemonLog.info("resource " + id + ": adopted " + what
            + " from an earlier daemon"));
      } catch (ResourceException e) {
        DaemonLog.info("libvirt at " + uri + ": nothing adopted at start: " + e.getMessage());
      }
    }
  }

  /** The token a resource runs under here, as its driver knows it (-1: unknown or not running): an older one is stopped. */
  @Override
  public long runningToken(String id) {
    for (palisade.runtime.resource.ResourceDriver d : drivers.values()) {
      long t = d instanceof ProcessResourceDriver p ? p.token(id) : d instanceof LibvirtResourceDriver l ? l.token(id)
          : -1;
      if (t >= 0) return t;
    }
    return -1;
  }

  /** nodes[].libvirt_uri of the nodes that set it. */
  static Map<String, String> libvirtUris(DaemonConfig config) {
    TreeMap<String, String> m = new TreeMap<>();
    for (DaemonConfig.Node n : config.nodes()) {
      if (n.libvirtUri() != null) m.put(n.name(), n.libvirtUri());
    }
    return m;
  }

  /** The libvirt URI of a resource on this node: its {@code uri} option, else the node's libvirt_uri. */
  private String libvirtUri(ResourceConfig rc) {
    String uri = rc.options().get("uri");
    if (uri != null && !uri.isBlank()) return uri;
    return libvirtUris.getOrDefault(node, LibvirtResourceDriver.DEFAULT_URI);
  }

  private palisade.runtime.resource.ResourceDriver driverFor(ResourceConfig rc) throws ResourceException {
    if (rc.type().equals("libvirt") && watchdogDriver.equals("process")) {
      // The process watchdog resets the daemon's cgroup: it covers a VM only when libvirtd (and so its QEMU
      // children) runs inside that cgroup; a system libvirtd's VMs live outside it and would survive the reset.
      Optional<String> why = LibvirtCoverage.refusal(libvirtUri(rc), Cgroup.of(ProcessHandle.current().pid()));
      if (why.isPresent()) {
        throw new ResourceException("resource " + rc.id() + ": a libvirt VM is not covered by watchdog.driver "
            + "process here: " + why.get() + "; run libvirtd inside the daemon's cgroup or use watchdog.driver "
            + "linux (which resets the machine)");
      }
    }
    String key = switch (rc.type()) {
      case "process" -> "process";
      case "libvirt" -> "libvirt:" + libvirtUri(rc);
      default -> throw new ResourceException("resource " + rc.id() + ": no driver for type '" + rc.type() + "'");
    };
    palisade.runtime.resource.ResourceDriver d = drivers.get(key);
    if (d != null) return d;
    if (key.equals("process")) {
      try {
        d = new ProcessResourceDriver(logDir, storageDir);
      } catch (IOException e) {
        throw new ResourceException("process driver: cannot create " + logDir + ": " + e.getMessage(), e);
      }
    } else {
      d = new LibvirtResourceDriver(key.substring("libvirt:".length()), node);
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
    ResourceSpec spec = new ResourceSpec(rc.id(), rc.type(), rc.options(), rc.disks());
    workers.execute(() -> {
      DriverResult r;
      try {
        d.start(spec, token, node);
        r = d.isRunning(rc.id()) ? DriverResult.success() : DriverResult.failure("exited right after start");
        if (r.ok() && rc.type().equals("libvirt") && watchdogDriver.equals("process")) {
          Optional<String> why = LibvirtCoverage.qemuRefusal(libvirtUri(rc), rc.options().getOrDefault("domain",
              rc.id()), Cgroup.of(ProcessHandle.current().pid()));
          if (why.isPresent()) {
            d.stop(rc.id(), Duration.ZERO); // destroyed at once: a reset of this node would not kill it
            r = DriverResult.failure("not covered by watchdog.driver process: " + why.get() + "; destroyed");
          }
        }
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

  /**
   * Live migration through the resource's driver, to the target's {@code libvirt_uri}; progress goes to the event
   * log. A driver that cannot migrate fails, and the core falls back to a relocation.
   */
  @Override
  public void migrate(ResourceConfig rc, String target, long token, Callback<DriverResult> done) {
    palisade.runtime.resource.ResourceDriver d = owner.get(rc.id());
    if (d == null) {
      try {
        d = driverFor(rc);
      } catch (ResourceException e) {
        poster.post(done, DriverResult.failure(e.getMessage()));
        return;
      }
    }
    palisade.runtime.resource.ResourceDriver driver = d;
    ResourceSpec spec = new ResourceSpec(rc.id(), rc.type(), rc.options(), rc.disks());
    String source = node + "/" + rc.id();
    var migration = new palisade.runtime.resource.ResourceDriver.Migration(target, libvirtUris.get(target),
        line -> poster.event(source, line));
    workers.execute(() -> {
      DriverResult r;
      try {
        driver.migrate(spec, token, migration);
        r = DriverResult.success();
      } catch (ResourceException | RuntimeException e) {
        r = DriverResult.failure(e.getMessage());
      }
      DriverResult result = r;
      poster.post((DriverResult x, long t) -> {
        if (x.ok()) owner.remove(rc.id());
        done.done(x, t);
      }, result);
    });
  }

  @Override
  public SortedSet<String> running() {
    TreeSet<String> all = new TreeSet<>();
    for (palisade.runtime.resource.ResourceDriver d : drivers.values()) all.addAll(d.running());
    return all;
  }

  /** The drivers made so far, from any thread (the usage reporter samples them). */
  java.util.List<palisade.runtime.resource.ResourceDriver> drivers() {
    return java.util.List.copyOf(drivers.values());
  }

  @Override
  public void killAll() {
    for (palisade.runtime.resource.ResourceDriver d : drivers.values()) d.killAll();
  }

  /** Stops the workers and closes the libvirt connections (their domains keep running; processes too). */
  void close() {
    workers.shutdownNow();
    for (palisade.runtime.resource.ResourceDriver d : drivers.values()) {
      if (d instanceof LibvirtResourceDriver lv) {
        try {
          lv.close();
        } catch (ResourceException e) {
          DaemonLog.info("libvirt at " + lv.uri() + ": " + e.getMessage());
        }
      }
    }
  }
}
