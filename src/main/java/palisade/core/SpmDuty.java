package palisade.core;

/**
 * The node's physical side of the SPM role: whether this machine acts as SPM right now, and under which token.
 * The agent switches it; the host says what acting means (the simulator checks invariant 3 against it).
 */
public interface SpmDuty {
  /** The token this node acts as SPM under, or 0 when it does not act as SPM. */
  long activeToken();

  void activate(long token);

  /** Asks the node to stop acting as SPM; a host may take a while (a stop hook), see {@link #stopping}. */
  void deactivate();

  /**
   * A deactivation was asked for and is not done yet: the node still acts under {@link #activeToken} (a stop hook
   * still runs), so it neither reports the role released nor takes it up again until it is over.
   */
  default boolean stopping() {
    return false;
  }

  /** A duty that only remembers its state: for hosts with nothing more to do on a change. */
  static SpmDuty inMemory() {
    return new SpmDuty() {
      private long token;

      @Override
      public long activeToken() {
        return token;
      }

      @Override
      public void activate(long t) {
        Check.that(t > 0, "SPM activation without a token");
        token = t;
      }

      @Override
      public void deactivate() {
        token = 0;
      }
    };
  }
}
