package palisade.runtime.resource;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a driver needs to start one resource: its id, its type ("process", "vm", ...), the
 * driver-specific options (sorted, immutable copy) and the disks it lists (their leases go with it).
 */
public record ResourceSpec(String id, String type, Map<String, String> options, java.util.List<String> disks) {
  public ResourceSpec(String id, String type, Map<String, String> options) {
    this(id, type, options, java.util.List.of());
  }

  public ResourceSpec {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("resource id is missing");
    }
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException("resource " + id + ": type is missing");
    }
    options = options == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new TreeMap<>(options));
    disks = disks == null ? java.util.List.of() : java.util.List.copyOf(disks);
  }

  /** The option, if set and not blank. */
  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name)).filter(v -> !v.isBlank());
  }

  /** The option, or a ResourceException naming the resource and the missing option. */
  public String required(String name) throws ResourceException {
    return option(name).orElseThrow(
        () -> new ResourceException("resource " + id + ": option '" + name + "' is required"));
  }
}
