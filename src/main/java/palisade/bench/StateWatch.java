package palisade.bench;

import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.RetryNTimes;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.Op;
import palisade.core.RequestOutcome;
import palisade.core.ResourceResult;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;
import palisade.core.StoreView;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.runtime.store.Credential;
import palisade.runtime.store.ZkStore;

/**
 * The bench's own view of the store (a node credential of its own, one more store client): writes /config, and
 * watches /manager/state for convergence and for a lost node's resources being assigned and started elsewhere.
 */
final class StateWatch implements AutoCloseable {
  private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "bench-watch");
    t.setDaemon(true);
    return t;
  });
  private final long origin = System.nanoTime();
  private final CuratorFramework curator;
  private final ZkStore store;
  /** Checked on the watch's loop after every change of /manager/state. */
  private volatile Runnable onState = () -> { };

  private StateWatch(String connect, String cluster, Credential credential) {
    curator = ZkStore.newClient(connect, cluster, credential, b -> b.sessionTimeoutMs(BenchNode.SESSION_TIMEOUT_MS)
        .connectionTimeoutMs(BenchNode.CONNECTION_TIMEOUT_MS).retryPolicy(new RetryNTimes(0, 0)));
    store = new ZkStore(curator, loop, () -> (System.nanoTime() - origin) / 1_000_000);
  }

  static StateWatch open(String connect, String cluster, Credential credential) throws Exception {
    StateWatch w = new StateWatch(connect, cluster, credential);
    w.curator.start();
    w.store.onChange(StorePaths.MANAGER_STATE, () -> w.onState.run());
    w.store.start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!w.store.synced()) {
      if (System.nanoTime() > deadline) {
        w.close();
        throw new TimeoutException("the bench's store client did not sync within 60s");
      }
      Thread.sleep(50);
    }
    return w;
  }

  /**
   * Writes one record that must be absent (as a daemon seeds /schema and /config), again while the store does not
   * answer; returns once the view shows it.
   */
  void put(Op.Put put) throws Exception {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (true) {
      CompletableFuture<TxnResult> r = new CompletableFuture<>();
      if (store.synced()) {
        store.submit(Txn.of(put), (res, now) -> r.complete(res));
      } else {
        r.complete(new TxnResult.Unavailable("not synced"));
      }
      TxnResult res = r.get(60, TimeUnit.SECONDS);
      if (res instanceof TxnResult.Committed) return;
      // A conflict after a lost answer: the earlier attempt was written; the view shows it once its cache has it all.
      for (int i = 0; res instanceof TxnResult.Conflict && i < 120; i++) {
        if (CompletableFuture.supplyAsync(() -> store.view().get(put.path()) != null, loop).get(60,
            TimeUnit.SECONDS)) {
          return;
        }
        Thread.sleep(250);
      }
      if (!(res instanceof TxnResult.Unavailable) || System.nanoTime() > deadline) {
        throw new IllegalStateException(put.path() + " was not written: " + res);
      }
      Thread.sleep(500);
    }
  }

  /**
   * Waits until every one of {@code count} resources runs where /manager/state assigns it; says how far it got.
   * Returns null once they all run, or what stopped them when nothing moved for {@link #STALL_MS} while some agents
   * never started their core ({@code stuck} says how many): the bench then measures the agents that run.
   */
  String awaitConverged(int count, long timeoutMs, AtomicReference<Throwable> failure,
      java.util.function.Supplier<String> agents, java.util.function.IntSupplier stuck) throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + timeoutMs * 1_000_000;
    long said = t0;
    long moved = t0;
    int last = -1;
    while (true) {
      int[] got = CompletableFuture.supplyAsync(() -> progress(), loop).get(60, TimeUnit.SECONDS);
      if (got[1] == count) return null;
      if (failure.get() != null) throw new IllegalStateException("an agent's loop task failed", failure.get());
      long now = System.nanoTime();
      if (got[1] != last) {
        last = got[1];
        moved = now;
      }
      boolean stalled = now - moved > STALL_MS * 1_000_000 && stuck.getAsInt() > 0;
      if (now > deadline || stalled || now - said > 20_000_000_000L) {
        String where = got[0] + " of " + count + " resources in /manager/state, " + got[1] + " started where it "
            + "assigns them" + (got[1] < got[0] ? CompletableFuture.supplyAsync(this::stragglers, loop)
            .get(60, TimeUnit.SECONDS) + agents.get() : "");
        if (stalled) return "nothing moved for " + STALL_MS / 1000 + "s: " + where;
        if (now > deadline) {
          throw new TimeoutException("not every resource started within " + timeoutMs / 1000 + "s: " + where);
        }
        said = now;
        System.out.printf("converging after %.0fs: %s%n", (said - t0) / 1e9, where);
      }
      Thread.sleep(250);
    }
  }

  /** How long convergence may stand still while agents are stuck before the bench goes on without them. */
  static final long STALL_MS = 60_000;

  /** The resources not yet started where /manager/state assigns them: by state and node, with that node's report. */
  private String stragglers() {
    ManagerState st = state();
    TreeMap<String, Integer> by = new TreeMap<>();
    st.services().forEach((id, s) -> {
      if (runs(store.view(), id, s, null)) return;
      var rec = s.node() == null ? null : store.view().get(StorePaths.node(s.node()), NodeRecord.class);
      ResourceResult r = rec == null ? null : rec.value().results().get(id);
      by.merge(s.state() + " on " + s.node() + " (its record: " + (rec == null ? "none" : r == null ? "no result"
          : r.outcome() + (r.token() == s.token() ? "" : " under another token")) + ")", 1, Integer::sum);
    });
    StringBuilder sb = new StringBuilder("; not yet:");
    by.entrySet().stream().limit(6).forEach(e -> sb.append(" ").append(e.getValue()).append("x ").append(e.getKey())
        .append(";"));
    return sb.toString();
  }

  /** [resources in /manager/state, of them started where it assigns them]. */
  private int[] progress() {
    ManagerState st = state();
    if (st == null) return new int[] {0, 0};
    int runs = 0;
    for (var e : st.services().entrySet()) {
      if (runs(store.view(), e.getKey(), e.getValue(), null)) runs++;
    }
    return new int[] {st.services().size(), runs};
  }

  /** The resources /manager/state assigns to node. */
  Set<String> resourcesOn(String node) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      TreeSet<String> out = new TreeSet<>();
      state().services().forEach((id, s) -> {
        if (node.equals(s.node())) out.add(id);
      });
      return out;
    }, loop).get(60, TimeUnit.SECONDS);
  }

  /**
   * Runs {@code fault} and returns the ms from it until every one of {@code lost} is assigned to another node in
   * /manager/state, and until each runs there (its new node reports it started under the new token); -1 for never.
   */
  long[] timeFailover(Runnable fault, String node, Set<String> lost, long timeoutMs) throws Exception {
    CompletableFuture<Long> assigned = new CompletableFuture<>();
    CompletableFuture<Long> started = new CompletableFuture<>();
    long t0 = System.nanoTime();
    Runnable check = () -> {
      ManagerState st = state();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (st == null) return;
      if (lost.stream().allMatch(id -> elsewhere(st.services().get(id), node))) assigned.complete(ms);
      if (lost.stream().allMatch(id -> elsewhere(st.services().get(id), node)
          && runs(store.view(), id, st.services().get(id), node))) {
        started.complete(ms);
      }
    };
    onState = check;
    fault.run();
    long[] out = {-1, -1};
    try {
      out[0] = assigned.get(timeoutMs, TimeUnit.MILLISECONDS);
      // The new node's report changes its record, not /manager/state: look again as the records come in.
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!started.isDone() && System.nanoTime() < deadline) {
        loop.execute(check);
        Thread.sleep(20);
      }
      out[1] = started.isDone() ? started.get() : -1;
    } catch (TimeoutException e) {
      // not recovered: reported as never
    } finally {
      onState = () -> { };
    }
    return out;
  }

  private static boolean elsewhere(ServiceStatus s, String node) {
    return s != null && s.state() == ServiceState.STARTED && s.node() != null && !s.node().equals(node);
  }

  /** Whether s is started on its node under its token, as the node's own record reports (not on {@code not}). */
  private static boolean runs(StoreView v, String id, ServiceStatus s, String not) {
    if (s.state() != ServiceState.STARTED || s.node() == null || s.node().equals(not)) return false;
    var rec = v.get(StorePaths.node(s.node()), NodeRecord.class);
    if (rec == null) return false;
    ResourceResult r = rec.value().results().get(id);
    return r != null && r.token() == s.token() && r.outcome() == RequestOutcome.STARTED;
  }

  private ManagerState state() {
    var v = store.view().get(StorePaths.MANAGER_STATE, ManagerState.class);
    return v == null ? null : v.value();
  }

  @Override
  public void close() {
    store.close();
    curator.close();
    loop.shutdownNow();
  }
}
