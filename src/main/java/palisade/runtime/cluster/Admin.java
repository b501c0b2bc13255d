package palisade.runtime.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import palisade.core.Command;
import palisade.core.Commands;
import palisade.core.ManagerState;
import palisade.core.StorePaths;
import palisade.core.Versioned;
import palisade.runtime.store.Codec;

/**
 * The operator's synchronous handle on a cluster's store (CLI, local-cluster tooling, tests). Every change is a
 * compare-and-set: read the record with its version, modify it, write it at that version; retried on a conflict.
 */
public final class Admin implements AutoCloseable {
  static final int CAS_ATTEMPTS_MAX = 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final CuratorFramework client;

  public Admin(String connectString, String cluster) {
    client = CuratorFrameworkFactory.builder().connectString(connectString).namespace("palisade/" + cluster)
        .sessionTimeoutMs(10_000).connectionTimeoutMs(5_000)
        .retryPolicy(new ExponentialBackoffRetry(200, 5)).build();
    client.start();
  }

  /** Waits for a connection; false if none within the time. */
  public boolean connect(long timeoutMs) throws InterruptedException {
    return client.blockUntilConnected((int) timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** The record at path with its version, or null. */
  public Versioned<Object> read(String path) throws Exception {
    Stat stat = new Stat();
    try {
      byte[] data = client.getData().storingStatIn(stat).forPath(path);
      Object v = Codec.decode(path, data);
      return v == null ? null : new Versioned<>(v, stat.getVersion());
    } catch (KeeperException.NoNodeException e) {
      return null;
    }
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

  /** Compare-and-set update of an existing record; {@code change} may throw to refuse (nothing is written). */
  @SuppressWarnings("unchecked")
  public <T> T update(String path, Class<T> type, UnaryOperator<T> change) throws Exception {
    for (int attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
      Versioned<Object> cur = read(path);
      T next = change.apply(cur == null ? null : (T) cur.value());
      try {
        if (cur == null) {
          client.create().creatingParentContainersIfNeeded().forPath(path, Codec.encode(next));
        } else {
          client.setData().withVersion(Math.toIntExact(cur.version())).forPath(path, Codec.encode(next));
        }
        return next;
      } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
        // someone else wrote in between: read again
      }
    }
    throw new IllegalStateException(path + ": too many concurrent writers, gave up after " + CAS_ATTEMPTS_MAX);
  }

  /** Appends an operator command by compare-and-set on /commands; returns its sequence number. */
  public long command(LongFunction<Command> make) throws Exception {
    ManagerState ms = value(StorePaths.MANAGER_STATE, ManagerState.class);
    long applied = ms == null ? 0 : ms.commandSeq();
    Commands c = update(StorePaths.COMMANDS, Commands.class, cur -> (cur == null ? Commands.empty() : cur)
        .append(make, applied));
    return c.lastSeq();
  }

  /** One event of the cluster log, as the daemons store it. */
  public record Event(String id, long t, String node, String source, String message) {}

  /** Events with a sequence id after {@code afterId} (null: the last {@code limit}), oldest first. */
  public List<Event> events(String afterId, int limit) throws Exception {
    List<String> children;
    try {
      children = new ArrayList<>(client.getChildren().forPath("/events"));
    } catch (KeeperException.NoNodeException e) {
      return List.of();
    }
    Collections.sort(children);
    if (afterId != null) children.removeIf(c -> c.compareTo(afterId) <= 0);
    else if (children.size() > limit) children = children.subList(children.size() - limit, children.size());
    List<Event> out = new ArrayList<>();
    for (String c : children) {
      try {
        var n = JSON.readTree(client.getData().forPath("/events/" + c));
        out.add(new Event(c, n.path("t").asLong(), n.path("node").asText(), n.path("source").asText(),
            n.path("message").asText()));
      } catch (KeeperException.NoNodeException e) {
        // trimmed meanwhile
      }
    }
    // Sequence order is commit order; show them by time within that, which is what a reader expects.
    return out;
  }

  @Override
  public void close() {
    client.close();
  }
}
