package palisade.runtime.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.zookeeper.KeeperException;
import palisade.core.Op;
import palisade.core.StorePaths;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.runtime.store.Layout2.Stored;
import palisade.runtime.store.Layout2Writes.Write;

/**
 * A core transaction as the znode operations of one ZooKeeper multi: a logical record stored in layout 2 becomes
 * its head's compare-and-set plus its changed shards; everything else is one operation. Remembers which core
 * operation each znode operation belongs to, so a failure maps back to a conflict on the logical path.
 */
final class ZkTxn {
  /** The client's layout-2 base of a record is not at the version the write expects: a conflict, nothing sent. */
  static final class Stale extends Exception {
    private static final long serialVersionUID = 1L;

    Stale(String path) {
      super(path);
    }
  }

  /** What a node record written by a daemon of this palisade says it reads. */
  static final List<Integer> LAYOUTS = List.of(1, 2, 3);

  private final Txn txn;
  private final List<Write> writes = new ArrayList<>();
  private final List<Integer> owner = new ArrayList<>();
  private final int[] first;
  private final Stored[] plans;

  private ZkTxn(Txn txn) {
    this.txn = txn;
    this.first = new int[txn.ops().size()];
    this.plans = new Stored[txn.ops().size()];
  }

  /**
   * @param schema the store's schema: at 2 or 3 a logical record created now is created in that layout
   * @param announcing the node whose own record announces {@link #LAYOUTS}, or null
   */
  static ZkTxn of(Txn txn, ShardMirror shards, int schema, String announcing) throws Stale {
    boolean layout2 = schema >= 2;
    ZkTxn z = new ZkTxn(txn);
    for (int i = 0; i < txn.ops().size(); i++) {
      Op op = txn.ops().get(i);
      z.first[i] = z.writes.size();
      if (op instanceof Op.Unchanged c) {
        z.add(i, new Write(Write.Kind.CHECK, c.path(), null, Math.toIntExact(c.version())));
        continue;
      }
      Op.Put put = (Op.Put) op;
      Stored base = Layout2.logicalType(put.path()) == null ? null : shards.stored(put.path());
      boolean absent = put.expectedVersion() == Op.ABSENT;
      // In a store of layout 2 or 3 a record is written over the whole record this client assembled; without it (a
      // view holding only its node's part, or not assembled yet) a plain write would replace the head: a conflict.
      if (Layout2.logicalType(put.path()) != null && layout2 && base == null && !absent) throw new Stale(put.path());
      if (Layout2.logicalType(put.path()) != null && (base != null || (absent && layout2))) {
        if (base != null && (absent || base.version() != put.expectedVersion())) throw new Stale(put.path());
        Layout2Writes.Plan plan = Layout2Writes.plan(put.path(), put.value(), absent ? null : base,
            Layout2.created(schema));
        for (Write w : plan.writes()) z.add(i, w);
        z.plans[i] = plan.next();
        continue;
      }
      byte[] data = put.path().equals(StorePaths.node(String.valueOf(announcing))) ? announced(put.value())
          : Codec.encode(put.value());
      // Above the znode bound, compressed rather than refused: a node record carries a result per resource it runs
      // (about 50 bytes each), so a node running 2,000 had its every renewal refused (docs/RUNTIME.md).
      if (layout2 && data.length > Layout2.ZNODE_MAX) data = Codec.gzip(data);
      z.add(i, absent ? new Write(Write.Kind.CREATE, put.path(), data, -1)
          : new Write(Write.Kind.SET, put.path(), data, Math.toIntExact(put.expectedVersion())));
    }
    Layout2Writes.checkSizes("store write of " + paths(txn), z.writes, layout2);
    return z;
  }

  /**
   * A lease renewal: writes of node records and of the manager lease only (never a layout-2 record, never the
   * state). Each record's writes still go through one session, in order; nothing orders a renewal against a state
   * write anyway but the compare-and-set on each record.
   */
  static boolean leaseOnly(Txn txn) {
    for (Op op : txn.ops()) {
      String p = op.path();
      if (!(op instanceof Op.Put) || !(p.startsWith("/nodes/") || p.equals(StorePaths.MANAGER_LEASE))) {
        return false;
      }
    }
    return !txn.ops().isEmpty();
  }

  private static byte[] announced(Object record) {
    ObjectNode n = Codec.json().valueToTree(record);
    n.set("layouts", Codec.json().valueToTree(LAYOUTS));
    return Codec.encode(n);
  }

  private static String paths(Txn txn) {
    List<String> out = new ArrayList<>();
    for (Op op : txn.ops()) out.add(op.path());
    return String.join(", ", out);
  }

  private void add(int op, Write w) {
    writes.add(w);
    owner.add(op);
  }

  Txn txn() {
    return txn;
  }

  int size() {
    return writes.size();
  }

  /** The znode operation that decides core operation i's version (its head, or itself). */
  int first(int i) {
    return first[i];
  }

  int owner(int znodeOp) {
    return owner.get(znodeOp);
  }

  /**
   * The core's answer to this multi when it did not commit: a conflict on the (logical) path of an operation that
   * failed on a version or an existing or missing znode, else Unavailable.
   */
  TxnResult failure(KeeperException.Code code, List<CuratorTransactionResult> results) {
    if (results != null) {
      for (int i = 0; i < results.size() && i < size(); i++) {
        int err = results.get(i).getError();
        if (err != 0 && conflict(KeeperException.Code.get(err))) {
          return new TxnResult.Conflict(txn.ops().get(owner(i)).path());
        }
      }
    }
    if (conflict(code)) return new TxnResult.Conflict(txn.ops().get(0).path());
    return new TxnResult.Unavailable("store: " + code);
  }

  private static boolean conflict(KeeperException.Code c) {
    return c == KeeperException.Code.BADVERSION || c == KeeperException.Code.NODEEXISTS
        || c == KeeperException.Code.NONODE;
  }

  /** What core operation i leaves the store holding in layout 2 (its version: the head's), or null. */
  Stored plan(int i) {
    return plans[i];
  }

  long bytes() {
    long n = 0;
    for (Write w : writes) n += w.bytes();
    return n;
  }

  int largestZnode() {
    int max = 0;
    for (Write w : writes) max = Math.max(max, w.data() == null ? 0 : w.data().length);
    return max;
  }

  List<CuratorOp> curatorOps(CuratorFramework client) throws Exception {
    return curatorOps(client, writes);
  }

  static List<CuratorOp> curatorOps(CuratorFramework client, List<Write> writes) throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    for (Write w : writes) {
      ops.add(switch (w.kind()) {
        case CHECK -> client.transactionOp().check().withVersion(w.version()).forPath(w.path());
        case CREATE -> client.transactionOp().create().forPath(w.path(), w.data());
        case SET -> client.transactionOp().setData().withVersion(w.version()).forPath(w.path(), w.data());
        case DELETE -> client.transactionOp().delete().withVersion(w.version()).forPath(w.path());
      });
    }
    return ops;
  }
}
