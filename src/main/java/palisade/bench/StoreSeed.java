package palisade.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import palisade.core.ClusterConfig;
import palisade.core.Op;
import palisade.core.ResourceConfig;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;
import palisade.runtime.store.SchemaVersion;

/**
 * Seeds the bench's store as a new cluster's is seeded, by the production writers: {@code /schema} at the current
 * layout as the first daemon records it (SchemaGate's write), {@code /config} holding the nodes as the first daemon
 * seeds it from its file (a store client's write, so layout 2), then the resources added by an operator in batches
 * through {@link Admin}, as {@code palisade resource import} writes them. {@code /manager/state} is left to the
 * manager, which writes it as a new cluster's does.
 */
final class StoreSeed {
  /** Resources per operator write, as StoreLayoutTest (`resource import` allows up to 2,000). */
  static final int BATCH = 1_000;

  record Seeded(int schema, int writes, long ms) {}

  private StoreSeed() {}

  static Seeded seed(StateWatch watch, String connect, String cluster, Path creds, ClusterConfig full)
      throws Exception {
    long t0 = System.nanoTime();
    watch.put(new Op.Put(StorePaths.SCHEMA, Op.ABSENT, SchemaVersion.CURRENT));
    ClusterConfig nodesOnly = new ClusterConfig(full.nodes(), full.groups(), new TreeMap<>(), full.shutdownPolicy(),
        full.timing(), full.repairAfterMs(), full.fence(), full.placement());
    watch.put(new Op.Put(StorePaths.CONFIG, Op.ABSENT, nodesOnly));
    List<ResourceConfig> all = new ArrayList<>(full.resources().values());
    int writes = 2;
    Credential operator = Credential.load(Credentials.issueOperator(creds, "bench-operator", Credential.Role.ADMIN,
        1));
    try (Admin admin = new Admin(connect, cluster, operator)) {
      int schema = admin.schema();
      if (schema != SchemaVersion.CURRENT) {
        throw new IllegalStateException("the bench's store records schema " + schema + ", not "
            + SchemaVersion.CURRENT);
      }
      for (int from = 0; from < all.size(); from += BATCH) {
        List<ResourceConfig> batch = all.subList(from, Math.min(all.size(), from + BATCH));
        admin.update(StorePaths.CONFIG, ClusterConfig.class, cur -> { // one new record a write, as an import makes
          java.util.TreeMap<String, ResourceConfig> rs = new java.util.TreeMap<>(cur.resources());
          for (ResourceConfig r : batch) rs.put(r.id(), r);
          return new ClusterConfig(cur.nodes(), cur.groups(), rs, cur.shutdownPolicy(), cur.timing(),
              cur.repairAfterMs(), cur.fence(), cur.placement());
        });
        writes++;
      }
      return new Seeded(schema, writes, (System.nanoTime() - t0) / 1_000_000);
    }
  }
}
