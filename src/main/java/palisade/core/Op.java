package palisade.core;

/** One operation of an atomic store transaction. */
public sealed interface Op {
  /** Version meaning "the record must not exist yet". */
  long ABSENT = -1;

  String path();

  /** Fails the transaction unless the record at path has this version. */
  record Unchanged(String path, long version) implements Op {}

  /** Writes value if the record's version is expectedVersion ({@link #ABSENT}: creates it). */
  record Put(String path, long expectedVersion, Object value) implements Op {
    public Put {
      palisade.core.Check.that(value != null, "put of null at %s", path);
    }
  }
}
