package palisade.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import palisade.runtime.daemon.DaemonConfig;
import palisade.storage.SharedDirStorage;
import picocli.CommandLine.Option;

/**
 * Where `palisade storage` finds the storage: {@code --dir DIR}, else {@code $PALISADE_STORAGE} (what a resource
 * process and the SPM hook are given), else {@code storage.path} of the node's configuration ({@code --config FILE},
 * else {@code $PALISADE_CONFIG}, else {@code /etc/palisade/palisade.yaml} when it exists).
 */
final class StorageDirOption {
  @Option(names = "--dir", paramLabel = "DIR", description = "the storage directory (default: $PALISADE_STORAGE, "
      + "else storage.path of the node configuration)")
  Path dir;

  @Option(names = "--config", paramLabel = "FILE", description = "a node's configuration file to find storage.path "
      + "in (default: $PALISADE_CONFIG, else /etc/palisade/palisade.yaml if it exists)")
  Path config;

  /** The environment; tests hand in their own. */
  UnaryOperator<String> env = System::getenv;

  private String env(String name) {
    String v = env.apply(name);
    return v == null || v.isBlank() ? null : v;
  }

  /** The storage directory by the precedence above; a CliError (exit 2) when none is named. */
  Path resolve() {
    if (dir != null) return dir;
    if (env("PALISADE_STORAGE") != null) return Path.of(env("PALISADE_STORAGE"));
    Path file = config != null ? config : env("PALISADE_CONFIG") != null ? Path.of(env("PALISADE_CONFIG")) : null;
    if (file == null && Files.exists(StoreOptions.DEFAULT_CONFIG)) file = StoreOptions.DEFAULT_CONFIG;
    if (file == null) {
      throw new CliError("no storage named: --dir DIR, $PALISADE_STORAGE, or storage.path in the node configuration "
          + "(--config FILE or " + StoreOptions.DEFAULT_CONFIG + ")");
    }
    DaemonConfig dc = StoreOptions.load(file);
    if (dc.storage() == null) throw new CliError(file + ": no storage section (storage: {driver, path}); or --dir");
    return dc.storage().path();
  }

  /** The storage, opened; a missing directory is a CliError (exit 2). */
  SharedDirStorage open() {
    Path d = resolve();
    try {
      return SharedDirStorage.open(d);
    } catch (IOException e) {
      throw new CliError(e.getMessage());
    }
  }

  /** This host's node name for a writer that names none: $PALISADE_NODE, else the host name. */
  String node() {
    if (env("PALISADE_NODE") != null) return env("PALISADE_NODE");
    try {
      String host = java.net.InetAddress.getLocalHost().getHostName();
      int dot = host.indexOf('.');
      return dot > 0 ? host.substring(0, dot) : host;
    } catch (java.net.UnknownHostException e) {
      throw new CliError("--node: not given, $PALISADE_NODE is not set and the host name is unknown");
    }
  }
}
