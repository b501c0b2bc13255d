package palisade.runtime.store;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.Locale;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceStatus;
import palisade.core.StorePaths;

/**
 * Store layout 2 (schema 2): a logical record that grows with the cluster ({@code /config}, {@code /manager/state})
 * is one small <b>head</b> znode at the record's path plus one <b>entry</b> znode per element of its big maps:
 * {@code <path>/<field>/<bucket>/<key>}, bucket = {@link #bucketOf} the key (buckets keep each parent's children
 * list short). The head's data version is the logical record's version (a compare-and-set on the record is one on
 * the head). Every entry carries the head sequence of the write that last wrote it, and the head holds, per field,
 * the number of entries and a 64-bit digest (XOR of {@link #mix}(key, sequence) over them): a reader assembles the
 * record only when the entries it holds give the head's count and digest, so it does not assemble half of a write
 * (a mirror receives the znodes of one transaction one at a time). A write changing k entries writes the head and
 * those k znodes only.
 *
 * <p>Layout 3 (schema 3) is layout 2 with the manager's resource statuses grouped by node: a status's bucket is in
 * the group of its node ({@link #GROUPS} groups of {@link #PER_GROUP} buckets), and a status with a target (a
 * migration, a recovery) has a copy in the {@code targets} map, in the group of its target. The head holds each
 * group's count and digest too ({@link Head#groups}), so a view that holds only its node's groups can tell it holds
 * all of them, as a whole view tells by the field's sum: an agent's view needs only its node's group
 * ({@code NodePart}).
 */
public final class Layout2 {
  /** Buckets per big map: 50,000 resources give ~200 entries per bucket. Recorded in the head. */
  public static final int BUCKETS = 256;
  /** Layout 3: node groups of the grouped maps, and buckets per group. */
  public static final int GROUPS = 16;
  public static final int PER_GROUP = BUCKETS / GROUPS;
  /** The newest layout: a record keeps the layout of its head. */
  public static final int NEWEST = 3;
  /** The statuses' copies under their targets (layout 3): derived from the services, not a record component. */
  public static final String TARGETS = "targets";
  /** The largest znode this layout writes, and the largest transaction (bytes of data and paths). */
  public static final int ZNODE_MAX = 100 * 1024;
  public static final int TXN_MAX = 500 * 1024;
  /** Under layout 1 the only bound is ZooKeeper's packet (jute.maxbuffer, 1 MB by default), with a margin. */
  public static final int LAYOUT1_TXN_MAX = 1_000_000;

  /** A sharded map's summary in the head: how many entries, and the digest of their (key, sequence) pairs. */
  public record Sum(long count, long digest) {
    static final Sum EMPTY = new Sum(0, 0);

    Sum plus(String key, long at) {
      return new Sum(count + 1, digest ^ mix(key, at));
    }

    Sum minus(String key, long at) {
      return new Sum(count - 1, digest ^ mix(key, at));
    }
  }

  /**
   * The head's data: what the record holds apart from its sharded maps, and where their entries stand; census: per
   * counted map ({@link #counted}), how many entries fall in each class ({@link #classesOf}), kept by every write of
   * this release (null in a head an older release wrote: unknown, never stale).
   */
  public record Head(int layout, int buckets, long seq, SortedMap<String, Sum> sums, ObjectNode record,
      SortedMap<String, SortedMap<String, Long>> census, SortedMap<String, List<Sum>> groups) {
    /** A head without group sums (layout 2). */
    public Head(int layout, int buckets, long seq, SortedMap<String, Sum> sums, ObjectNode record,
        SortedMap<String, SortedMap<String, Long>> census) {
      this(layout, buckets, seq, sums, record, census, null);
    }
  }

  /**
   * A logical record as layout 2 holds it at one head version: what the next write compares against (ats: the
   * sequence each entry was last written at, by field and key).
   */
  public record Stored(long version, Head head, Object record, Map<String, Map<String, Long>> ats) {}

  private Layout2() {}

  /** FNV-1a of the key, then a finalizer over it and the sequence (SplitMix64's): a digest term. */
  static long mix(String key, long at) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < key.length(); i++) {
      h ^= key.charAt(i);
      h *= 0x100000001b3L;
    }
    return fin(h ^ fin(at + 0x9e3779b97f4a7c15L));
  }

  private static long fin(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  static ObjectMapper json() {
    return Codec.json();
  }

  /** The record type of a logical path stored this way, or null. */
  public static Class<?> logicalType(String path) {
    return switch (path) {
      case StorePaths.CONFIG -> ClusterConfig.class;
      case StorePaths.MANAGER_STATE -> ManagerState.class;
      default -> null;
    };
  }

  /** The maps of a record that are sharded: those that grow with resources or nodes (its components). */
  public static List<String> fields(String path) {
    return switch (path) {
      case StorePaths.CONFIG -> List.of("nodes", "resources");
      case StorePaths.MANAGER_STATE -> List.of("nodes", "services", "disks");
      default -> List.of();
    };
  }

  /** The sharded maps a head of layout holds entries of: the record's, and in layout 3 the targets' copies. */
  public static List<String> fields(String path, int layout) {
    if (layout >= 3 && path.equals(StorePaths.MANAGER_STATE)) return List.of("nodes", "services", TARGETS, "disks");
    return fields(path);
  }

  /** The layout a store of schema creates a logical record in (schema 1 creates none: its records are one znode). */
  public static int created(int schema) {
    return Math.min(Math.max(schema, 2), NEWEST);
  }

  /** Whether field's entries are bucketed by node in layout (else by key). */
  public static boolean grouped(String logical, String field, int layout) {
    return layout >= 3 && logical.equals(StorePaths.MANAGER_STATE)
        && (field.equals("services") || field.equals(TARGETS));
  }

  /** The node group of a node's name. */
  public static int groupOf(String node) {
    return bucketOf(node, GROUPS);
  }

  /** The node a grouped entry's value is filed under: a status's node, a target copy's target (null: none). */
  static String groupNode(String field, Object value) {
    ServiceStatus ss = (ServiceStatus) value;
    return field.equals(TARGETS) ? ss.target() : ss.node();
  }

  /** The bucket of key with value in field under layout: by its node's group when grouped, else by key. */
  static int bucketOf(String logical, String field, String key, Object value, int layout) {
    if (!grouped(logical, field, layout)) return bucketOf(key, BUCKETS);
    String node = groupNode(field, value);
    int group = node == null ? bucketOf(key, GROUPS) : groupOf(node);
    return group * PER_GROUP + Math.floorMod(key.hashCode() / GROUPS, PER_GROUP);
  }

  /** The maps whose entries the head counts by class: a cluster's totals without reading 50,000 entries. */
  public static List<String> counted(String path) {
    return switch (path) {
      case StorePaths.CONFIG -> List.of("resources");
      case StorePaths.MANAGER_STATE -> List.of("services");
      default -> List.of();
    };
  }

  /** The census classes of a counted map's entry: what `status` sums up. */
  static List<String> classesOf(Object value) {
    if (value instanceof ResourceConfig rc) return List.of(REQUEST + rc.state().name().toLowerCase(Locale.ROOT));
    if (value instanceof ServiceStatus ss) {
      String state = STATE + ss.state().label();
      return ss.hasFailed() ? List.of(state, FAILED) : List.of(state); // all but the node's last result
    }
    return List.of();
  }

  /** Census class prefixes and names. */
  public static final String REQUEST = "request:";
  public static final String STATE = "state:";
  public static final String FAILED = "failed";

  /** Stable across JVMs and versions: String.hashCode is specified by the language. */
  public static int bucketOf(String key, int buckets) {
    return Math.floorMod(key.hashCode(), buckets);
  }

  public static String bucketPath(String logical, String field, int bucket) {
    return logical + "/" + field + "/" + bucket;
  }

  /** The entry znode of key in layout 2 ({@link #entryPath(String, String, String, Object, int)}). */
  public static String entryPath(String logical, String field, String key) {
    return entryPath(logical, field, key, null, 2);
  }

  /**
   * The entry znode of key with value under layout: characters a znode name may not hold (or a backup's path check
   * refuses) escaped.
   */
  public static String entryPath(String logical, String field, String key, Object value, int layout) {
    StringBuilder sb = new StringBuilder(bucketPath(logical, field, bucketOf(logical, field, key, value, layout)))
        .append('/');
    if (key.equals(".") || key.equals("..")) sb.append('@');
    for (int i = 0; i < key.length(); i++) {
      char ch = key.charAt(i);
      if (ch != '@' && (Character.isLetterOrDigit(ch) && ch < 128 || "_.:-".indexOf(ch) >= 0)) sb.append(ch);
      else sb.append('@').append(String.format("%04x", (int) ch));
    }
    return sb.toString();
  }

  /** [logical path, field] of an entry znode's path, or null. */
  public static String[] parseEntry(String path) {
    for (String logical : List.of(StorePaths.CONFIG, StorePaths.MANAGER_STATE)) {
      if (!path.startsWith(logical + "/")) continue;
      String[] rest = path.substring(logical.length() + 1).split("/");
      if (rest.length == 3 && fields(logical, NEWEST).contains(rest[0]) && rest[1].matches("\\d{1,5}")) {
        return new String[] {logical, rest[0]};
      }
    }
    return null;
  }

  /** Whether data is a layout-2 head (a layout-1 record is the record's own JSON). */
  public static boolean isHead(byte[] data) {
    if (data == null || data.length < 10) return false;
    String start = new String(data, 0, Math.min(data.length, 16), java.nio.charset.StandardCharsets.UTF_8);
    return start.startsWith("{\"layout\":");
  }

  static Head decodeHead(byte[] data) throws IOException {
    return json().readValue(data, Head.class);
  }

  /** An entry znode's key (its own field, not the escaped name) and typed value. */
  static Map.Entry<String, Object> decodeEntry(String logical, String field, byte[] data) throws IOException {
    EntryIn in = READERS.computeIfAbsent(logical + "/" + field, k -> json().readerFor(json().getTypeFactory()
        .constructParametricType(EntryIn.class, valueType(logicalType(logical), field)))).readValue(data);
    return Map.entry(in.key(), new Valued(in.at(), in.value()));
  }

  /** An entry znode's data as read, its value typed as the record's map values. */
  record EntryIn<V>(String key, long at, V value) {}

  /** Readers by logical path and field (building one per entry cost more than reading it). */
  private static final Map<String, com.fasterxml.jackson.databind.ObjectReader> READERS =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** An entry's value with the sequence it was written at. */
  record Valued(long at, Object value) {}

  static byte[] encodeEntry(String key, long at, Object value) {
    return Codec.encode(new EntryOut(key, at, value));
  }

  private record EntryOut(String key, long at, Object value) {}

  private static JavaType valueType(Class<?> recordType, String field) {
    if (field.equals(TARGETS)) return json().constructType(ServiceStatus.class);
    for (RecordComponent c : recordType.getRecordComponents()) {
      if (c.getName().equals(field) && c.getGenericType() instanceof ParameterizedType p) {
        return json().constructType(p.getActualTypeArguments()[1]);
      }
    }
    throw new IllegalStateException(recordType.getSimpleName() + " has no map " + field);
  }

  /** The record's components apart from its sharded maps, as JSON. */
  static ObjectNode headRecord(String logical, Object record) {
    ObjectNode out = json().createObjectNode();
    List<String> sharded = fields(logical);
    try {
      for (RecordComponent c : record.getClass().getRecordComponents()) {
        if (sharded.contains(c.getName())) continue;
        out.set(c.getName(), json().valueToTree(c.getAccessor().invoke(record)));
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot split " + logical + ": " + e, e);
    }
    return out;
  }

  /** The sharded map FIELD of record (the targets' copies: the statuses with a target). */
  @SuppressWarnings("unchecked")
  static SortedMap<String, Object> map(Object record, String field) {
    if (field.equals(TARGETS)) {
      TreeMap<String, Object> out = new TreeMap<>();
      ((ManagerState) record).services().forEach((k, v) -> {
        if (v.target() != null) out.put(k, v);
      });
      return out;
    }
    try {
      return (SortedMap<String, Object>) record.getClass().getMethod(field).invoke(record);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("no map " + field + ": " + e, e);
    }
  }

  /** The logical record from its head and its sharded maps' entries (field -> key -> value). */
  static Object assemble(String logical, Head head, Map<String, ? extends SortedMap<String, Object>> maps)
      throws IOException {
    Class<?> type = logicalType(logical);
    RecordComponent[] cs = type.getRecordComponents();
    Object[] args = new Object[cs.length];
    Class<?>[] types = new Class<?>[cs.length];
    for (int i = 0; i < cs.length; i++) {
      RecordComponent c = cs[i];
      types[i] = c.getType();
      if (fields(logical).contains(c.getName())) {
        args[i] = maps.containsKey(c.getName()) ? maps.get(c.getName()) : new TreeMap<String, Object>();
      } else {
        JsonNode n = head.record().get(c.getName());
        args[i] = n == null || n.isNull() ? zero(c.getType()) : json().readerFor(json().constructType(
            (Type) c.getGenericType())).readValue(n);
      }
    }
    try {
      Constructor<?> k = type.getDeclaredConstructor(types);
      return k.newInstance(args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw new IOException(logical + " does not assemble: " + e.getCause().getMessage(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object zero(Class<?> t) {
    if (!t.isPrimitive()) return null;
    if (t == boolean.class) return false;
    if (t == long.class) return 0L;
    if (t == int.class) return 0;
    return 0.0;
  }
}
