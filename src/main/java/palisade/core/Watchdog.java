package palisade.core;

/** The node's watchdog (timeout W is configured on the device). Arming counts as a feed. */
public interface Watchdog {
  /** The kind of a plug behind which nothing can reset the node. */
  String NONE = "none";

  void arm();

  void feed();

  void disarm();

  boolean armed();

  /**
   * The daemon stops for a restart: extend the countdown to holdMs from now and keep it running after this process
   * is gone, so the next daemon finds it still counting (Proxmox's watchdog-mux). False if the device cannot (then
   * it fires W after the last feed, as for any dead daemon). Called only after an in-time renewal that carried the
   * hold, exactly like a feed.
   */
  default boolean hold(long holdMs) {
    return false;
  }

  /**
   * From the next arm or feed on, count watchdogMs rather than the timeout set before (a live timing change, DESIGN
   * "Changing timings live"). The agent calls it only just before an arm or feed it is allowed to do. False if the
   * device cannot count exactly that: the agent then keeps its old W (it never claims a W its device does not count).
   */
  default boolean timeout(long watchdogMs) {
    return false;
  }

  /**
   * What really resets this node when it is not fed: a device kind such as {@code linux}, {@code supervisor} or
   * {@code sim}, or {@link #NONE}. The agent publishes it in its node record; the manager confirms a fence by
   * watchdog only when the fenced record names a real kind (DESIGN "Fence confirmation"). A plug must never name a
   * kind it does not have: that is the one claim the confirmation takes on trust.
   */
  String kind();
}
