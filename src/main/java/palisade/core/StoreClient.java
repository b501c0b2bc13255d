package palisade.core;

/** A node's handle on the replicated, quorate store. */
public interface StoreClient {
  /** The local copy; may lag, never shows a state the store did not pass through. */
  StoreView view();

  /** True while connected to the quorum with a current view. */
  boolean synced();

  /** Submits an atomic transaction; the result arrives later through done (possibly never, if the node dies). */
  void submit(Txn txn, Callback<TxnResult> done);
}
