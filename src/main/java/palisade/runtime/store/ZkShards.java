package palisade.runtime.store;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * What a store client's cache delivers of layout 2: heads and entries are decoded on the cache's thread, then
 * handed to the event loop, which assembles the logical record once they agree.
 */
final class ZkShards {
  private ZkShards() {}

  /** True when path is a layout-2 head or entry (handled); false for every other znode. */
  static boolean delivered(String path, byte[] data, long version, Executor loop, ShardMirror shards,
      Consumer<String> assemble) throws IOException {
    if (Layout2.logicalType(path) != null) {
      if (!Layout2.isHead(data)) return false;
      Layout2.Head head = Layout2.decodeHead(data);
      loop.execute(() -> {
        shards.head(path, head, version);
        assemble.accept(path);
      });
      return true;
    }
    String[] e = Layout2.parseEntry(path);
    if (e == null) return false;
    if (data == null || data.length == 0) return true;
    Map.Entry<String, Object> entry = Layout2.decodeEntry(e[0], e[1], data);
    loop.execute(() -> {
      shards.entry(e[0], e[1], path, entry.getKey(), (Layout2.Valued) entry.getValue());
      assemble.accept(e[0]);
    });
    return true;
  }

  /** A deleted znode: true when it was a layout-2 entry (handled). */
  static boolean gone(String path, Executor loop, ShardMirror shards, Consumer<String> assemble) {
    String[] e = Layout2.parseEntry(path);
    if (e == null) return false;
    loop.execute(() -> {
      shards.entryGone(e[0], e[1], path);
      assemble.accept(e[0]);
    });
    return true;
  }
}
