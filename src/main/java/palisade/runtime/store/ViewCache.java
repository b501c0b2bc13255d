package palisade.runtime.store;

import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * One CuratorCache of a store client's view: a whole tree ({@link ViewTrees}), or a single node record (the own
 * node's in a scoped view, or one the view was asked for). Each has its own {@link RelistingStorage}.
 */
final class ViewCache {
  /**
   * A tree every view mirrors, a cluster-wide tree, the own node's record, a record read on demand, a single znode or
   * a tree of an agent's part ({@link PartScope}).
   */
  enum Kind { BASE, CLUSTER_WIDE, OWN, INTEREST, PART_NODE, PART_TREE }

  final String path;
  final Kind kind;
  /** Opened when the view started: the view is initialized only once every such open cache is. */
  final boolean counted;
  final RelistingStorage storage = new RelistingStorage();
  private final CuratorCache cache;
  /** Set on the event loop, after the initial records (which went the same way). */
  volatile boolean initialized;

  /**
   * @param changes every change the cache delivers (on the cache's thread)
   * @param initialized runs when the cache has delivered its initial data (on the cache's thread)
   */
  ViewCache(CuratorFramework client, String path, Kind kind, boolean counted, Consumer<Exception> errors,
      CuratorCacheListener changes, Consumer<ViewCache> initialized) {
    this.path = path;
    this.kind = kind;
    this.counted = counted;
    CuratorCache.Options[] options = kind == Kind.OWN || kind == Kind.INTEREST || kind == Kind.PART_NODE
        ? new CuratorCache.Options[] {CuratorCache.Options.SINGLE_NODE_CACHE} : new CuratorCache.Options[0];
    this.cache = CuratorCache.builder(client, path).withOptions(options).withStorage(storage)
        .withExceptionHandler(errors::accept).build();
    cache.listenable().addListener(CuratorCacheListener.builder().forAll(changes)
        .forInitialized(() -> initialized.accept(this))
        .build());
  }

  void start() {
    cache.start();
  }

  /** Stops the cache's watch (in the background) and clears its storage, without reporting deletions. */
  void close() {
    cache.close();
  }
}
