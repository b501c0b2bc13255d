package palisade.runtime.daemon;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import palisade.core.Callback;
import palisade.core.ConfigException;
import palisade.core.FenceDriver;
import palisade.core.PowerAction;
import palisade.fencing.FenceDevice;
import palisade.fencing.FenceDevices;
import palisade.fencing.FenceException;
import palisade.fencing.PowerState;

/**
 * The core's asynchronous {@link FenceDriver} on the blocking fence devices of {@code palisade.fencing}: each call
 * runs on a small worker pool under the device's deadline, and its outcome, stamped with wall-clock start and end
 * times (for the fence history), is posted back to the event loop. A device that overstays its deadline by
 * {@link #SLACK_MS} is answered as failed by the loop itself, so a fence never hangs; its late answer is dropped.
 * Messages come from {@link FenceException}, which never carries a password.
 */
final class AsyncFences implements FenceDriver {
  static final int WORKERS = 4;
  static final long SLACK_MS = 5_000;

  private record Device(FenceDevice device, long timeoutMs, DaemonConfig.FenceDeviceConf conf) {}

  /** The devices this host drives, by name; changed only on the loop (or before it runs), see {@link #sync}. */
  private final TreeMap<String, Device> devices;
  private final ScheduledExecutorService loop;
  private final LongSupplier loopClock;
  private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, r -> {
    Thread t = new Thread(r, "palisade-fence-worker");
    t.setDaemon(true);
    return t;
  });

  private AsyncFences(TreeMap<String, Device> devices, ScheduledExecutorService loop, LongSupplier loopClock) {
    this.devices = devices;
    this.loop = loop;
    this.loopClock = loopClock;
  }

  /**
   * Builds every configured device: an unknown agent, an option the agent's metadata does not allow or an
   * unreadable password file is a ConfigException naming the device and the key (the daemon does not start).
   */
  static AsyncFences create(DaemonConfig config, ScheduledExecutorService loop, LongSupplier loopClock) {
    TreeMap<String, Device> built = new TreeMap<>();
    for (DaemonConfig.FenceDeviceConf c : config.fenceDevices().values()) {
      try {
        built.put(c.spec().name(), new Device(FenceDevices.create(c.spec()), c.timeoutMs(), c));
      } catch (FenceException e) {
        throw new ConfigException("fence_devices." + c.spec().name() + ": " + e.getMessage());
      }
    }
    return new AsyncFences(built, loop, loopClock);
  }

  int size() {
    return devices.size();
  }

  /** The names of the devices this host drives now. */
  java.util.SortedSet<String> names() {
    return new java.util.TreeSet<>(devices.keySet());
  }

  /** What one device sync did, for the daemon's log; failed maps a device to why it could not be built here. */
  record Synced(java.util.SortedSet<String> added, java.util.SortedSet<String> changed,
      java.util.SortedSet<String> removed, Map<String, String> failed) {}

  /**
   * Makes the devices this host drives the wanted ones: a device no longer wanted goes at once, a new or changed one
   * is built on a fence worker (an agent's metadata is read by running it) and put in place on the loop, where
   * done then hears what changed. Call on the loop. A device that cannot be built keeps its old definition, if any.
   */
  void sync(Map<String, DaemonConfig.FenceDeviceConf> wanted, java.util.function.Consumer<Synced> done) {
    java.util.TreeSet<String> removed = new java.util.TreeSet<>(devices.keySet());
    removed.removeAll(wanted.keySet());
    devices.keySet().removeAll(removed);
    TreeMap<String, DaemonConfig.FenceDeviceConf> build = new TreeMap<>();
    wanted.forEach((n, c) -> {
      Device d = devices.get(n);
      if (d == null || !d.conf().equals(c)) build.put(n, c);
    });
    if (build.isEmpty()) {
      if (!removed.isEmpty()) done.accept(new Synced(new java.util.TreeSet<>(), new java.util.TreeSet<>(), removed,
          Map.of()));
      return;
    }
    try {
      workers.execute(() -> {
        TreeMap<String, Device> built = new TreeMap<>();
        TreeMap<String, String> failed = new TreeMap<>();
        build(build, built, failed);
        loop.execute(() -> {
          java.util.TreeSet<String> added = new java.util.TreeSet<>();
          java.util.TreeSet<String> changed = new java.util.TreeSet<>();
          built.forEach((n, d) -> (devices.put(n, d) == null ? added : changed).add(n));
          done.accept(new Synced(added, changed, removed, failed));
        });
      });
    } catch (RejectedExecutionException e) {
      // the daemon is stopping
    }
  }

  @Override
  public void run(String device, String target, PowerAction action, Callback<Outcome> done) {
    Device d = devices.get(device);
    long started = System.currentTimeMillis();
    if (d == null) {
      post(new AtomicBoolean(), done, new Outcome(false, false, "no fence device '" + device
          + "' configured on this node", started, started));
      return;
    }
    AtomicBoolean answered = new AtomicBoolean();
    try {
      workers.execute(() -> {
        long t0 = System.currentTimeMillis();
        Outcome o;
        try {
          Duration deadline = Duration.ofMillis(d.timeoutMs());
          switch (action) {
            case OFF -> {
              d.device().off(deadline);
              o = new Outcome(true, false, "ok", t0, System.currentTimeMillis());
            }
            case ON -> {
              d.device().on(deadline);
              o = new Outcome(true, true, "ok", t0, System.currentTimeMillis());
            }
            default -> {
              PowerState s = d.device().status(deadline);
              o = new Outcome(true, s == PowerState.ON, s.toString().toLowerCase(java.util.Locale.ROOT), t0,
                  System.currentTimeMillis());
            }
          }
        } catch (FenceException e) {
          o = new Outcome(false, false, e.getMessage(), t0, System.currentTimeMillis());
        } catch (RuntimeException e) {
          o = new Outcome(false, false, device + ": " + e.getClass().getSimpleName(), t0, System.currentTimeMillis());
        }
        post(answered, done, o);
      });
    } catch (RejectedExecutionException e) {
      post(answered, done, new Outcome(false, false, "fence workers stopped", started, started));
      return;
    }
    long hardMs = d.timeoutMs() + SLACK_MS;
    loop.schedule(() -> {
      if (answered.compareAndSet(false, true)) {
        done.done(new Outcome(false, false, device + ": no answer within " + hardMs + "ms (abandoned)", started,
            System.currentTimeMillis()), loopClock.getAsLong());
      }
    }, hardMs, TimeUnit.MILLISECONDS);
  }

  /**
   * As {@link #sync}, built here and now (at start, before the core runs); returns the devices that could not be
   * built on this host, with why.
   */
  Map<String, String> syncNow(Map<String, DaemonConfig.FenceDeviceConf> wanted) {
    devices.keySet().retainAll(wanted.keySet());
    TreeMap<String, DaemonConfig.FenceDeviceConf> build = new TreeMap<>();
    wanted.forEach((n, c) -> {
      if (devices.get(n) == null || !devices.get(n).conf().equals(c)) build.put(n, c);
    });
    TreeMap<String, Device> built = new TreeMap<>();
    TreeMap<String, String> failed = new TreeMap<>();
    build(build, built, failed);
    devices.putAll(built);
    return failed;
  }

  private static void build(Map<String, DaemonConfig.FenceDeviceConf> confs, Map<String, Device> built,
      Map<String, String> failed) {
    confs.forEach((n, c) -> {
      try {
        built.put(n, new Device(FenceDevices.create(c.spec()), c.timeoutMs(), c));
      } catch (FenceException | RuntimeException e) {
        failed.put(n, e instanceof FenceException ? e.getMessage() : n + ": " + e.getClass().getSimpleName());
      }
    });
  }

  /** Posts the outcome to the loop unless the call was already answered (abandoned after its deadline). */
  private void post(AtomicBoolean answered, Callback<Outcome> done, Outcome o) {
    try {
      loop.execute(() -> {
        if (answered.compareAndSet(false, true)) done.done(o, loopClock.getAsLong());
      });
    } catch (RejectedExecutionException e) {
      // the daemon is stopping
    }
  }

  void close() {
    workers.shutdownNow();
  }
}
