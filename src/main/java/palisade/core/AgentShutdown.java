package palisade.core;

import java.util.EnumSet;
import java.util.Set;
import java.util.SortedSet;

/**
 * The agent's mode (what it tells the manager about the node's lifecycle) and the clean shutdown it drives: on an
 * operator's request the node's shutdown policy applies (its own, else the cluster's); the agent stops everything
 * (or waits for the manager to move it away), then says DOWN; the host powers off once the store holds that. Every
 * mode change goes through {@link #setMode}.
 */
final class AgentShutdown {
  private final AgentEnv env;
  private final String source;
  private AgentMode mode = AgentMode.ACTIVE;

  AgentShutdown(AgentEnv env, String source) {
    this.env = env;
    this.source = source;
  }

  AgentMode mode() {
    return mode;
  }

  /** Asked to reboot or power off, not yet down. */
  boolean inProgress() {
    return mode == AgentMode.REBOOTING || mode == AgentMode.SHUTTING_DOWN;
  }

  /** The operator asked for a clean reboot or power-off; a second request changes nothing. */
  void request(boolean reboot) {
    if (mode != AgentMode.ACTIVE) return;
    setMode(reboot ? AgentMode.REBOOTING : AgentMode.SHUTTING_DOWN);
  }

  /**
   * Shutting down stops resources here, except under the migrate policy: the manager moves them away live.
   * Without a configuration the conditional policy applies (it never migrates).
   */
  boolean stopsResources(ClusterConfig config) {
    return mode != AgentMode.ACTIVE && (config == null
        || config.shutdownPolicyOf(env.node()).effective(mode == AgentMode.REBOOTING) != ShutdownPolicy.MIGRATE);
  }

  /**
   * Stops everything (or waits for the manager to move it away), then says DOWN once nothing runs, nothing is in
   * flight, the record write is answered and the SPM role is given up.
   */
  void step(ManagerState ms, ClusterConfig config, AgentResources resources, boolean writePending,
      boolean spmActive) {
    Check.that(inProgress(), "%s: shutdown step in mode %s", source, mode);
    boolean reboot = mode == AgentMode.REBOOTING;
    ShutdownPolicy policy = config == null ? ShutdownPolicy.CONDITIONAL : config.shutdownPolicyOf(env.node());
    if (policy.effective(reboot) == ShutdownPolicy.MIGRATE && ms != null && resources.hostsAnything(ms)) return;
    if (ms != null && resources.incomingMigration(ms)) return; // DOWN must stay true: nothing may arrive afterwards
    SortedSet<String> running = env.resources().running();
    for (String id : running) {
      if (!resources.inFlight(id)) resources.stop(id, tokenOf(ms, id));
    }
    if (running.isEmpty() && resources.nothingInFlight() && !writePending && !spmActive) {
      setMode(reboot ? AgentMode.DOWN_REBOOT : AgentMode.DOWN);
    }
  }

  private static long tokenOf(ManagerState ms, String id) {
    if (ms == null) return -1;
    ServiceStatus ss = ms.services().get(id);
    return ss == null ? -1 : ss.token();
  }

  /** Modes a node may come from to reach each one: an agent never comes back from down (a new one boots). */
  private static Set<AgentMode> predecessors(AgentMode to) {
    return switch (to) {
      case ACTIVE -> EnumSet.noneOf(AgentMode.class);
      case REBOOTING, SHUTTING_DOWN -> EnumSet.of(AgentMode.ACTIVE);
      case DOWN -> EnumSet.of(AgentMode.SHUTTING_DOWN);
      case DOWN_REBOOT -> EnumSet.of(AgentMode.REBOOTING);
    };
  }

  /**
   * The one funnel for mode changes: validates against the table, refuses a no-op, logs `node1/agent: reboot
   * requested`. Down needs no line of its own: the record write that carries it ends in the lifecycle's
   * `active -> down (shut down cleanly, ...)` once the store holds it.
   */
  private void setMode(AgentMode to) {
    Check.that(to != mode, "%s: no-op mode change to %s", source, to);
    Check.that(predecessors(to).contains(mode), "%s: illegal mode change %s -> %s", source, mode, to);
    String line = switch (to) {
      case REBOOTING -> "reboot requested";
      case SHUTTING_DOWN -> "shutdown requested";
      case ACTIVE, DOWN, DOWN_REBOOT -> null;
    };
    if (line != null) env.log().event(source, line);
    mode = to;
  }
}
