package palisade.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import palisade.runtime.store.Admin;
import palisade.lab.LocalCluster;
import palisade.runtime.store.Credential;
import picocli.CommandLine.Option;

/**
 * Where the CLI finds the store and who it is there: the local cluster and its admin credential by default, any
 * cluster with --store and --credential.
 */
final class StoreOptions {
  @Option(names = "--store", description = "ZooKeeper ensemble host:port,... (default: the local cluster)")
  String store;

  @Option(names = "--cluster", description = "cluster name (default: ${DEFAULT-VALUE})", defaultValue = "local")
  String cluster;

  @Option(names = "--dir", description = "local cluster directory (default: $PALISADE_CLUSTER_DIR or a temp dir)")
  Path dir;

  @Option(names = "--credential", paramLabel = "DIR", description = "your store credential directory, made by "
      + "`palisade credentials operator` (default: $PALISADE_CREDENTIAL, else the local cluster's admin)")
  Path credential;

  Path dir() {
    return dir != null ? dir : LocalCluster.defaultDir();
  }

  /** The credential to authenticate with: --credential, $PALISADE_CREDENTIAL, or the lab's admin. */
  Credential credential() {
    Path p = credential;
    String where = "--credential";
    if (p == null) {
      String env = System.getenv("PALISADE_CREDENTIAL");
      if (env != null && !env.isBlank()) {
        p = Path.of(env);
        where = "$PALISADE_CREDENTIAL";
      }
    }
    if (p == null && Files.isDirectory(LocalCluster.adminCredentialDir(dir()))) {
      p = LocalCluster.adminCredentialDir(dir());
      where = "the local cluster's admin credential";
    }
    if (p == null) {
      throw new CliError("the store accepts authenticated clients only: name your credential with --credential DIR "
          + "(made by palisade credentials operator NAME)");
    }
    try {
      return Credential.load(p);
    } catch (IllegalArgumentException e) {
      throw new CliError(where + ": " + e.getMessage());
    }
  }

  /** A connected Admin, or a one-line error and exit 2 through CliError. */
  Admin admin() throws Exception {
    String cs = store;
    if (cs == null) {
      try {
        cs = LocalCluster.open(dir()).connectString();
      } catch (IllegalStateException e) {
        throw new CliError(e.getMessage() + "; or name a cluster with --store");
      }
    }
    Credential who = credential();
    Admin a = new Admin(cs, cluster, who);
    if (!a.connect(15_000)) {
      a.close();
      throw new CliError("cannot reach the store at " + cs + " as " + who.who() + " (is the store up, and does it "
          + "trust this credential's authority?)", 1);
    }
    return a;
  }
}
