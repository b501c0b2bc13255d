package palisade.runtime.store;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import palisade.core.ClusterConfig;
import palisade.core.StorePaths;

/**
 * A copy of every znode under a cluster's root ({@code /palisade/<cluster>}): paths and data, in a JSON file only its
 * owner may read (the notification settings hold a webhook URL and an SMTP password). ACLs are not copied: a restore
 * creates every znode through the cluster's {@link StoreAcl}, as the daemons and the CLI do, so the file cannot
 * carry a weaker ACL into the store.
 *
 * <p>A restore is refused while daemons run (they would overwrite what it writes, and an agent whose record goes
 * back in time could be fenced for it): every node record and the manager's lease are read twice, a few renewal
 * intervals apart, and any that changed names a live daemon. The file is validated whole before anything changes.
 */
public final class StoreBackup {
  public static final String FORMAT = "palisade-store-backup";
  public static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** One znode: its path under the cluster's root and its data, base64 (records are JSON, but copied byte-exact). */
  @JsonPropertyOrder({"path", "data"})
  public record Znode(String path, String data) {
    byte[] bytes() {
      return Base64.getDecoder().decode(data);
    }
  }

  /**
   * The file's content.
   *
   * @param schema the store's schema version ({@link SchemaVersion}) when it was taken
   * @param taken UTC, ISO-8601
   * @param znodes parents before children, sorted
   */
  @JsonPropertyOrder({"format", "version", "cluster", "schema", "taken", "znodes"})
  public record Backup(String format, int version, String cluster, int schema, String taken, List<Znode> znodes) {
    public Backup {
      znodes = znodes == null ? null : List.copyOf(znodes);
    }
  }

  private StoreBackup() {}

  /** Every znode under the cluster's root (the handle's namespace), read now. */
  public static Backup take(Admin admin, String cluster) throws Exception {
    CuratorFramework c = admin.client();
    List<Znode> out = new ArrayList<>();
    walk(c, "/", out);
    out.sort(ORDER);
    Object schema = null; // missing: version 1
    for (Znode z : out) {
      if (z.path().equals(StorePaths.SCHEMA)) schema = Codec.decode(z.path(), z.bytes());
    }
    int version = SchemaVersion.of(schema);
    return new Backup(FORMAT, FORMAT_VERSION, cluster, version, Instant.now().toString(), out);
  }

  /** The events, sequential znodes (Events, Admin.audit). */
  private static final String EVENTS_PREFIX = "/events/e-";
  private static final java.util.regex.Pattern EVENT = java.util.regex.Pattern.compile("/events/e-\\d{10}");

  /** Parents before children: by depth, then by path. */
  private static final Comparator<Znode> ORDER = Comparator.comparingLong((Znode z) -> z.path().chars()
      .filter(ch -> ch == '/').count()).thenComparing(Znode::path);

  private static void walk(CuratorFramework c, String path, List<Znode> out) throws Exception {
    List<String> children;
    try {
      children = new ArrayList<>(c.getChildren().forPath(path));
    } catch (KeeperException.NoNodeException e) {
      return; // gone meanwhile, or a cluster never written to
    }
    children.sort(null);
    for (String child : children) {
      String p = (path.equals("/") ? "" : path) + "/" + child;
      byte[] data;
      try {
        data = c.getData().forPath(p);
      } catch (KeeperException.NoNodeException e) {
        continue; // an event trimmed meanwhile
      }
      out.add(new Znode(p, Base64.getEncoder().encodeToString(data == null ? new byte[0] : data)));
      walk(c, p, out);
    }
  }

  /** Writes the backup to a new file, 0600 from its creation on; an existing file is not overwritten. */
  public static void write(Backup b, Path file) throws IOException {
    if (Files.exists(file)) throw new FileAlreadyExistsException(file + " exists: name a new file");
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, ".palisade-backup", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.write(tmp, JSON.writeValueAsBytes(b));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A backup file that cannot be restored: the message names the file and what is wrong. */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  /** Reads and validates FILE for a restore into CLUSTER: every path, every record; throws {@link Invalid}. */
  public static Backup read(Path file, String cluster) {
    Backup b;
    try {
      if (Files.size(file) > 64L << 20) throw new Invalid(file + ": over 64 MiB, not a palisade store backup");
      b = JSON.readValue(file.toFile(), Backup.class);
    } catch (Invalid e) {
      throw e;
    } catch (IOException e) {
      String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
          : e.toString();
      throw new Invalid(file + ": not a palisade store backup (" + why + ")");
    }
    String where = file + ": ";
    if (b == null || !FORMAT.equals(b.format())) throw new Invalid(where + "format: not " + FORMAT);
    if (b.version() != FORMAT_VERSION) {
      throw new Invalid(where + "version: " + b.version() + " (this palisade reads version " + FORMAT_VERSION + ")");
    }
    if (!cluster.equals(b.cluster())) {
      throw new Invalid(where + "cluster: the backup is of cluster '" + b.cluster() + "', not '" + cluster + "'");
    }
    if (b.schema() > SchemaVersion.CURRENT) {
      throw new Invalid(where + "schema: store schema " + b.schema() + " is newer than this palisade (knows up to "
          + SchemaVersion.CURRENT + ")");
    }
    if (b.znodes() == null) throw new Invalid(where + "znodes: missing");
    TreeSet<String> paths = new TreeSet<>();
    for (int i = 0; i < b.znodes().size(); i++) {
      Znode z = b.znodes().get(i);
      String at = where + "znodes[" + i + "]";
      if (z == null || z.path() == null || z.data() == null) throw new Invalid(at + ": needs path and data");
      String p = z.path();
      if (!p.matches("(/[A-Za-z0-9_.:@-]+)+") || p.contains("/./") || p.contains("/../") || p.endsWith("/.")
          || p.endsWith("/..")) {
        throw new Invalid(at + ".path: '" + p + "' is not a znode path under the cluster's root");
      }
      if (!paths.add(p)) throw new Invalid(at + ".path: '" + p + "' appears twice");
      String parent = p.substring(0, p.lastIndexOf('/'));
      if (!parent.isEmpty() && !paths.contains(parent)) {
        throw new Invalid(at + ".path: '" + p + "' comes before its parent '" + parent + "' (or without it)");
      }
      byte[] data;
      try {
        data = z.bytes();
      } catch (IllegalArgumentException e) {
        throw new Invalid(at + ".data: not base64");
      }
      try {
        Codec.decode(p, data); // a record of a known path must be one this palisade reads
      } catch (IOException | RuntimeException e) {
        throw new Invalid(at + ".data: not a valid record for " + p + " (" + e.getClass().getSimpleName() + ")");
      }
    }
    return b;
  }

  /**
   * The node daemons (and manager) that wrote within WINDOW_MS: reads every node record's and the manager lease's
   * version, waits, reads again. Empty when none did.
   */
  public static List<String> liveWriters(Admin admin, long windowMs) throws Exception {
    Map<String, Integer> before = versions(admin.client());
    Thread.sleep(windowMs); // a CLI waiting to observe renewals (not daemon logic)
    Map<String, Integer> after = versions(admin.client());
    List<String> live = new ArrayList<>();
    after.forEach((p, v) -> {
      if (!v.equals(before.get(p))) {
        live.add(p.equals(StorePaths.MANAGER_LEASE) ? "the manager lease" : p.substring(StorePaths.NODES.length()
            + 1));
      }
    });
    return live;
  }

  /** How long a restore watches for renewals: three renewal intervals of the cluster's timing, at least 3 s. */
  public static long window(Admin admin) throws Exception {
    ClusterConfig cfg;
    try {
      cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    } catch (IOException e) {
      cfg = null;
    }
    long r = cfg == null || cfg.timing() == null ? 2_000 : cfg.timing().renewMs();
    return Math.max(3_000, 3 * r);
  }

  private static Map<String, Integer> versions(CuratorFramework c) throws Exception {
    Map<String, Integer> v = new TreeMap<>();
    List<String> paths = new ArrayList<>(List.of(StorePaths.MANAGER_LEASE));
    try {
      for (String n : c.getChildren().forPath(StorePaths.NODES)) paths.add(StorePaths.node(n));
    } catch (KeeperException.NoNodeException e) {
      // no node ever wrote
    }
    for (String p : paths) {
      Stat s = c.checkExists().forPath(p);
      if (s != null) v.put(p, s.getVersion());
    }
    return v;
  }

  /**
   * Replaces everything under the cluster's root with the backup: deletes what is there, then creates every znode,
   * parents first, with the cluster's ACLs. Call only after {@link #read} and {@link #liveWriters}.
   *
   * @return how many znodes it created
   */
  public static int restore(Admin admin, Backup b) throws Exception {
    CuratorFramework c = admin.client();
    List<String> existing;
    try {
      existing = new ArrayList<>(c.getChildren().forPath("/"));
    } catch (KeeperException.NoNodeException e) {
      existing = List.of();
    }
    for (String child : existing) c.delete().deletingChildrenIfNeeded().forPath("/" + child);
    List<Znode> ordered = new ArrayList<>(b.znodes());
    ordered.sort(ORDER);
    for (Znode z : ordered) {
      if (EVENT.matcher(z.path()).matches()) {
        // A sequential znode: created anew in order, so the store's next sequence number comes after them (the
        // events keep their order; their ids are renumbered).
        c.create().withMode(org.apache.zookeeper.CreateMode.PERSISTENT_SEQUENTIAL).forPath(EVENTS_PREFIX, z.bytes());
      } else {
        c.create().forPath(z.path(), z.bytes());
      }
    }
    return ordered.size();
  }
}
