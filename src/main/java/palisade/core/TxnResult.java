package palisade.core;

import java.util.Map;

/** How a submitted transaction ended, as far as the submitter can tell. */
public sealed interface TxnResult {
  /** Applied; the new version of every written path. */
  record Committed(Map<String, Long> versions) implements TxnResult {
    public Committed {
      versions = Map.copyOf(versions);
    }

    public long version(String path) {
      Long v = versions.get(path);
      Check.that(v != null, "no version for %s in commit", path);
      return v;
    }
  }

  /** Not applied: a version did not match. */
  record Conflict(String path) implements TxnResult {}

  /** No answer the submitter can trust: store unreachable, no quorum, timed out. It may or may not have applied. */
  record Unavailable(String why) implements TxnResult {}
}
