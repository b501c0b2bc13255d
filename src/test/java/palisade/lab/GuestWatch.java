package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import palisade.runtime.resource.QuietLibvirtErrors;
import palisade.runtime.resource.LibvirtResourceDriver;

/**
 * An outside observer of one guest across a lab cluster's libvirtds: an event-hearing driver per node (lifecycle
 * histories) and a poller asking every libvirtd every 200 ms which of them runs the guest (state running: an incoming
 * migration is paused until it completes). {@link #close} asserts the guest never ran on two at once.
 */
final class GuestWatch implements AutoCloseable {
  private final Path clusterDir;
  private final List<String> nodes;
  private final String domain;
  private final Map<String, LibvirtResourceDriver> observers = new TreeMap<>();
  private final Thread poller;
  private volatile boolean polling = true;
  private final List<String> overlaps = new CopyOnWriteArrayList<>();
  private final AtomicLong samples = new AtomicLong();
  private final AtomicReference<TreeSet<String>> runningOn = new AtomicReference<>(new TreeSet<>());
  /** Every libvirtd the guest was seen on since {@link #clearSeen}, and how many samples saw it nowhere. */
  private final Set<String> everOn = new ConcurrentSkipListSet<>();
  private final AtomicLong nowhere = new AtomicLong();

  /** Starts watching once every node's libvirtd is ready. */
  GuestWatch(Path clusterDir, List<String> nodes, String domain) throws Exception {
    this.clusterDir = clusterDir;
    this.nodes = List.copyOf(nodes);
    this.domain = domain;
    for (String n : nodes) {
      LabLibvirt.awaitReady(clusterDir, n);
      observers.put(n, new LibvirtResourceDriver(LabLibvirt.uri(clusterDir, n)));
    }
    poller = new Thread(this::poll, "libvirt-poller");
    poller.setDaemon(true);
    poller.start();
  }

  /** Node's event-hearing driver (its lifecycle history). */
  LibvirtResourceDriver observer(String node) {
    return observers.get(node);
  }

  /** The libvirtds running the guest at the last sample. */
  TreeSet<String> runningOn() {
    return runningOn.get();
  }

  long samples() {
    return samples.get();
  }

  long nowhere() {
    return nowhere.get();
  }

  Set<String> everOn() {
    return everOn;
  }

  void clearSeen() {
    everOn.clear();
  }

  /** Stops the poller and the observers; then the one rule, as every libvirtd saw it. */
  @Override
  public void close() throws Exception {
    polling = false;
    poller.join(5_000);
    for (LibvirtResourceDriver o : observers.values()) {
      try {
        o.close();
      } catch (Exception e) {
        // its libvirtd is gone
      }
    }
    System.out.printf("libvirt poller: %d samples, %d overlaps%n", samples.get(), overlaps.size());
    assertThat(overlaps).as("the guest never ran on two libvirtds at once").isEmpty();
    assertThat(samples.get()).isGreaterThan(10);
  }

  private void poll() {
    long unconfirmedSince = 0;
    while (polling) {
      TreeMap<String, Sighting> seen = new TreeMap<>();
      for (String n : nodes) {
        Sighting s = sighting(n);
        if (s != Sighting.NONE) seen.put(n, s);
      }
      TreeSet<String> on = new TreeSet<>(seen.keySet());
      runningOn.set(on);
      everOn.addAll(on);
      if (on.isEmpty()) nowhere.incrementAndGet();
      samples.incrementAndGet();
      // A live migration's source runs (by libvirt's books) until its job ends, but QEMU stops its vCPUs before the
      // target resumes: a source with its migration job active never counts as a second copy.
      long executing = seen.values().stream().filter(s -> s != Sighting.MIGRATING_OUT).count();
      boolean byProcessOnly = seen.containsValue(Sighting.PROCESS);
      long now = System.currentTimeMillis();
      if (executing > 1 && !byProcessOnly) {
        overlaps.add(now + ": " + domain + " running on " + seen);
      } else if (executing > 1) {
        // Seen through a QEMU process alone (its libvirtd did not answer, e.g. a busy one at a migration's end):
        // a copy that survived its node's loss keeps running, a migration's source exits within its confirm step.
        if (unconfirmedSince == 0) unconfirmedSince = now;
        if (now - unconfirmedSince >= 2_000) overlaps.add(now + ": " + domain + " running on " + seen);
      } else {
        unconfirmedSince = 0;
      }
      try {
        Thread.sleep(200); // the sampling period of an outside observer
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** How an observer sees the guest on a node. */
  private enum Sighting { NONE, RUNNING, MIGRATING_OUT, PROCESS }

  private Sighting sighting(String node) {
    try {
      Connect c = new Connect(LabLibvirt.uri(clusterDir, node));
      try {
        QuietLibvirtErrors.on(c);
        for (int id : c.listDomains()) {
          Domain d = c.domainLookupByID(id);
          if (d.getName().equals(domain) && d.getInfo().state == DomainState.VIR_DOMAIN_RUNNING) {
            return outgoingMigration(d) ? Sighting.MIGRATING_OUT : Sighting.RUNNING;
          }
        }
        return Sighting.NONE;
      } finally {
        c.close();
      }
    } catch (Exception e) {
      // Its libvirtd is unreachable (powered off, reset): a QEMU that survived it would still run the guest. A stale
      // pid file may name a recycled pid (even a thread's), so the process must be that guest's QEMU.
      try {
        for (Path f : LabLibvirt.qemuPidFiles(clusterDir, node)) {
          long pid = Long.parseLong(Files.readString(f).trim());
          String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")),
              StandardCharsets.UTF_8).replace('\0', ' ');
          if (cmdline.contains("guest=" + domain + ",") || cmdline.contains("guest=" + domain + " ")) {
            return Sighting.PROCESS;
          }
        }
      } catch (Exception ignored) {
        // no pid file, or its process is gone: nothing runs
      }
      return Sighting.NONE;
    }
  }

  /** The domain has a job in progress (on a running guest: an outgoing live migration). */
  private static boolean outgoingMigration(Domain d) {
    try {
      return d.getJobInfo().getType() != 0; // VIR_DOMAIN_JOB_NONE
    } catch (Exception e) {
      return false; // no job info: count it as running
    }
  }
}
