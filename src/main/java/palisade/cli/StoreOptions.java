package palisade.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import palisade.core.ConfigException;
import palisade.lab.LocalCluster;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credential;
import picocli.CommandLine.Option;

/**
 * Where the CLI finds the store and who it is there. Each of the store's address, the cluster's name and the
 * credential comes from the first that gives it: the flag ({@code --store}, {@code --cluster}, {@code --credential}),
 * the environment ({@code $PALISADE_STORE}, {@code $PALISADE_CLUSTER}, {@code $PALISADE_CREDENTIAL}), the node's
 * configuration file ({@code --config FILE}, else {@code $PALISADE_CONFIG}, else {@code /etc/palisade/palisade.yaml}
 * when it exists: the same YAML the daemon reads), and last the local lab with its admin credential. Naming the lab
 * ({@code --dir} or {@code $PALISADE_CLUSTER_DIR}) skips the default file, so the lab works on a host that is also a
 * node.
 */
final class StoreOptions {
  static final Path DEFAULT_CONFIG = Path.of("/etc/palisade/palisade.yaml");

  @Option(names = "--store", paramLabel = "HOST:PORT,...", description = "the store's ZooKeeper ensemble "
      + "(default: $PALISADE_STORE, else the node configuration's store, else the local lab)")
  String store;

  @Option(names = "--cluster", paramLabel = "NAME", description = "cluster name (default: $PALISADE_CLUSTER, else "
      + "the node configuration's cluster, else local)")
  String cluster;

  @Option(names = "--config", paramLabel = "FILE", description = "a node's configuration file to find the cluster "
      + "in (default: $PALISADE_CONFIG, else /etc/palisade/palisade.yaml if it exists)")
  Path config;

  @Option(names = "--dir", paramLabel = "DIR", description = "local lab directory (default: $PALISADE_CLUSTER_DIR or "
      + "a temp dir)")
  Path dir;

  @Option(names = "--credential", paramLabel = "DIR", description = "your store credential directory, made by "
      + "`palisade credentials operator` (default: $PALISADE_CREDENTIAL, else cli.credential or "
      + "store.credential of the node configuration, else the local lab's admin)")
  Path credential;

  /** The environment; tests hand in their own. */
  UnaryOperator<String> env = System::getenv;

  /** Where to go and as whom, each with where it came from (for the error that names it). */
  record Target(String connectString, String cluster, Path credential, String credentialFrom) {}

  private Target target;

  Path dir() {
    return dir != null ? dir : LocalCluster.defaultDir();
  }

  private String env(String name) {
    String v = env.apply(name);
    return v == null || v.isBlank() ? null : v;
  }

  /** Resolved once per command, by the precedence above. */
  Target target() {
    if (target != null) return target;
    String cs = store != null ? store : env("PALISADE_STORE");
    String name = cluster != null ? cluster : env("PALISADE_CLUSTER");
    Path cred = credential;
    String credFrom = "--credential";
    if (cred == null && env("PALISADE_CREDENTIAL") != null) {
      cred = Path.of(env("PALISADE_CREDENTIAL"));
      credFrom = "$PALISADE_CREDENTIAL";
    }
    if (cs == null || name == null || cred == null) {
      NodeFile f = nodeFile();
      if (f != null) {
        if (cs == null) cs = f.connectString;
        if (name == null) name = f.cluster;
        if (cred == null) {
          cred = f.credential;
          credFrom = f.file + ": " + f.credentialKey;
        }
      }
    }
    if (cs == null) {
      try {
        cs = LocalCluster.open(dir()).connectString();
      } catch (java.io.IOException | IllegalStateException e) {
        throw new CliError(e.getMessage() + "; or name a cluster: --store, --config FILE, or " + DEFAULT_CONFIG);
      }
    }
    if (name == null) name = "local";
    if (cred == null && Files.isDirectory(LocalCluster.adminCredentialDir(dir()))) {
      cred = LocalCluster.adminCredentialDir(dir());
      credFrom = "the local lab's admin credential";
    }
    target = new Target(cs, name, cred, credFrom);
    return target;
  }

  /** The node configuration the CLI reads, or null when none is named and the default file is absent. */
  private NodeFile nodeFile() {
    Path file = config;
    if (file == null && env("PALISADE_CONFIG") != null) file = Path.of(env("PALISADE_CONFIG"));
    if (file == null) {
      boolean labNamed = dir != null || env("PALISADE_CLUSTER_DIR") != null;
      if (labNamed || !Files.exists(DEFAULT_CONFIG)) return null;
      file = DEFAULT_CONFIG;
    }
    DaemonConfig dc = load(file);
    boolean own = dc.cliCredential() != null;
    return new NodeFile(file, ensemble(dc), dc.cluster(), own ? dc.cliCredential() : dc.storeCredential(),
        own ? "cli.credential" : "store.credential");
  }

  /** A node's configuration file, read; a CliError (exit 2) naming the file and the key when it is wrong. */
  static DaemonConfig load(Path file) {
    try {
      return DaemonConfig.load(file);
    } catch (ConfigException e) {
      // DaemonConfig names the file and the key already
      throw new CliError(e.getMessage().startsWith(file.toString()) ? e.getMessage() : file + ": " + e.getMessage());
    }
  }

  private record NodeFile(Path file, String connectString, String cluster, Path credential, String credentialKey) {}

  /** Every peer of the store (the daemon itself dials only its own peer; the CLI may use any of them). */
  static String ensemble(DaemonConfig dc) {
    if (dc.connect() != null) return dc.connect();
    StringBuilder sb = new StringBuilder();
    for (DaemonConfig.Node n : dc.peerMembers()) { // the witness too, if any
      if (sb.length() > 0) sb.append(',');
      sb.append(n.address()).append(':').append(n.clientPort());
    }
    return sb.toString();
  }

  /** The credential to authenticate with, by the precedence above. */
  Credential credential() {
    Target t = target();
    if (t.credential() == null) {
      throw new CliError("the store accepts authenticated clients only: name your credential with --credential DIR "
          + "(made by palisade credentials operator NAME), or cli.credential in the node's configuration");
    }
    try {
      return Credential.load(t.credential());
    } catch (IllegalArgumentException e) {
      throw new CliError(t.credentialFrom() + ": " + e.getMessage());
    }
  }

  /** A connected Admin, or a one-line error (exit 1 when the store does not answer) through CliError. */
  Admin admin() throws Exception {
    Target t = target();
    Credential who = credential();
    Admin a = new Admin(t.connectString(), t.cluster(), who);
    if (!a.connect(15_000)) {
      a.close();
      throw new CliError("cannot reach the store at " + t.connectString() + " as " + who.who() + " (is the store "
          + "up, and does it trust this credential's authority?)", 1);
    }
    return a;
  }
}
