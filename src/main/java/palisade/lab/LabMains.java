package palisade.lab;

import java.io.IOException;
import java.nio.file.Path;

/** The mains of the lab's background processes (`palisade lab proxy|bmc|peer`, hidden): each serves one part. */
public final class LabMains {
  private LabMains() {}

  /** The proxy process's loop: applies DIR/isolated whenever it changes, acknowledges in DIR/isolated.applied. */
  public static void serveProxy(Path dir) throws IOException {
    LabNetwork.serveProxy(dir);
  }

  /** The mock BMC process's main: Redfish over HTTPS whose power switch powers this node off and on. */
  public static void serveBmc(Path dir, String node) throws Exception {
    LabBmcs.serve(dir, node);
  }

  /** The store peer process's main: node's ZooKeeper peer among the cluster's, dialling through its links. */
  public static void servePeer(Path dir, String node) throws Exception {
    LabPeers.serve(dir, node);
  }
}
