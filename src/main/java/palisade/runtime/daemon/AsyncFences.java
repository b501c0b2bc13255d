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

  private record Device(FenceDevice device, long timeoutMs) {}

  private final Map<String, Device> devices;
  private final ScheduledExecutorService loop;
  private final LongSupplier loopClock;
  private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS, r -> {
    Thread t = new Thread(r, "palisade-fence-worker");
    t.setDaemon(true);
    return t;
  });

  private AsyncFences(Map<String, Device> devices, ScheduledExecutorService loop, LongSupplier loopClock) {
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
        built.put(c.spec().name(), new Device(FenceDevices.create(c.spec()), c.timeoutMs()));
      } catch (FenceException e) {
        throw new ConfigException("fence_devices." + c.spec().name() + ": " + e.getMessage());
      }
    }
    return new AsyncFences(built, loop, loopClock);
  }

  int size() {
    return devices.size();
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
