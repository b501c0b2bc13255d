package palisade.runtime.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import palisade.core.StorePaths;
import palisade.runtime.store.Layout2Writes.Write;

/**
 * {@code palisade store migrate}: moves a store from layout 1 (schema 1) to layout 2. Refused while a live daemon
 * (a node record renewed within the watch window) does not announce layout 2 in its record: a palisade that reads
 * only layout 1 would read a head without its resources. The entries are written first, in transactions within the
 * layout's bounds (no reader assembles entries a head does not count), then one transaction turns both records' znodes
 * into heads — a compare-and-set on the version the entries were made from — and sets /schema to 2. A record
 * changed meanwhile (the manager writes its state) fails that transaction and the migration starts again.
 */
public final class LayoutMigration {
  static final int ATTEMPTS_MAX = 10;

  /** A migration refused: the message says why and what to do; nothing changed. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private LayoutMigration() {}

  /** The live daemons (by node) whose records do not announce layout 2, watched for windowMs. */
  public static List<String> olderDaemons(Admin admin, long windowMs) throws Exception {
    List<String> old = new ArrayList<>();
    for (String live : StoreBackup.liveWriters(admin, windowMs)) {
      if (live.equals("the manager lease")) continue; // the manager is one of the nodes: its record tells
      byte[] data;
      try {
        data = admin.client().getData().forPath(StorePaths.node(live));
      } catch (KeeperException.NoNodeException e) {
        continue;
      }
      JsonNode layouts = Codec.json().readTree(Codec.plain(data)).path("layouts");
      boolean reads2 = false;
      for (JsonNode l : layouts) reads2 |= l.asInt() == 2;
      if (!reads2) old.add(live);
    }
    return old;
  }

  /**
   * Migrates; returns what it did for the operator.
   *
   * @throws Refused when a live daemon does not read layout 2
   */
  public static String migrate(Admin admin, long windowMs) throws Exception {
    if (admin.schema() >= 2) return "the store is at schema " + admin.schema() + " already: nothing to do";
    List<String> old = olderDaemons(admin, windowMs);
    if (!old.isEmpty()) {
      throw new Refused("refused: the daemons on " + String.join(", ", old) + " run a palisade that does not read "
          + "store layout 2 (their node records do not announce it): upgrade palisade on those nodes and restart "
          + "their daemons first; nothing changed");
    }
    CuratorFramework c = admin.client();
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
      List<Write> heads = new ArrayList<>();
      int shardCount = 0;
      for (String logical : List.of(StorePaths.CONFIG, StorePaths.MANAGER_STATE)) {
        Stat stat = new Stat();
        byte[] data;
        try {
          data = c.getData().storingStatIn(stat).forPath(logical);
        } catch (KeeperException.NoNodeException e) {
          continue; // a cluster without it: created in layout 2 when first written
        }
        if (Layout2.isHead(data)) continue;
        Object record = Codec.decode(logical, data);
        Layout2Writes.Plan plan = Layout2Writes.plan(logical, record,
            new Layout2.Stored(stat.getVersion(), null, null, Map.of()));
        clearShards(c, logical);
        List<Write> shards = plan.writes().subList(1, plan.writes().size());
        shardCount += shards.size();
        inBatches(c, shards);
        heads.add(plan.writes().get(0));
      }
      Stat schema = c.checkExists().forPath(StorePaths.SCHEMA);
      byte[] two = Codec.encode(2);
      heads.add(schema == null ? new Write(Write.Kind.CREATE, StorePaths.SCHEMA, two, -1)
          : new Write(Write.Kind.SET, StorePaths.SCHEMA, two, schema.getVersion()));
      Layout2Writes.checkSizes("store migration", heads, true);
      try {
        c.transaction().forOperations(ZkTxn.curatorOps(c, heads));
      } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
        continue; // a record changed since its shards were written: again
      }
      admin.audit("migrated the store to schema 2 (layout 2: " + shardCount + " entries)");
      return "migrated the store to schema 2 (" + shardCount + " entries written)";
    }
    throw new IllegalStateException("the records kept changing during the migration (" + ATTEMPTS_MAX
        + " attempts); the store is still at schema 1: try again");
  }

  /** Entries left by an earlier attempt (no head counts them) go before new ones are written. */
  private static void clearShards(CuratorFramework c, String logical) throws Exception {
    for (String parent : Layout2Reads.fieldParents(logical)) {
      try {
        c.delete().deletingChildrenIfNeeded().forPath(parent);
      } catch (KeeperException.NoNodeException e) {
        // none
      }
    }
    send(c, Layout2Writes.parents(logical, 2));
  }

  private static void inBatches(CuratorFramework c, List<Write> writes) throws Exception {
    List<Write> batch = new ArrayList<>();
    long bytes = 0;
    for (Write w : writes) {
      if (!batch.isEmpty() && bytes + w.bytes() > Layout2.TXN_MAX) {
        send(c, batch);
        batch.clear();
        bytes = 0;
      }
      batch.add(w);
      bytes += w.bytes();
    }
    if (!batch.isEmpty()) send(c, batch);
  }

  private static void send(CuratorFramework c, List<Write> batch) throws Exception {
    Layout2Writes.checkSizes("store migration", batch, true);
    List<CuratorOp> ops = ZkTxn.curatorOps(c, batch);
    c.transaction().forOperations(ops);
  }
}
