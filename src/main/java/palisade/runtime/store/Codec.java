package palisade.runtime.store;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import palisade.core.ClusterConfig;
import palisade.core.Command;
import palisade.core.Commands;
import palisade.core.ManagerLease;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.StorePaths;

/**
 * JSON encoding of the store's records. The record type of a znode follows from its path (StorePaths); the sealed
 * {@link Command} family gets its type tag through a mixin, so the core carries no Jackson annotations.
 */
public final class Codec {
  private static final ObjectMapper JSON = new ObjectMapper()
      .addMixIn(Command.class, CommandMixin.class)
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
      .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private Codec() {}

  /** The mapper every record goes through (Layout2 splits and assembles records with it). */
  static ObjectMapper json() {
    return JSON;
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Command.Migrate.class, name = "migrate"),
      @JsonSubTypes.Type(value = Command.Relocate.class, name = "relocate"),
      @JsonSubTypes.Type(value = Command.Maintenance.class, name = "maintenance"),
      @JsonSubTypes.Type(value = Command.Cleanup.class, name = "cleanup"),
      @JsonSubTypes.Type(value = Command.FenceConfirm.class, name = "fence-confirm"),
      @JsonSubTypes.Type(value = Command.FenceNode.class, name = "fence-node"),
      @JsonSubTypes.Type(value = Command.Disarm.class, name = "disarm"),
      @JsonSubTypes.Type(value = Command.Arm.class, name = "arm"),
      @JsonSubTypes.Type(value = Command.SpmMove.class, name = "spm-move")})
  interface CommandMixin {}

  /** The record type stored at path, or null for paths that hold no record (parents, events). */
  public static Class<?> typeOf(String path) {
    return switch (path) {
      case StorePaths.CONFIG -> ClusterConfig.class;
      case StorePaths.COMMANDS -> Commands.class;
      case StorePaths.MANAGER_LEASE -> ManagerLease.class;
      case StorePaths.MANAGER_STATE -> ManagerState.class;
      case StorePaths.FENCE_HISTORY -> palisade.core.FenceHistory.class;
      case StorePaths.NOTIFY -> NotifySettings.class;
      case StorePaths.SCHEMA -> Integer.class;
      case StorePaths.TIMING -> palisade.core.Timing.class;
      default -> path.startsWith(StorePaths.NODES + "/") && path.indexOf('/', StorePaths.NODES.length() + 1) < 0
          ? NodeRecord.class : oneBelow(path, ShutdownRequest.PARENT) ? ShutdownRequest.class
          : oneBelow(path, StorePaths.USAGE) ? NodeUsage.class : null;
    };
  }

  private static boolean oneBelow(String path, String parent) {
    return path.startsWith(parent + "/") && path.indexOf('/', parent.length() + 1) < 0;
  }

  public static byte[] encode(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName() + ": " + e, e);
    }
  }

  /**
   * Decodes the record at path; null for paths without a record type or empty data. A layout-2 head decodes as a
   * {@link Layout2.Head}: the record itself is assembled with its shards (ZkStore, Admin).
   */
  public static Object decode(String path, byte[] data) throws IOException {
    Class<?> type = typeOf(path);
    if (type == null || data == null || data.length == 0) return null;
    data = plain(data);
    if (Layout2.logicalType(path) != null && Layout2.isHead(data)) return Layout2.decodeHead(data); // layout 2
    if (type != NotifySettings.class) return JSON.readValue(data, type);
    try {
      return JSON.readValue(data, type);
    } catch (IOException e) {
      // Jackson's message quotes the offending token, which may be a piece of a URL or a password.
      throw new IOException("not valid notification settings (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** The most a compressed record may expand to: a record is never near it, a corrupt or hostile one is refused. */
  static final int PLAIN_MAX = 16 << 20;

  /** Whether data is gzip's (its magic bytes): JSON never starts so. */
  static boolean compressed(byte[] data) {
    return data.length > 1 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
  }

  /**
   * A record stored compressed: only a record whose JSON is above store layout 2's znode bound is (ZkTxn), which a
   * release before this one could not write at all; in practice a node record with thousands of results.
   */
  static byte[] gzip(byte[] json) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(json.length / 4);
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(json);
    } catch (IOException e) {
      throw new IllegalStateException("cannot compress a record in memory: " + e, e);
    }
    return out.toByteArray();
  }

  /** data as JSON: itself, or uncompressed when it is gzip's. */
  static byte[] plain(byte[] data) throws IOException {
    if (!compressed(data)) return data;
    try (java.util.zip.GZIPInputStream z = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
      byte[] out = z.readNBytes(PLAIN_MAX + 1);
      if (out.length > PLAIN_MAX) throw new IOException("a compressed record expands beyond " + PLAIN_MAX + " bytes");
      return out;
    }
  }

  /** Pretty JSON for humans (the CLI). */
  public static String pretty(Object value) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
