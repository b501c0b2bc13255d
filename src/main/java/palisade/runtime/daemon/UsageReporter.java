package palisade.runtime.daemon;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import palisade.core.Capacity;
import palisade.core.StorePaths;
import palisade.core.StoreView;
import palisade.runtime.resource.ProcStat;
import palisade.runtime.resource.ResourceDriver;
import palisade.runtime.resource.ResourceSample;
import palisade.runtime.store.Codec;
import palisade.runtime.store.NodeUsage;

/**
 * The agent side of {@code crs=dynamic}: every {@link #INTERVAL_MS} it reads what each running resource used (the
 * drivers' samples: /proc for processes, domain info for libvirt) and the node's capacity (availableProcessors,
 * /proc/meminfo MemTotal), and writes {@code /usage/NODE} when the figures moved (see {@link UsageMeter}) or every
 * {@link #REFRESH_MS}. Its own thread: reading /proc and libvirt is I/O, kept off the event loop; the write is a plain
 * set (this node's reporter is the record's only writer), and a failed write is retried at the next reading.
 */
final class UsageReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UsageReporter.class);
  static final long INTERVAL_MS = 5_000;
  static final long REFRESH_MS = 30_000;

  private final String node;
  private final CuratorFramework curator;
  private final Supplier<List<ResourceDriver>> drivers;
  private final UsageMeter meter = new UsageMeter(REFRESH_MS);
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "palisade-usage");
    t.setDaemon(true);
    return t;
  });
  private boolean failing;

  UsageReporter(String node, CuratorFramework curator, Supplier<List<ResourceDriver>> drivers) {
    this.node = node;
    this.curator = curator;
    this.drivers = drivers;
  }

  UsageReporter start() {
    thread.scheduleWithFixedDelay(this::round, 0, INTERVAL_MS, TimeUnit.MILLISECONDS);
    return this;
  }

  /** The manager's crs=dynamic input from the view: the freshest measured figures of each resource. */
  static SortedMap<String, Capacity> measured(StoreView view) {
    return NodeUsage.measured(NodeUsage.all(view), System.currentTimeMillis());
  }

  /** The manager's view of node capacities where the configuration states none: what the agents reported. */
  static SortedMap<String, Capacity> capacities(StoreView view) {
    return NodeUsage.capacities(NodeUsage.all(view));
  }

  private void round() {
    try {
      SortedMap<String, ResourceSample> samples = new TreeMap<>();
      for (ResourceDriver d : drivers.get()) samples.putAll(d.samples());
      NodeUsage u = meter.read(samples, System.nanoTime(), System.currentTimeMillis(),
          Runtime.getRuntime().availableProcessors(), ProcStat.memTotalBytes());
      if (!meter.worthWriting(u)) return;
      write(Codec.encode(u));
      meter.wrote(u);
      if (failing) log.info("usage record {} written again", StorePaths.usage(node));
      failing = false;
    } catch (Exception e) { // the store away, a driver failing: the next round tries again
      if (!failing) log.info("usage record {} not written: {}", StorePaths.usage(node), e.toString());
      failing = true;
    }
  }

  private void write(byte[] data) throws Exception {
    String path = StorePaths.usage(node);
    try {
      curator.setData().forPath(path, data);
    } catch (KeeperException.NoNodeException e) {
      curator.create().creatingParentsIfNeeded().forPath(path, data);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
