package palisade.runtime.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Set;
import palisade.core.ConfigException;
import palisade.storage.SharedDirStorage;

/**
 * {@code storage: {driver: shared-dir, path: DIR}}: the shared storage domain as this host mounts it (an NFS share
 * in production). A host-local fact like the watchdog: every node mounts the same share, not necessarily at the same
 * path. Resource processes get the path as {@code PALISADE_STORAGE}, the SPM hook too, and {@code palisade
 * storage} uses it when {@code --dir} is not given. Absent: no storage configured.
 */
public record StorageSection(String driver, Path path) {
  static final Set<String> DRIVERS = Set.of(SharedDirStorage.DRIVER);

  /** The section, or null when the file has none. */
  static StorageSection parse(JsonNode n, Path base) {
    if (n.isMissingNode() || n.isNull()) return null;
    if (!n.isObject()) throw new ConfigException("storage: expected a mapping (driver, path)");
    ConfigYaml.onlyKeys(n, "storage.", Set.of("driver", "path"));
    String driver = ConfigYaml.text(ConfigYaml.required(n, "driver", "storage"), "storage.driver");
    if (!DRIVERS.contains(driver)) {
      throw new ConfigException("storage.driver: '" + driver + "' is not a storage driver (" + String.join(", ",
          DRIVERS) + ")");
    }
    String path = ConfigYaml.text(ConfigYaml.required(n, "path", "storage"), "storage.path");
    if (path.indexOf('\0') >= 0 || path.contains("\n")) throw new ConfigException("storage.path: not a path");
    return new StorageSection(driver, base.resolve(path).normalize());
  }
}
