package palisade.core;

/** A value read from the store with the version the next compare-and-set must name. */
public record Versioned<T>(T value, long version) {
  public Versioned {
    Check.that(value != null, "versioned value is null");
    Check.that(version >= 0, "negative version %d", version);
  }
}
