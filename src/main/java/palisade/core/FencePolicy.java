package palisade.core;

/**
 * Power-fencing parameters (DESIGN "Power fencing"): the grace period beyond L (RHEV's extras), status polling
 * bounds, and the retry backoff when every level failed.
 */
public record FencePolicy(long graceExtraSpmMs, long graceExtraPerResourceMs, long pollIntervalMs, int pollMax,
    long retryBaseMs, long retryMaxMs) {

  public FencePolicy {
    if (graceExtraSpmMs < 0 || graceExtraPerResourceMs < 0) throw new ConfigException("fence grace extras must be >= 0");
    if (pollIntervalMs <= 0) throw new ConfigException("fence_poll_interval must be positive");
    if (pollMax < 1 || pollMax > 100) throw new ConfigException("fence_poll_max must be between 1 and 100");
    if (retryBaseMs <= 0 || retryMaxMs < retryBaseMs) {
      throw new ConfigException("fence_retry_base must be positive and at most fence_retry_max");
    }
  }

  public static FencePolicy defaults() {
    return new FencePolicy(0, 0, 1_000, 10, 5_000, 60_000);
  }
}
