package palisade.core;

/** The node's watchdog (timeout W is configured on the device). Arming counts as a feed. */
public interface Watchdog {
  void arm();

  void feed();

  void disarm();

  boolean armed();
}
