package palisade.core;

/** What the agent tells the manager about its node's lifecycle. */
public enum AgentMode {
  /** Running normally. */
  ACTIVE,
  /** A clean reboot was requested; the shutdown policy applies. */
  REBOOTING,
  /** A clean power-off was requested; the shutdown policy applies. */
  SHUTTING_DOWN,
  /** Shut down cleanly: every HA resource stopped and the watchdog disarmed; nothing runs until it is active again. */
  DOWN,
  /** As DOWN, for a reboot: the shutdown policy's reboot branch applies even if no manager saw it happen. */
  DOWN_REBOOT;

  public boolean down() {
    return this == DOWN || this == DOWN_REBOOT;
  }
}
