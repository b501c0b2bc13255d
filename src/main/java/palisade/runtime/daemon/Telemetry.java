package palisade.runtime.daemon;

import palisade.core.Callback;
import palisade.core.FenceDriver;
import palisade.core.FenceHistory;
import palisade.core.ManagerState;
import palisade.core.Op;
import palisade.core.StoreClient;
import palisade.core.StorePaths;
import palisade.core.StoreView;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Watchdog;

/**
 * What a running daemon reports to an observer (the HTTP server's health checks and metrics):
 * called from the runtime plugs, never from the core. Every method is called on the event loop and must be cheap
 * (a counter, a volatile write); the default does nothing, so a daemon without an observer pays nothing.
 */
public interface Telemetry {
  Telemetry NONE = new Telemetry() {};

  /**
   * Once per tick, after the core ran: the daemon's state as immutable values.
   *
   * @param synced the store view is current (connected to a quorum)
   * @param connected the store client has a connection
   * @param state the manager's last decision as this node sees it, or null
   * @param history the fence history as this node sees it, or null
   */
  record Tick(boolean synced, boolean connected, ManagerState state, FenceHistory history) {}

  default void tick(Tick t) {}

  /** A store transaction finished: its kind (lease = this node's own renewal), result class and latency. */
  default void storeRequest(String kind, String result, long nanos) {}

  /** The manager's tick (one round) took this long. */
  default void managerRound(long nanos) {}

  /** The watchdog was fed. */
  default void watchdogFeed() {}

  /** A renewal interval passed with the watchdog armed and not fed. */
  default void watchdogMiss() {}

  /** A fence device call this node executed, with its outcome and duration. */
  default void fence(String device, String action, boolean ok, long millis) {}

  // ---- wrappers that feed it from the plugs ---------------------------------------------------------------------

  /** A store client that reports each transaction's latency; "lease" for the node's own record. */
  static StoreClient meter(StoreClient store, String node, Telemetry t) {
    String own = StorePaths.node(node);
    return new StoreClient() {
      @Override
      public StoreView view() {
        return store.view();
      }

      @Override
      public boolean synced() {
        return store.synced();
      }

      @Override
      public void submit(Txn txn, Callback<TxnResult> done) {
        long t0 = System.nanoTime();
        String kind = txn.ops().stream().map(Op::path).anyMatch(own::equals) ? "lease" : "other";
        store.submit(txn, (r, now) -> {
          t.storeRequest(kind, r.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT),
              System.nanoTime() - t0);
          done.done(r, now);
        });
      }
    };
  }

  /** A fence driver that reports each device call's outcome. */
  static FenceDriver meter(FenceDriver fences, Telemetry t) {
    return (device, target, action, done) -> fences.run(device, target, action, (o, now) -> {
      t.fence(device, action.name().toLowerCase(java.util.Locale.ROOT), o.ok(), Math.max(0, o.endedMs()
          - o.startedMs()));
      done.done(o, now);
    });
  }

  /** A watchdog that counts feeds, and misses at each {@link MeteredWatchdog#period()}. */
  final class MeteredWatchdog implements Watchdog {
    private final Watchdog inner;
    private final Telemetry t;
    private boolean fedThisPeriod;

    MeteredWatchdog(Watchdog inner, Telemetry t) {
      this.inner = inner;
      this.t = t;
    }

    @Override
    public void arm() {
      inner.arm();
      fedThisPeriod = true;
    }

    @Override
    public void feed() {
      inner.feed();
      fedThisPeriod = true;
      t.watchdogFeed();
    }

    @Override
    public void disarm() {
      inner.disarm();
    }

    @Override
    public boolean armed() {
      return inner.armed();
    }

    @Override
    public boolean hold(long holdMs) {
      return inner.hold(holdMs);
    }

    @Override
    public boolean timeout(long watchdogMs) {
      return inner.timeout(watchdogMs);
    }

    @Override
    public String kind() {
      return inner.kind();
    }

    /** Every renewal interval R, on the loop: armed without a feed since the last call is a miss. */
    void period() {
      if (inner.armed() && !fedThisPeriod) t.watchdogMiss();
      fedThisPeriod = false;
    }
  }
}
