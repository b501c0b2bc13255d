package palisade.core;

/**
 * The agent's side of the SPM role (DESIGN "Roles"). Acts as SPM while the manager names this node holder and does
 * not ask for the role back, the node is not shutting down, and the watchdog protects it; it takes the role up only
 * with its lease renewed in time. Like a resource, the role survives a few lost renewals (no flapping) and ends with
 * the reset that a silent lease leads to, before the manager can confirm the fence and name another holder.
 */
final class AgentSpm {
  private final AgentEnv env;
  private final String node;
  private final String source;
  /** Highest SPM token seen naming this node, and the highest it gave back: neither is ever acted on again. */
  private long seen;
  private long released;

  AgentSpm(AgentEnv env, String source) {
    this.env = env;
    this.node = env.node();
    this.source = source;
  }

  /** The highest token this node gave back, as its record reports it. */
  long released() {
    return released;
  }

  /** What the record says this node gave back before (a restarted agent never acts on those tokens again). */
  void releasedBefore(long token) {
    released = Math.max(released, token);
  }

  boolean active() {
    return env.spm().activeToken() != 0;
  }

  /**
   * One step: stop, start or give back the role as the manager's current word says.
   *
   * @param leaseOk the lease is renewed in time; current: the view holds our own last write
   */
  void step(SpmRole role, AgentMode mode, boolean leaseOk, boolean current) {
    SpmDuty duty = env.spm();
    long active = duty.activeToken();
    boolean mine = role != null && node.equals(role.node());
    if (mine) seen = Math.max(seen, role.token());
    boolean act = mine && !role.releasing() && mode == AgentMode.ACTIVE && env.watchdog().armed()
        && role.token() == seen && role.token() > released && (leaseOk && current || active == role.token());
    if (active != 0 && !duty.stopping() && (!act || active != role.token())) {
      duty.deactivate();
      env.log().event(source, "no longer SPM (token " + active + ")");
    }
    if (act && duty.activeToken() == 0) {
      // Invariant 3 on the holder's side: only the newest token naming us, never one we gave back.
      Check.invariant(3, role.token() == seen && role.token() > released && !role.releasing(),
          "%s: acts as SPM under token %s (newest seen %s, released %s)", node, role.token(), seen, released);
      duty.activate(role.token());
      env.log().event(source, "acts as SPM (token " + role.token() + ")");
    }
    if (mine && role.releasing() && duty.activeToken() == 0 && role.token() > released) {
      released = role.token(); // reported with the next write; never acted on again
      env.log().event(source, "released the SPM role (token " + role.token() + ")");
    }
    Check.that(duty.activeToken() == 0 || duty.stopping() || act && duty.activeToken() == role.token(),
        "%s: acts as SPM under token %s without being named", node, duty.activeToken());
    Check.that(duty.activeToken() == 0 || duty.activeToken() > released, "%s: acts as SPM under released token %s",
        node, duty.activeToken());
  }

  /** The node was fenced: the role ends with everything else here. */
  void fenced() {
    // Every token seen so far belongs to the fenced incarnation: an agent that rejoins before the manager has
    // confirmed the fence (an operator's fence it acknowledged) must not take the role up again under it.
    released = Math.max(released, seen);
    if (env.spm().activeToken() != 0 && !env.spm().stopping()) {
      env.spm().deactivate();
      env.log().event(source, "no longer SPM (fenced)");
    }
  }
}
