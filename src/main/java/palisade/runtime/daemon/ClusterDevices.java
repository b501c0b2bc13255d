package palisade.runtime.daemon;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.FenceDeviceDef;
import palisade.fencing.FenceDeviceSpec;
import palisade.fencing.FenceException;
import palisade.runtime.daemon.DaemonConfig.FenceDeviceConf;

/**
 * The fence devices a host drives: the ones the cluster defines in /config ({@code palisade fence device add}), each
 * with its secret read from this host's {@code secrets/<name>} next to its store credential directory (mode 0600;
 * /etc/palisade/secrets/NAME on a host set up by `cluster init|join`, {@code <data_dir>/secrets/NAME} when the
 * credential is the default {@code <data_dir>/credential}), and the ones this host's YAML
 * {@code fence_devices} defines, which win over /config's of the same name on this host (an older cluster's files
 * keep working unchanged; a host whose BMC network differs may override the address).
 */
public final class ClusterDevices {
  private ClusterDevices() {}

  /**
   * Where this host keeps the secrets that /config's devices name: {@code secrets/} beside its store credential
   * directory, the directory that already holds what only this host may read.
   */
  public static Path secretsDir(DaemonConfig local) {
    Path parent = local.storeCredential().toAbsolutePath().getParent();
    return (parent == null ? local.dataDir() : parent).resolve("secrets");
  }

  /** One /config device as this host builds it: its options, and password_file = its local secret file. */
  public static FenceDeviceConf conf(String name, FenceDeviceDef def, Path secretsDir) {
    TreeMap<String, String> options = new TreeMap<>(def.options());
    if (def.secret() != null) options.put("password_file", secretsDir.resolve(def.secret()).toString());
    try {
      return new FenceDeviceConf(FenceDeviceSpec.of(name, def.type(), options), def.timeoutMs());
    } catch (FenceException e) {
      throw new ConfigException("fence device " + name + " of /config: " + e.getMessage());
    }
  }

  /** Every device this host should drive under cluster: /config's, then this file's over them. */
  public static Map<String, FenceDeviceConf> wanted(DaemonConfig local, ClusterConfig cluster) {
    TreeMap<String, FenceDeviceConf> out = new TreeMap<>();
    Path secrets = secretsDir(local);
    cluster.fence().devices().forEach((n, d) -> out.put(n, conf(n, d, secrets)));
    out.putAll(local.fenceDevices());
    return out;
  }
}
