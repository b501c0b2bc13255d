package palisade.core;

import java.util.Collection;

/**
 * The grace before a silent node is power-fenced, as RHEV computes it: L + {@code fence_grace} + {@code
 * fence_grace_spm} when the node holds the SPM role + {@code fence_grace_per_resource} for each resource it ran
 * (those waiting for its fence). The manager decides with it and `status` shows it: one formula for both.
 */
public final class FenceGrace {
  private FenceGrace() {}

  /** The grace beyond L for node: the cluster's options, plus the fence policy's fixed extras. */
  public static long extraMs(ClusterConfig config, FencePolicy policy, String node, SpmRole spm,
      Collection<ServiceStatus> services) {
    boolean holdsSpm = spm != null && node.equals(spm.node());
    long resources = services.stream().filter(s -> node.equals(s.node()) && s.state() == ServiceState.FENCE).count();
    return config.fence().extraMs(holdsSpm, resources) + (holdsSpm ? policy.graceExtraSpmMs() : 0)
        + resources * policy.graceExtraPerResourceMs();
  }

  /** The whole grace: L plus the extras. */
  public static long totalMs(Timing timing, ClusterConfig config, FencePolicy policy, String node, SpmRole spm,
      Collection<ServiceStatus> services) {
    return timing.leaseMs() + extraMs(config, policy, node, spm, services);
  }
}
