package palisade.storage;

/**
 * One write, as the area's record log keeps it: an accepted write in `log`, a refused one in `rejected`.
 *
 * @param token the fencing token the writer carried
 * @param node the writer's node, as it named itself
 * @param timeMs the writer's wall clock (ms since the epoch) when the area's lock was held
 * @param bytes how many bytes the write carried
 * @param sha256 the first 16 hex digits of the SHA-256 of those bytes (tells two writes apart without keeping them)
 */
public record StorageRecord(long token, String node, long timeMs, long bytes, String sha256) {
  public StorageRecord {
    if (token <= 0) throw new IllegalArgumentException("a storage record needs a positive token, not " + token);
    StorageNames.checkNode(node);
  }

  /** One line of the log: tab-separated, in the order of the fields. */
  String line() {
    return token + "\t" + node + "\t" + timeMs + "\t" + bytes + "\t" + sha256;
  }

  /** Parses {@link #line()}; where names the file and line for a clear error. */
  static StorageRecord parse(String line, String where) throws java.io.IOException {
    String[] f = line.split("\t", -1);
    try {
      if (f.length != 5) throw new IllegalArgumentException("expected 5 tab-separated fields, found " + f.length);
      return new StorageRecord(Long.parseLong(f[0]), f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), f[4]);
    } catch (IllegalArgumentException e) {
      throw new java.io.IOException(where + ": not a storage record (" + e.getMessage() + ")", e);
    }
  }
}
