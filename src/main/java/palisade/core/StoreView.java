package palisade.core;

/** A node's local, possibly stale, prefix-consistent copy of the store. Reading it does no I/O. */
public interface StoreView {
  /** The record at path, or null. */
  Versioned<Object> get(String path);

  /** The record at path with its value cast to type, or null when absent. */
  @SuppressWarnings("unchecked")
  default <T> Versioned<T> get(String path, Class<T> type) {
    Versioned<Object> v = get(path);
    if (v == null) return null;
    if (!type.isInstance(v.value())) {
      Check.that(false, "%s holds %s, expected %s", path, v.value().getClass().getSimpleName(), type.getSimpleName());
    }
    return (Versioned<T>) (Versioned<?>) v;
  }
}
