package palisade.runtime.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.CuratorEvent;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.curator.framework.api.transaction.OperationType;
import org.apache.curator.framework.imps.CuratorFrameworkState;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import palisade.core.Callback;
import palisade.core.Op;
import palisade.core.StoreClient;
import palisade.core.StorePaths;
import palisade.core.StoreView;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;

/**
 * The core's {@link StoreClient} on ZooKeeper through Curator. Records are JSON znodes under the client's namespace
 * ({@code /palisade/<cluster>}); every write is one {@code multi} with per-znode data versions (a compare-and-set).
 * The view is a mirror fed by CuratorCaches ({@link ViewScope}: a scoped view holds its own node's record, and its
 * node's part of {@code /config} and {@code /manager/state} ({@link PartMirror}) unless it watches all nodes), read
 * without I/O; a committed write updates it at once, and it never moves a path back to an older version. Those two
 * records are a head and entry znodes in layouts 2 and 3 ({@link Layout2}, {@link ZkTxn}), assembled only once the
 * entries agree with the head ({@link ShardMirror}). Completions are posted to the owner's loop with its clock.
 *
 * <p>Connection policy (Curator's, for lease holders): SUSPENDED is treated like LOST — the view is not trusted and
 * writes fail fast as Unavailable until the connection is back and the cache is current again.
 */
public final class ZkStore implements StoreClient, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ZkStore.class);
  /** Parents of the record znodes; created (idempotently) before the view counts as synced. */
  static final List<String> LAYOUT = List.of("/nodes", "/manager", "/fence", ViewTrees.EVENTS);

  private final CuratorFramework client;
  /** The session lease renewals go through (the client itself when none was given): see {@link ZkTxn#leaseOnly}. */
  private final CuratorFramework leaseClient;
  private final Executor loop;
  private final LongSupplier clockMs;
  private final String prefix;
  private final ConcurrentHashMap<String, Versioned<Object>> mirror = new ConcurrentHashMap<>();
  private final StoreView view = this::read;
  private final ShardMirror shards = new ShardMirror();
  private final ViewScope scope;
  private final PartMirror parts;
  private volatile boolean connected;
  private volatile boolean initialized;
  private volatile boolean layoutReady;
  /** Bumped on every connection loss: a sync that started before the loss does not make the view current. */
  private volatile long connectionEpoch;
  private volatile boolean current;
  /** The connection epoch whose cut reads were last logged (one line per lost connection). */
  private final AtomicLong cutReadsEpoch = new AtomicLong(-1);

  /**
   * @param client a started client with the cluster's namespace
   * @param loop the event loop every completion is posted to
   * @param clockMs the loop's monotonic clock
   */
  public ZkStore(CuratorFramework client, Executor loop, LongSupplier clockMs) {
    this(client, client, loop, clockMs);
  }

  /**
   * As above, with a second started client of the same cluster whose session carries the lease renewals alone.
   * ZooKeeper answers a session's requests in order: on the view's session a renewal waited behind every read the
   * cache had queued (at 50,000 resources a state write queues a thousand), was acknowledged after X, and the
   * watchdog went unfed on a healthy node. The caller closes client; {@link #close} closes leaseClient.
   */
  public ZkStore(CuratorFramework client, CuratorFramework leaseClient, Executor loop, LongSupplier clockMs) {
    this.client = client;
    this.leaseClient = leaseClient;
    this.loop = OwnerLoop.droppingAfterStop(loop);
    this.clockMs = clockMs;
    this.prefix = client.getNamespace() == null || client.getNamespace().isEmpty() ? ""
        : "/" + client.getNamespace();
    this.scope = new ViewScope(this::cache, this::prune, clockMs);
    this.parts = new PartMirror(shards, scope, mirror, logical -> {
      if (logical.equals(watchedPath)) onStateChange.run();
    });
    client.getConnectionStateListenable().addListener((c, state) -> onConnection(state));
    if (leaseClient != client) {
      leaseClient.getConnectionStateListenable().addListener((c, state) -> log.info("store lease session {}", state));
    }
  }

  /**
   * A new (not started) Curator client for the cluster's store: its namespace, TLS with this credential, and the
   * Palisade ACLs on every znode it creates (the namespace root and parents included); {@code tune} sets timeouts
   * and the retry policy. Its handles are made by {@link ClientHandles}, so none outlives the client.
   */
  public static CuratorFramework newClient(String connectString, String cluster, Credential credential,
      UnaryOperator<CuratorFrameworkFactory.Builder> tune) {
    return ClientHandles.newClient(connectString, cluster, credential, tune);
  }

  /**
   * Before {@link #start}: the view mirrors the base trees ({@link ViewTrees}), this node's record and its node's part
   * of /config and /manager/state only, not every node's record and usage; another node's record read through the
   * view is mirrored from then on, while it is read. {@link #watchAllNodes}(true) holds everything whole.
   */
  public void scopeTo(String node) {
    scope.scopeTo(node);
  }

  /**
   * Any thread, idempotent: true mirrors every node's record and usage as well (a manager candidate), false goes
   * back to the scoped view and drops the others' records from it. While the whole trees load after a true, the view
   * may miss records ({@link #allNodesLoaded}); {@link #synced} does not wait for them.
   */
  public void watchAllNodes(boolean all) {
    scope.watchAllNodes(all);
  }

  /**
   * Every node's record and usage are mirrored, and their caches delivered their initial data; /config and
   * /manager are held whole, and no record of them is a node's part any more.
   */
  public boolean allNodesLoaded() {
    return scope.allNodesLoaded() && !parts.any();
  }

  public void start() {
    connected = client.getZookeeperClient().isConnected();
    if (connected) afterConnect();
    scope.start();
    loop.execute(parts::started);
  }

  @Override
  public StoreView view() {
    return view;
  }

  /** The view's read: what the mirror has (a record not mirrored yet is null, and asked for in the background). */
  private Versioned<Object> read(String path) {
    Versioned<Object> v = mirror.get(path);
    scope.read(path);
    return v;
  }

  @Override
  public boolean synced() {
    return connected && initialized && layoutReady && current;
  }

  @Override
  public void submit(Txn txn, Callback<TxnResult> done) {
    if (!connected) {
      post(done, new TxnResult.Unavailable("not connected to the store"));
      return;
    }
    ZkTxn z;
    try {
      z = ZkTxn.of(txn, shards, schema(), announcingNode);
    } catch (ZkTxn.Stale e) {
      post(done, new TxnResult.Conflict(e.getMessage()));
      return;
    } catch (Layout2Writes.TooLarge e) {
      log.error("store write refused: {}", e.getMessage());
      post(done, new TxnResult.Unavailable(e.getMessage()));
      return;
    }
    lastTxn = z;
    CuratorFramework via = ZkTxn.leaseOnly(txn) ? leaseClient : client;
    if (via != client && (leaseClient.getState() != CuratorFrameworkState.STARTED
        || !leaseClient.getZookeeperClient().isConnected())) {
      post(done, new TxnResult.Unavailable("the store's lease session is not connected"));
      return;
    }
    try {
      via.transaction().inBackground((c, event) -> completed(z, event, done)).forOperations(z.curatorOps(via));
    } catch (Exception e) {
      post(done, new TxnResult.Unavailable("submit failed: " + e));
    }
  }

  /** The last transaction this client sent: its bytes and its largest znode (BENCHMARKS "Store layout"). */
  private volatile ZkTxn lastTxn;

  public long lastTxnBytes() {
    return lastTxn == null ? 0 : lastTxn.bytes();
  }

  public int lastTxnLargestZnode() {
    return lastTxn == null ? 0 : lastTxn.largestZnode();
  }

  /** Nanoseconds this client last took to assemble the record at a logical path from its shards, or null. */
  public Long assemblyNanos(String logical) {
    return shards.assemblyNanos(logical);
  }

  /** The store's schema as this client's view shows it (1 when absent): it says which layout new records take. */
  private int schema() {
    Versioned<Object> s = mirror.get(StorePaths.SCHEMA);
    return s != null && s.value() instanceof Integer v ? v : 1;
  }

  /**
   * Every node record this client writes for node announces the store layouts it reads ("layouts": [1, 2, 3]), so
   * `palisade store migrate` can tell a live daemon of an older palisade (whose records lack it) from a new one.
   */
  public void announceLayoutsFor(String node) {
    this.announcingNode = node;
  }

  private volatile String announcingNode;

  private void completed(ZkTxn z, CuratorEvent event, Callback<TxnResult> done) {
    Txn txn = z.txn();
    KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
    List<CuratorTransactionResult> results = event.getOpResults();
    if (code == KeeperException.Code.OK && results != null && results.size() == z.size()) {
      Map<String, Long> versions = new HashMap<>();
      for (int i = 0; i < txn.ops().size(); i++) {
        Op op = txn.ops().get(i);
        CuratorTransactionResult r = results.get(z.first(i));
        if (op instanceof Op.Put put) {
          long v = r.getResultStat() != null && r.getType() == OperationType.SET_DATA
              ? r.getResultStat().getVersion() : 0;
          versions.put(put.path(), v);
          Layout2.Stored next = z.plan(i);
          if (next != null) {
            Layout2.Stored at = new Layout2.Stored(v, next.head(), next.record(), next.ats());
            loop.execute(() -> shards.committed(put.path(), at));
          }
          advance(put.path(), new Versioned<>(put.value(), v));
        }
      }
      post(done, new TxnResult.Committed(versions));
      return;
    }
    post(done, z.failure(code, results));
  }

  private <T> void post(Callback<T> done, T result) {
    loop.execute(() -> done.done(result, clockMs.getAsLong()));
  }

  // ---- the mirror --------------------------------------------------------------------------------------------------

  /** A cache of the view: its changes go to the mirror; once it has its initial data, the view may be initialized. */
  private ViewCache cache(String path, ViewCache.Kind kind, boolean counted) {
    return new ViewCache(client, path, kind, counted, this::onCacheError, this::onCache, c -> loop.execute(() -> {
      c.initialized = true; // after every initial record of c, which went the same way
      if (c.kind == ViewCache.Kind.CLUSTER_WIDE && !c.counted) log.info("store view: {} loaded", c.path);
      if (c.kind == ViewCache.Kind.PART_NODE || c.kind == ViewCache.Kind.PART_TREE) parts.assemble(); // held back?
      checkInitialized();
    }));
  }

  /** On the loop: the view is initialized once every cache opened at the start that is still open is. */
  private void checkInitialized() {
    if (initialized || !scope.initialized()) return;
    initialized = true;
    log.info("store view initialized ({} records)", mirror.size());
  }

  /**
   * Drops, on the loop, the node records and usage the view no longer mirrors (the view narrowed), and what the
   * whole /config and /manager delivered when the view now holds its node's part of them (it loads that afresh; the
   * mirror keeps the whole records until the part replaces them).
   */
  private void prune() {
    loop.execute(() -> {
      parts.switched();
      mirror.keySet().removeIf(p -> ViewTrees.clusterWide(p) && !scope.mirrors(p));
      checkInitialized(); // a cache closed before it was initialized no longer counts
    });
  }

  /** Called on the event loop after a watched path changed (the daemon ticks at once instead of waiting). */
  private volatile Runnable onStateChange = () -> { };
  private volatile String watchedPath = "";

  public void onChange(String path, Runnable action) {
    this.watchedPath = path;
    this.onStateChange = action;
  }

  /**
   * A cache read or listing failed (it answers nobody: the cache reads in the background). Whatever it was, the
   * re-read at reconnection lists every parent again (RelistingStorage says why). Reads cut by a lost connection or
   * session are expected and not logged one by one: at 50,000 records that was 485,000 lines in a daemon's log.
   */
  void onCacheError(Exception e) {
    for (RelistingStorage s : scope.storages()) s.forgetChildLists();
    if (e instanceof KeeperException.ConnectionLossException || e instanceof KeeperException.SessionExpiredException) {
      if (cutReadsEpoch.getAndSet(connectionEpoch) != connectionEpoch) {
        log.info("store view: reads cut by the lost connection; the view is read again on reconnection");
      }
      return;
    }
    log.warn("store view: a read failed ({}); the view is read again on reconnection", e.toString());
  }

  private void onCache(CuratorCacheListener.Type type, ChildData oldData, ChildData data) {
    delivered.accept(ViewTrees.strip(prefix, (data != null ? data : oldData).getPath()));
    if (type == CuratorCacheListener.Type.NODE_DELETED) {
      if (oldData != null) {
        String gone = ViewTrees.strip(prefix, oldData.getPath());
        if (!ZkShards.gone(gone, loop, shards, this::assemble)) loop.execute(() -> mirror.remove(gone));
      }
      return;
    }
    if (data == null || data.getStat() == null) return;
    String path = ViewTrees.strip(prefix, data.getPath());
    try {
      if (ZkShards.delivered(path, data.getData(), data.getStat().getVersion(), loop, shards, this::assemble)) {
        return;
      }
      Object value = Codec.decode(path, data.getData());
      if (value != null && Layout2.logicalType(path) != null) loop.execute(() -> shards.layout1(path));
      if (value != null) advance(path, new Versioned<>(value, data.getStat().getVersion()));
      if (path.equals(watchedPath)) loop.execute(onStateChange);
    } catch (IOException e) {
      log.warn("store record {} (version {}) cannot be decoded: {}", path, data.getStat().getVersion(),
          e.getMessage());
    }
  }

  /** On the loop: the logical record at path once its head and shards agree (else the mirror keeps what it had). */
  private void assemble(String logical) {
    if (scope.partGroup() >= 0) {
      parts.assemble();
      return;
    }
    // A part the view held before it widened is replaced by the whole record at the same version.
    Versioned<Object> have = parts.holds(logical) ? null : mirror.get(logical);
    try {
      Layout2.Stored s = shards.assemble(logical, have == null ? -1 : have.version());
      if (s == null) return;
      mirror.merge(logical, new Versioned<>(s.record(), s.version()),
          (old, neu) -> neu.version() >= old.version() || parts.holds(logical) ? neu : old);
      parts.whole(logical);
      if (logical.equals(watchedPath)) onStateChange.run();
    } catch (IOException e) {
      log.warn("store record {} cannot be assembled from its shards: {}", logical, e.getMessage());
    }
  }

  /**
   * Never moves a path back to an older version: a committed write may be ahead of the watch events. The change is
   * applied on the event loop, in order: the core reads the view several times in one round, and a view that
   * changed under it (a renewal landing between a manager's timer update and its fence write) broke its checks.
   */
  private void advance(String path, Versioned<Object> v) {
    loop.execute(() -> {
      // A record the view does not mirror (any more) would never be updated again: it stays out.
      if (scope.mirrors(path)) mirror.merge(path, v, (old, neu) -> neu.version() >= old.version() ? neu : old);
    });
  }

  // ---- connection ------------------------------------------------------------------------------------------------

  private void onConnection(ConnectionState state) {
    log.info("store connection {}", state);
    if (state.isConnected()) {
      connected = true;
      afterConnect();
    } else {
      connected = false;
      current = false;
      connectionEpoch++;
    }
  }

  /** Makes sure the parents exist, then syncs with the leader before trusting the view again. */
  private void afterConnect() {
    long epoch = connectionEpoch;
    try {
      if (!layoutReady) {
        for (String p : LAYOUT) {
          try {
            client.create().creatingParentContainersIfNeeded().forPath(p);
          } catch (KeeperException.NodeExistsException e) {
            // there already
          }
        }
        layoutReady = true;
      }
      client.sync().inBackground((c, event) -> {
        // Through the loop: the view counts as current only after the updates queued before the sync are applied.
        if (event.getResultCode() == 0) loop.execute(() -> current = current || epoch == connectionEpoch);
      }).forPath("/");
    } catch (Exception e) {
      log.warn("store layout or sync failed, retrying on the next connection: {}", e.toString());
      connected = false;
      Thread retry = new Thread(() -> {
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          return;
        }
        if (client.getZookeeperClient().isConnected()) {
          connected = true;
          afterConnect();
        }
      }, "store-reconnect");
      retry.setDaemon(true);
      retry.start();
    }
  }

  /** Tests: which caches the view is made of, and their storage. */
  ViewScope scope() {
    return scope;
  }

  /** Tests: the mirror's record at path, without asking for it as the view does. */
  Versioned<Object> mirrored(String path) {
    return mirror.get(path);
  }

  /** Tests: told the path of every change any of the view's caches delivers, on the cache's thread. */
  void onDelivery(Consumer<String> probe) {
    this.delivered = probe;
  }

  private volatile Consumer<String> delivered = p -> { };


  @Override
  public void close() {
    scope.close();
    if (leaseClient != client) leaseClient.close();
  }
}
