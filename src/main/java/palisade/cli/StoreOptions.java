package palisade.cli;

import java.nio.file.Path;
import palisade.runtime.cluster.Admin;
import palisade.runtime.cluster.LocalCluster;
import picocli.CommandLine.Option;

/** Where the CLI finds the store: the local cluster by default, any cluster with --store. */
final class StoreOptions {
  @Option(names = "--store", description = "ZooKeeper ensemble host:port,... (default: the local cluster)")
  String store;

  @Option(names = "--cluster", description = "cluster name (default: ${DEFAULT-VALUE})", defaultValue = "local")
  String cluster;

  @Option(names = "--dir", description = "local cluster directory (default: $PALISADE_CLUSTER_DIR or a temp dir)")
  Path dir;

  Path dir() {
    return dir != null ? dir : LocalCluster.defaultDir();
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
    Admin a = new Admin(cs, cluster);
    if (!a.connect(15_000)) {
      a.close();
      throw new CliError("cannot reach the store at " + cs, 1);
    }
    return a;
  }
}
