package palisade.runtime.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import palisade.core.ClusterConfig;
import palisade.core.Command;
import palisade.core.Commands;
import palisade.core.ManagerState;
import palisade.core.StorePaths;
import palisade.core.Versioned;
import palisade.runtime.store.Codec;
import palisade.runtime.store.Credential;
import palisade.runtime.store.ZkStore;

/**
 * The operator's synchronous handle on a cluster's store (CLI, local-cluster tooling, tests), authenticated with
 * the operator's credential. Every change is a compare-and-set: read the record with its version, modify it, write
 * it at that version; retried on a conflict. Every change it makes is then recorded in the cluster's events with the
 * credential's holder and the host it came from (the audit trail).
 */
public final class Admin implements AutoCloseable {
  static final int CAS_ATTEMPTS_MAX = 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final CuratorFramework client;
  private final Credential credential;
  private final String host;

  public Admin(String connectString, String cluster, Credential credential) {
    this.credential = credential;
    this.host = hostName();
    client = ZkStore.newClient(connectString, cluster, credential, b -> b
        .sessionTimeoutMs(10_000).connectionTimeoutMs(5_000)
        .retryPolicy(new ExponentialBackoffRetry(200, 5)));
    client.start();
  }

  /** The raw client, for the store's own backup and restore (StoreBackup). */
  CuratorFramework client() {
    return client;
  }

  /** Who this handle acts as. */
  public Credential credential() {
    return credential;
  }

  /** The real name of this host (not the loopback name), for the audit trail. */
  public static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      String env = System.getenv("HOSTNAME");
      return env != null && !env.isBlank() ? env : "unknown-host";
    }
  }

  /** The cluster's stored failovers through this handle (a new cache: keep it). */
  public FailoverLog failoverLog() {
    return new FailoverLog(client);
  }

  /** Waits for a connection; false if none within the time. */
  public boolean connect(long timeoutMs) throws InterruptedException {
    return client.blockUntilConnected((int) timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** The record at path with its version, or null (a record in store layout 2 is assembled from its shards). */
  public Versioned<Object> read(String path) throws Exception {
    Stat stat = new Stat();
    try {
      byte[] data = client.getData().storingStatIn(stat).forPath(path);
      if (Layout2.logicalType(path) != null && Layout2.isHead(data)) {
        Layout2.Stored s = Layout2Reads.read(client, path, known.get(path));
        if (s != null) known.put(path, s);
        return s == null ? null : new Versioned<>(s.record(), s.version());
      }
      Object v = Codec.decode(path, data);
      return v == null ? null : new Versioned<>(v, stat.getVersion());
    } catch (KeeperException.NoNodeException e) {
      return null;
    }
  }

  /** A layout-2 record's head as stored, or null (absent, or layout 1): its maps' counts and census. */
  public Layout2.Head head(String path) throws Exception {
    try {
      byte[] data = client.getData().forPath(path);
      return Layout2.logicalType(path) != null && Layout2.isHead(data) ? Layout2.decodeHead(data) : null;
    } catch (KeeperException.NoNodeException e) {
      return null;
    }
  }

  /**
   * The layout-2 record at path with the entries of fields alone (its other sharded maps empty), or null when it is
   * absent or in layout 1. For showing only: it is not kept as what this handle read, so no write starts from it.
   */
  public Versioned<Object> readPart(String path, List<String> fields) throws Exception {
    Layout2.Stored s = Layout2Reads.read(client, path, known.get(path), new MultiReads(client), fields);
    return s == null ? null : new Versioned<>(s.record(), s.version());
  }

  /** A plain record as a batched read found it: its value, version and last-modified time. */
  public record Found(Object value, long version, long modifiedAtMs) {}

  /**
   * The plain (not layout-2) records at paths, read in batched read-only multis: a command that shows every node's
   * record and usage reads 2,000 znodes at 1,000 nodes in a few requests, not one request each. Absent ones are left
   * out. For showing: nothing is kept for a later write.
   */
  public Map<String, Found> readEach(List<String> paths) throws Exception {
    Map<String, Found> out = new java.util.HashMap<>();
    new MultiReads(client).read(paths, false, Layout2Reads.ENTRIES_PER_BATCH, (from, results) -> {
      for (int i = 0; i < results.size(); i++) {
        String path = paths.get(from + i);
        if (results.get(i) instanceof org.apache.zookeeper.OpResult.ErrorResult e) {
          if (e.getErr() == KeeperException.Code.NONODE.intValue()) continue;
          throw KeeperException.create(KeeperException.Code.get(e.getErr()), path);
        }
        var r = (org.apache.zookeeper.OpResult.GetDataResult) results.get(i);
        Object v = Codec.decode(path, r.getData());
        if (v != null) out.put(path, new Found(v, r.getStat().getVersion(), r.getStat().getMtime()));
      }
    });
    return out;
  }

  /**
   * Reads the layout-2 records among paths at once, each on a thread of its own, so that later reads of them
   * through this handle are answered from what was read (while their heads stay at that version). A command that
   * shows several large records (`status`: the config and the state) waits for the slower, not for their sum.
   */
  public void readAhead(List<String> paths) throws Exception {
    List<java.util.concurrent.CompletableFuture<Void>> reads = new ArrayList<>();
    for (String path : paths) {
      if (Layout2.logicalType(path) == null) continue;
      reads.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
        try {
          Layout2.Stored s = Layout2Reads.read(client, path, known.get(path));
          if (s != null) known.put(path, s);
        } catch (Exception e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      }, AHEAD));
    }
    try {
      for (var r : reads) r.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }

  /** Threads of read-ahead: daemons, so that a command that ends does not wait for them. */
  private static final java.util.concurrent.Executor AHEAD = r -> {
    Thread t = new Thread(r, "palisade-read-ahead");
    t.setDaemon(true);
    t.start();
  };

  /** The layout-2 records this handle read or wrote last: a batch of updates reads only what changed since. */
  private final Map<String, Layout2.Stored> known = new java.util.concurrent.ConcurrentHashMap<>();

  /** Whether this handle found the store's schema one it may write (checked once, before its first write). */
  private boolean schemaChecked;

  /** Refuses writes to a store of a newer schema than this palisade knows (SchemaVersion), naming both versions. */
  private void writable() throws Exception {
    if (schemaChecked) return;
    Versioned<Object> s = read(StorePaths.SCHEMA);
    int stored = SchemaVersion.of(s == null ? null : s.value());
    if (stored > SchemaVersion.CURRENT) {
      throw new IllegalStateException("store schema " + stored + " is newer than this palisade (knows up to "
          + SchemaVersion.CURRENT + "): upgrade this host's palisade before changing the cluster with it");
    }
    schemaChecked = true;
  }

  /** The store's schema version (SchemaVersion; missing /schema: 1). */
  public int schema() throws Exception {
    Versioned<Object> s = read(StorePaths.SCHEMA);
    return SchemaVersion.of(s == null ? null : s.value());
  }

  /** Wall-clock time of the last write of path (the store's clock), or -1 when absent. */
  public long modifiedAtMs(String path) throws Exception {
    Stat stat = client.checkExists().forPath(path);
    return stat == null ? -1 : stat.getMtime();
  }

  @SuppressWarnings("unchecked")
  public <T> T value(String path, Class<T> type) throws Exception {
    Versioned<Object> v = read(path);
    return v == null ? null : (T) v.value();
  }

  /**
   * Compare-and-set update of an existing record; {@code change} may throw to refuse (nothing is written). The
   * change is audited (for /config: which nodes, groups and resources it added, changed or removed).
   */
  @SuppressWarnings("unchecked")
  public <T> T update(String path, Class<T> type, UnaryOperator<T> change) throws Exception {
    if (!path.equals(StorePaths.SCHEMA)) writable();
    boolean logical = Layout2.logicalType(path) != null;
    for (int attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
      Layout2.Stored base = logical ? Layout2Reads.read(client, path, known.get(path)) : null;
      Versioned<Object> cur = base != null ? new Versioned<>(base.record(), base.version()) : read(path);
      T before = cur == null ? null : (T) cur.value();
      T next = change.apply(before);
      try {
        long version;
        if (base != null || (logical && cur == null && schema() >= 2)) {
          Layout2Writes.Plan plan = Layout2Writes.plan(path, next, base, Layout2.created(schema()));
          Layout2Writes.checkSizes("write of " + path, plan.writes(), true);
          String parent = path.substring(0, path.lastIndexOf('/'));
          if (base == null && !parent.isEmpty()) client.createContainers(parent); // /manager, as the daemons make it
          client.transaction().forOperations(ZkTxn.curatorOps(client, plan.writes()));
          version = plan.next().version();
          known.put(path, plan.next());
        } else if (cur == null) {
          client.create().creatingParentContainersIfNeeded().forPath(path, Codec.encode(next));
          version = 0;
        } else {
          byte[] data = Codec.encode(next);
          Layout2Writes.checkSizes("write of " + path, List.of(new Layout2Writes.Write(
              Layout2Writes.Write.Kind.SET, path, data, -1)), false);
          version = client.setData().withVersion(Math.toIntExact(cur.version())).forPath(path, data).getVersion();
        }
        audit("wrote " + path + " (version " + version + ")" + describe(before, next));
        return next;
      } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
          | KeeperException.NoNodeException e) {
        // someone else wrote in between: read again
      }
    }
    throw new IllegalStateException(path + ": too many concurrent writers, gave up after " + CAS_ATTEMPTS_MAX);
  }

  /** Deletes the record at path if it exists (audited); false when there was none. */
  public boolean delete(String path) throws Exception {
    writable();
    try {
      client.delete().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return false;
    }
    audit("deleted " + path);
    return true;
  }

  /**
   * Appends an operator command by compare-and-set on /commands; returns its sequence number.
   *
   * @throws Commands.Full when the queue holds {@link Commands#KEEP_MAX} commands the manager has not applied
   */
  public long command(LongFunction<Command> make) throws Exception {
    writable();
    ManagerState ms = value(StorePaths.MANAGER_STATE, ManagerState.class);
    long applied = ms == null ? 0 : ms.commandSeq();
    Commands c = update(StorePaths.COMMANDS, Commands.class, cur -> (cur == null ? Commands.empty() : cur)
        .append(make, applied));
    Command queued = c.pending().get(c.pending().size() - 1);
    audit("queued command " + c.lastSeq() + ": " + describe(queued));
    return c.lastSeq();
  }

  /** A command as an operator reads it in the events (not Java's record text). */
  public static String describe(Command c) {
    if (c instanceof Command.Migrate m) return "migrate " + m.resource() + " to " + m.node();
    if (c instanceof Command.Relocate r) return "relocate " + r.resource() + " to " + r.node();
    if (c instanceof Command.Maintenance m) return "maintenance " + (m.on() ? "on" : "off") + " for " + m.node();
    if (c instanceof Command.Cleanup cl) return "cleanup of " + cl.resource();
    if (c instanceof Command.FenceConfirm f) return "fence confirmation of " + f.node() + " by " + f.by();
    if (c instanceof Command.FenceNode f) return "fence of " + f.node() + " asked by " + f.by();
    if (c instanceof Command.Disarm d) return "cluster disarm " + d.kind().label();
    if (c instanceof Command.Arm) return "cluster arm";
    if (c instanceof Command.SpmMove m) return "spm move to " + m.node() + " asked by " + m.by();
    return c.toString(); // a command kind added later reads as its record until it is named here
  }

  /**
   * Records an operator action in the cluster's events: who (the credential's name and role), from which host.
   * Best effort after the change itself, like the daemons' events; ZooKeeper's own audit log on each peer records
   * the same writes with the id the server authenticated.
   */
  public void audit(String message) {
    try {
      byte[] data = JSON.writeValueAsBytes(new Event(null, System.currentTimeMillis(), host,
          "operator " + credential.who() + " on " + host, message));
      client.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
          .forPath("/events/e-", data);
    } catch (Exception e) {
      System.err.println("palisade: warning: the change was made but its audit event was not stored: " + e);
    }
  }

  /**
   * Records a daemon's own event (source names the part that noticed it), like the manager's lines; best effort:
   * false when the store did not take it.
   */
  public boolean record(String node, String source, String message) {
    try {
      byte[] data = JSON.writeValueAsBytes(new Event(null, System.currentTimeMillis(), node, source, message));
      client.create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
          .forPath("/events/e-", data);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * What a /config change did, by name (no option values: they may hold commands or secrets); for /notify which
   * channel changed, redacted.
   */
  private static String describe(Object before, Object after) {
    if (after instanceof NotifySettings n) {
      return NotifySettings.describe(before instanceof NotifySettings b ? b : null, n);
    }
    if (!(after instanceof ClusterConfig b) || (before != null && !(before instanceof ClusterConfig))) return "";
    ClusterConfig a = (ClusterConfig) before;
    StringBuilder sb = new StringBuilder();
    diff(sb, "nodes", a == null ? Map.of() : a.nodes(), b.nodes());
    diff(sb, "groups", a == null ? Map.of() : a.groups(), b.groups());
    diff(sb, "resources", a == null ? Map.of() : a.resources(), b.resources());
    if (a != null && a.shutdownPolicy() != b.shutdownPolicy()) {
      sb.append("; shutdown policy ").append(a.shutdownPolicy()).append(" -> ").append(b.shutdownPolicy());
    }
    if (a != null && !java.util.Objects.equals(a.timing(), b.timing())) {
      sb.append("; timing ").append(a.timing()).append(" -> ").append(b.timing());
    }
    return sb.toString();
  }

  private static void diff(StringBuilder sb, String what, Map<String, ?> before, Map<String, ?> after) {
    TreeSet<String> added = new TreeSet<>();
    TreeSet<String> changed = new TreeSet<>();
    TreeSet<String> removed = new TreeSet<>(before.keySet());
    removed.removeAll(after.keySet());
    for (Map.Entry<String, ?> e : after.entrySet()) {
      if (!before.containsKey(e.getKey())) added.add(e.getKey());
      else if (!before.get(e.getKey()).equals(e.getValue())) changed.add(e.getKey());
    }
    if (!added.isEmpty()) sb.append("; ").append(what).append(" added ").append(added);
    if (!changed.isEmpty()) sb.append("; ").append(what).append(" changed ").append(changed);
    if (!removed.isEmpty()) sb.append("; ").append(what).append(" removed ").append(removed);
  }

  /** An event id: its znode's name, and for an event of a batch its place in it ({@link EventIds}). */
  public static final String EVENT_ID = "e-\\d{10}(\\.\\d{4})?";

  /** One event of the cluster log, as the daemons store it (operator events: node is the operator's host). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Event(String id, long t, String node, String source, String message) {}

  /**
   * Events with an id after {@code afterId} (null: the last {@code limit}), oldest first. An event's id is its znode's
   * name ({@code e-0000000123}); a daemon stores the events of a moment as one znode holding an array, whose events
   * are {@code e-0000000123.0000}, {@code .0001}, ...: ids compare as strings in the order the store took them.
   */
  public List<Event> events(String afterId, int limit) throws Exception {
    List<String> children;
    try {
      children = new ArrayList<>(client.getChildren().forPath("/events"));
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
    Collections.sort(children);
    List<Event> out = new ArrayList<>();
    if (afterId != null) {
      String znode = EventIds.znode(afterId); // its later events are after it too
      children.removeIf(c -> c.compareTo(znode) < 0);
      for (String c : children) {
        for (Event e : eventsOf(c)) {
          if (e.id().compareTo(afterId) > 0) out.add(e);
        }
      }
      return out;
    }
    // The newest znodes, from the last back, until they hold limit events.
    List<List<Event>> newest = new ArrayList<>();
    int count = 0;
    for (int i = children.size() - 1; i >= 0 && count < limit; i--) {
      List<Event> batch = eventsOf(children.get(i));
      newest.add(batch);
      count += batch.size();
    }
    Collections.reverse(newest);
    newest.forEach(out::addAll);
    // Sequence order is commit order; show them by time within that, which is what a reader expects.
    return out.size() > limit ? out.subList(out.size() - limit, out.size()) : out;
  }

  /** The events znode c holds: none once trimmed. */
  private List<Event> eventsOf(String c) throws Exception {
    try {
      return EventIds.decode(c, JSON.readTree(client.getData().forPath("/events/" + c)));
    } catch (KeeperException.NoNodeException e) {
      return List.of(); // trimmed meanwhile
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
