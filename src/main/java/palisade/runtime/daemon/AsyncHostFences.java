package palisade.runtime.daemon;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import palisade.core.Callback;
import palisade.core.ConfigException;
import palisade.core.KdumpDriver;
import palisade.core.SoftFenceDriver;
import palisade.fencing.FenceException;
import palisade.fencing.KdumpListener;
import palisade.fencing.SshSoftFence;

/**
 * The core's soft-fence and kdump drivers for a fence proxy: {@link SshSoftFence} and {@link KdumpListener} run on
 * a small worker pool under their deadlines, and the outcome, stamped with wall-clock times for the fence history,
 * is posted back to the event loop. Every node's settings are checked when the daemon starts (a key file others
 * can read, a missing known_hosts): the daemon does not start with a soft fence that could never run.
 */
final class AsyncHostFences implements KdumpDriver, SoftFenceDriver {
  static final int WORKERS = 2;
  /** Deadline of one soft fence: ssh connect, then the restart command. */
  static final Duration SOFT_FENCE_DEADLINE = Duration.ofSeconds(20);

  private final Map<String, SshSoftFence> soft;
  private final Map<String, KdumpListener> kdump;
  private final ScheduledExecutorService loop;
  private final LongSupplier loopClock;
  private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, r -> {
    Thread t = new Thread(r, "palisade-host-fence-worker");
    t.setDaemon(true);
    return t;
  });

  private AsyncHostFences(Map<String, SshSoftFence> soft, Map<String, KdumpListener> kdump,
      ScheduledExecutorService loop, LongSupplier loopClock) {
    this.soft = soft;
    this.kdump = kdump;
    this.loop = loop;
    this.loopClock = loopClock;
  }

  static AsyncHostFences create(DaemonConfig config, ScheduledExecutorService loop, LongSupplier loopClock) {
    TreeMap<String, SshSoftFence> soft = new TreeMap<>();
    TreeMap<String, KdumpListener> kdump = new TreeMap<>();
    for (int i = 0; i < config.nodes().size(); i++) {
      DaemonConfig.Node n = config.nodes().get(i);
      DaemonConfig.SoftFenceConf s = n.softFence();
      try {
        if (s != null) {
          soft.put(n.name(), new SshSoftFence(new SshSoftFence.Target(n.name(), s.user(), s.address(), s.port(),
              s.keyFile(), s.knownHosts(), s.command())));
        }
        if (n.kdumpPort() > 0) {
          kdump.put(n.name(), new KdumpListener(n.name(), n.kdumpAddress() != null ? n.kdumpAddress() : n.address(),
              n.kdumpPort()));
        }
      } catch (FenceException e) {
        throw new ConfigException("nodes[" + i + "]: " + e.getMessage());
      }
    }
    return new AsyncHostFences(soft, kdump, loop, loopClock);
  }

  @Override
  public void restart(String target, Callback<SoftFenceDriver.Outcome> done) {
    SshSoftFence f = soft.get(target);
    long t0 = System.currentTimeMillis();
    if (f == null) {
      post(done, new SoftFenceDriver.Outcome(false, "no soft_fence configured for " + target + " on this node", t0,
          t0));
      return;
    }
    work(done, () -> {
      long started = System.currentTimeMillis();
      try {
        f.restart(SOFT_FENCE_DEADLINE);
        return new SoftFenceDriver.Outcome(true, "", started, System.currentTimeMillis());
      } catch (FenceException e) {
        return new SoftFenceDriver.Outcome(false, e.getMessage(), started, System.currentTimeMillis());
      }
    }, new SoftFenceDriver.Outcome(false, "host fence workers stopped", t0, t0));
  }

  @Override
  public void listen(String target, long timeoutMs, Callback<KdumpDriver.Outcome> done) {
    KdumpListener l = kdump.get(target);
    long t0 = System.currentTimeMillis();
    if (l == null) {
      post(done, new KdumpDriver.Outcome(false, "no kdump listener for " + target + " on this node", t0, t0));
      return;
    }
    work(done, () -> {
      long started = System.currentTimeMillis();
      try {
        boolean heard = l.await(Duration.ofMillis(timeoutMs));
        return new KdumpDriver.Outcome(heard, heard ? "" : "no kdump message from " + l.nodename() + " within "
            + palisade.core.Durations.format(timeoutMs), started, System.currentTimeMillis());
      } catch (FenceException e) {
        return new KdumpDriver.Outcome(false, e.getMessage(), started, System.currentTimeMillis());
      }
    }, new KdumpDriver.Outcome(false, "host fence workers stopped", t0, t0));
  }

  /** Runs the blocking call on a worker (each bounded by its own deadline) and posts its outcome to the loop. */
  private <T> void work(Callback<T> done, java.util.function.Supplier<T> call, T stopped) {
    try {
      workers.execute(() -> post(done, call.get()));
    } catch (RejectedExecutionException e) {
      post(done, stopped);
    }
  }

  private <T> void post(Callback<T> done, T outcome) {
    try {
      loop.execute(() -> done.done(outcome, loopClock.getAsLong()));
    } catch (RejectedExecutionException e) {
      // the daemon is stopping
    }
  }

  void close() {
    workers.shutdownNow();
  }
}
