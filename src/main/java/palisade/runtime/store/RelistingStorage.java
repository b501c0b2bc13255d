package palisade.runtime.store;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCacheStorage;
import org.apache.zookeeper.data.Stat;

/**
 * The store view's cache storage, which can make the cache list every parent's children again.
 *
 * <p>Curator's cache stores a parent's new stat before it lists the parent's children. When that listing is cut off
 * (a lost connection), the stored child-list version is already current, so the re-read of every stored znode on
 * reconnection never lists that parent again, and a child created meanwhile (a layout-2 shard, a new resource) is
 * missing from the view for good: its head never matches and the record stays at the old version.
 * {@link #forgetChildLists} marks every stored parent's child list as unknown; the re-read then lists each of them
 * and fetches what is missing. Data versions are kept, so nothing already seen is reported changed.
 */
final class RelistingStorage implements CuratorCacheStorage {
  /** A child-list version no znode has: the cache compares it with the read stat's and lists again. */
  static final int UNKNOWN_CHILDREN = -1;
  private final ConcurrentHashMap<String, ChildData> nodes = new ConcurrentHashMap<>();
  private final AtomicLong forgets = new AtomicLong();

  @Override
  public Optional<ChildData> put(ChildData data) {
    return Optional.ofNullable(nodes.put(data.getPath(), data));
  }

  @Override
  public Optional<ChildData> remove(String path) {
    return Optional.ofNullable(nodes.remove(path));
  }

  @Override
  public void clear() {
    nodes.clear();
  }

  @Override
  public Optional<ChildData> get(String path) {
    return Optional.ofNullable(nodes.get(path));
  }

  @Override
  public int size() {
    return nodes.size();
  }

  @Override
  public Stream<ChildData> stream() {
    return nodes.values().stream();
  }

  /** Every stored parent (a znode with children when last read) has its child list listed again at the re-read. */
  void forgetChildLists() {
    forgets.incrementAndGet();
    nodes.replaceAll((path, d) -> d.getStat() == null || d.getStat().getNumChildren() == 0
        || d.getStat().getCversion() == UNKNOWN_CHILDREN ? d : new ChildData(path, unknownChildren(d.getStat()),
        d.getData()));
  }

  /** How often a cut-off read made the view forget its child lists (tests). */
  long forgets() {
    return forgets.get();
  }

  private static Stat unknownChildren(Stat s) {
    return new Stat(s.getCzxid(), s.getMzxid(), s.getCtime(), s.getMtime(), s.getVersion(), UNKNOWN_CHILDREN,
        s.getAversion(), s.getEphemeralOwner(), s.getDataLength(), s.getNumChildren(), s.getPzxid());
  }
}
