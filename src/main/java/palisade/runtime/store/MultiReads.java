package palisade.runtime.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooKeeper;

/**
 * Many znode reads sent as ZooKeeper's read-only multi (one request answers a batch of getData or getChildren ops),
 * a bounded number of batches in flight. ZooKeeper's client drops its connection when an answer exceeds its packet
 * bound (jute.maxbuffer, 1 MB), so a batch is bounded by count, the count shrinks when the bytes already read say a
 * full batch would come near the bound, and a batch whose multi fails as a whole (a lost connection, a packet too
 * large) is split in halves and sent again, down to single reads, a bounded number of times. Each op's own outcome
 * (data, children, or an error such as NONODE for a znode deleted meanwhile) is the caller's to judge.
 */
class MultiReads {
  /** Bytes one answer is meant to stay under: half the client's 1 MB packet bound. */
  static final int BATCH_BYTES_MAX = 512 * 1024;
  /** Batches outstanding at once (tens of thousands of single requests at once overran a session). */
  static final int IN_FLIGHT_MAX = 4;
  /** Whole-batch failures tolerated in one call before giving up. */
  static final int FAILURES_MAX = 64;
  /** How long one batch may go unanswered. */
  static final long ANSWER_TIMEOUT_MS = 30_000;
  /** Bytes an answer spends per op besides the data (a Stat, the op's header). */
  private static final int OP_OVERHEAD_BYTES = 100;

  /** What the caller does with each answered batch, on the calling thread, in any order of batches. */
  interface Answered {
    void accept(int from, List<OpResult> results) throws Exception;
  }

  private record Batch(int from, int to) {
    int size() {
      return to - from;
    }
  }

  private record Done(Batch batch, int rc, List<OpResult> results) {}

  private final CuratorFramework client;
  /** Batches whose multi failed as a whole and were sent again in halves, over this reader's life. */
  private int split;

  MultiReads(CuratorFramework client) {
    this.client = client;
  }

  /**
   * Reads {@code paths} (namespace-relative) as getData ops (or getChildren ops), at most {@code perBatch} a batch;
   * each batch's results, in the order of its paths, go to {@code answered}.
   */
  void read(List<String> paths, boolean children, int perBatch, Answered answered) throws Exception {
    if (paths.isEmpty()) return;
    List<Op> ops = new ArrayList<>(paths.size());
    String ns = client.getNamespace();
    for (String p : paths) {
      String full = ns == null || ns.isEmpty() ? p : ZKPaths.makePath(ns, p);
      ops.add(children ? Op.getChildren(full) : Op.getData(full));
    }
    run(ops, perBatch, answered);
  }

  private void run(List<Op> ops, int perBatch, Answered answered) throws Exception {
    // One handle for the whole read: ZooKeeper queues what is sent on it while it reconnects within its session,
    // and asking Curator for it per batch could make Curator replace it mid-read.
    ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
    LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
    Deque<Batch> pending = new ArrayDeque<>();
    int limit = Math.max(1, perBatch);
    for (int from = 0; from < ops.size(); from += limit) pending.add(new Batch(from, Math.min(ops.size(), from + limit)));
    int inFlight = 0;
    int failures = 0;
    long bytes = 0;
    long answeredOps = 0;
    while (inFlight > 0 || !pending.isEmpty()) {
      while (inFlight < IN_FLIGHT_MAX && !pending.isEmpty()) {
        Batch b = pending.poll();
        if (b.size() > limit) { // sized before the answers said the entries are large
          pending.addFirst(new Batch(b.from() + limit, b.to()));
          b = new Batch(b.from(), b.from() + limit);
        }
        send(zk, ops.subList(b.from(), b.to()), b, done);
        inFlight++;
      }
      Done d = done.poll(ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (d == null) throw new TimeoutException("the store did not answer a read of " + ops.size() + " znodes");
      inFlight--;
      // Answered (rc then names the first op's error, if any, and each op says its own): results for every op.
      if (d.results() != null && d.results().size() == d.batch().size()) {
        for (OpResult r : d.results()) bytes += OP_OVERHEAD_BYTES + size(r);
        answeredOps += d.results().size();
        limit = (int) Math.max(1, Math.min(limit, BATCH_BYTES_MAX / Math.max(1, bytes / answeredOps)));
        answered.accept(d.batch().from(), d.results());
        continue;
      }
      KeeperException.Code code = KeeperException.Code.get(d.rc());
      if (code == KeeperException.Code.SESSIONEXPIRED) {
        throw new IllegalStateException("the store session expired during a read; try again",
            KeeperException.create(code));
      }
      if (++failures > FAILURES_MAX) {
        throw new IllegalStateException("the store's reads kept failing (" + failures + " batches failed, last: "
            + code + "); try again", KeeperException.create(code));
      }
      // Too large an answer, or a lost connection: the halves, and smaller batches from now on.
      split++;
      Batch b = d.batch();
      int half = Math.max(1, b.size() / 2);
      limit = Math.min(limit, half);
      if (b.size() > 1) pending.addFirst(new Batch(b.from() + half, b.to()));
      pending.addFirst(new Batch(b.from(), b.size() > 1 ? b.from() + half : b.to()));
    }
  }

  /** How many batches were split after failing whole (what a test of the fallback asserts happened). */
  int split() {
    return split;
  }

  private void send(ZooKeeper zk, List<Op> ops, Batch b, LinkedBlockingQueue<Done> done) {
    try {
      zk.multi(ops, (rc, path, ctx, results) ->
          done.add(new Done(b, rc, results)), null);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("cannot read the store: " + e.getMessage(), e);
    }
  }

  private static int size(OpResult r) {
    if (r instanceof OpResult.GetDataResult d) return d.getData() == null ? 0 : d.getData().length;
    if (r instanceof OpResult.GetChildrenResult c) return c.getChildren().size() * 16;
    return 0;
  }
}
