package palisade.runtime.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.FenceOptions;
import palisade.core.Timing;

/**
 * The daemon configuration's power-fencing options, initial cluster settings like {@code repair_after}: {@code
 * fence_grace}, {@code fence_grace_spm}, {@code fence_grace_per_resource} (RHEV's 60s, 20s, 500ms; default 0) and
 * {@code fence_device_check} (default 10m; 0 or {@code off}: never). Each a duration of at most one day.
 */
final class FenceSection {
  private FenceSection() {}

  static FenceOptions parse(JsonNode root) {
    FenceOptions d = FenceOptions.defaults();
    return new FenceOptions(duration(root, "fence_grace", d.graceMs()), duration(root, "fence_grace_spm",
        d.graceSpmMs()), duration(root, "fence_grace_per_resource", d.gracePerResourceMs()),
        duration(root, "fence_device_check", d.deviceCheckMs()));
  }

  private static long duration(JsonNode root, String key, long absent) {
    JsonNode v = root.path(key);
    if (v.isMissingNode() || v.isNull()) return absent;
    if (v.isBoolean() && !v.booleanValue() && key.equals("fence_device_check")) return 0; // YAML reads off as false
    String text = ConfigYaml.text(v, key);
    if (text.equals("0") || text.equals("off") && key.equals("fence_device_check")) return 0;
    long ms = Durations.parseMs(text, key);
    if (ms > Timing.MAX_DURATION_MS) {
      throw new ConfigException(key + ": '" + text + "' is longer than the limit of "
          + Durations.format(Timing.MAX_DURATION_MS) + " (one day)");
    }
    return ms;
  }
}
