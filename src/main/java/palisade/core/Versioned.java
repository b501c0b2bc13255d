package palisade.core;

/** A value read from the store with the version the next compare-and-set must name. */
public record Versioned<T>(T value, long version) {
  public Versioned {
    if (value == null || version < 0) Check.that(false, "bad versioned value %s at version %d", value, version);
  }
}
