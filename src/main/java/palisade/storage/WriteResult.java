package palisade.storage;

/** What storage answered a write: accepted (and recorded), or rejected because a newer token was seen. */
public sealed interface WriteResult {
  boolean accepted();

  /** The write is stored and recorded. */
  record Accepted(StorageRecord record) implements WriteResult {
    @Override
    public boolean accepted() {
      return true;
    }
  }

  /**
   * The write carried a token older than the newest seen for the area: nothing was stored.
   *
   * @param newest the newest token seen; newestNode the node that wrote under it
   */
  record Rejected(long token, long newest, String newestNode) implements WriteResult {
    @Override
    public boolean accepted() {
      return false;
    }
  }
}
