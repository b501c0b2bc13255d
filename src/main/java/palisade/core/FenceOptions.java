package palisade.core;

/**
 * The cluster's power-fencing options (DESIGN "Power fencing"): the grace before a power fence as RHEV computes it,
 * and how often the fence devices are checked.
 *
 * <p>The grace of a silent node is L + {@code fence_grace} + {@code fence_grace_spm} (when it holds the SPM role) +
 * {@code fence_grace_per_resource} × the resources it ran. RHEV's values are 60 s, 20 s and 0.5 s; the defaults are 0
 * so that a fence follows L at once.
 *
 * @param graceMs {@code fence_grace}: added to L for every node
 * @param graceSpmMs {@code fence_grace_spm}: extra when the node holds the SPM role
 * @param gracePerResourceMs {@code fence_grace_per_resource}: extra per resource running there
 * @param deviceCheckMs {@code fence_device_check}: how often every fence device is asked for its status; 0 = never
 * @param devices the fence devices the cluster defines ({@code palisade fence device add}), by name; a host's YAML
 *     {@code fence_devices} may define more, and its definition wins on that host (absent, as in an older store: none)
 */
public record FenceOptions(long graceMs, long graceSpmMs, long gracePerResourceMs, long deviceCheckMs,
    java.util.SortedMap<String, FenceDeviceDef> devices) {
  /** RHEV checks its fence agents every few minutes; ten minutes keeps a BMC's load negligible. */
  public static final long DEFAULT_DEVICE_CHECK_MS = 600_000;
  /** At most this many resources count toward the grace: a bound that keeps the sum far from overflow. */
  static final long MAX_COUNTED_RESOURCES = 100_000;

  /** Options without cluster-defined devices. */
  public FenceOptions(long graceMs, long graceSpmMs, long gracePerResourceMs, long deviceCheckMs) {
    this(graceMs, graceSpmMs, gracePerResourceMs, deviceCheckMs, null);
  }

  public FenceOptions {
    devices = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(devices == null
        ? new java.util.TreeMap<>() : devices));
    for (String name : devices.keySet()) {
      if (!FenceDeviceDef.NAME.matcher(name).matches()) {
        throw new ConfigException("fence device '" + name + "': the name must be lower-case letters, digits, '-' or "
            + "'_'");
      }
    }
    bounded("fence_grace", graceMs);
    bounded("fence_grace_spm", graceSpmMs);
    bounded("fence_grace_per_resource", gracePerResourceMs);
    bounded("fence_device_check", deviceCheckMs);
  }

  public static FenceOptions defaults() {
    return new FenceOptions(0, 0, 0, DEFAULT_DEVICE_CHECK_MS);
  }

  /** The grace beyond L for a node holding the SPM role or not, with this many resources running there. */
  public long extraMs(boolean spm, long resources) {
    return graceMs + (spm ? graceSpmMs : 0) + Math.min(resources, MAX_COUNTED_RESOURCES) * gracePerResourceMs;
  }

  public FenceOptions withGrace(long base, long spm, long perResource) {
    return new FenceOptions(base, spm, perResource, deviceCheckMs, devices);
  }

  public FenceOptions withDeviceCheck(long ms) {
    return new FenceOptions(graceMs, graceSpmMs, gracePerResourceMs, ms, devices);
  }

  /** The same options with a device defined (or redefined), or removed when def is null. */
  public FenceOptions withDevice(String name, FenceDeviceDef def) {
    java.util.TreeMap<String, FenceDeviceDef> ds = new java.util.TreeMap<>(devices);
    if (def == null) ds.remove(name);
    else ds.put(name, def);
    return new FenceOptions(graceMs, graceSpmMs, gracePerResourceMs, deviceCheckMs, ds);
  }

  private static void bounded(String key, long ms) {
    if (ms < 0 || ms > Timing.MAX_DURATION_MS) {
      throw new ConfigException(key + ": " + ms + "ms is out of range (0 to " + Durations.format(Timing.MAX_DURATION_MS)
          + ")");
    }
  }
}
