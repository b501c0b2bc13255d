package palisade.core;

/** When (on the manager's own clock) it last saw a node's record change, and at which version. */
record NodeTimer(long version, long changedAtMs) {
  long silentMs(long nowMs) {
    return nowMs - changedAtMs;
  }
}
