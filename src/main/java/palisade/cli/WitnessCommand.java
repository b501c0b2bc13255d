package palisade.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import palisade.core.ConfigException;
import palisade.runtime.daemon.WitnessConfig;
import palisade.runtime.store.Credential;
import palisade.runtime.store.EmbeddedPeer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `palisade witness --config FILE`: a store peer (ZooKeeper participant) and nothing else, on a small third machine
 * of a two-node cluster. No agent, manager, watchdog or resource: it is never a cluster node (never fenced, never
 * placed on); it only gives the two nodes' store a third vote, so that either node alone keeps a quorum.
 */
@Command(name = "witness", description = "Run a store peer only (the third vote of a two-node cluster)")
final class WitnessCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "the witness's YAML (a node's, with node: the witness)")
  Path config;

  @Override
  public Integer call() throws Exception {
    WitnessConfig wc;
    Credential credential;
    try {
      wc = WitnessConfig.load(config);
      credential = credential(wc);
    } catch (ConfigException e) {
      System.err.println("palisade: " + e.getMessage());
      return 2;
    }
    // Its snapshots and logs hold the cluster's resource commands and notification settings: private.
    EmbeddedPeer.privateDir(wc.dataDir());
    Files.writeString(wc.dataDir().resolve("witness.pid"), Long.toString(ProcessHandle.current().pid()));
    EmbeddedPeer peer = EmbeddedPeer.start(wc.dataDir().resolve("zookeeper"), wc.id(), wc.members(), credential,
        code -> {
          System.out.println("FATAL: the store peer stopped on a fatal error (exit code " + code + ")");
          System.out.flush();
          Runtime.getRuntime().halt(72);
        });
    EmbeddedPeer.Member me = wc.members().get(wc.id() - 1);
    System.out.println("witness '" + wc.name() + "' of cluster " + wc.cluster() + ": store peer " + wc.id() + " of "
        + wc.members().size() + " on " + me.host() + ":" + me.clientPort());
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(peer::close, "palisade-witness-stop"));
    Thread.currentThread().join(); // the peer's threads run; stopped by a signal
    return 0;
  }

  /** Its own node credential (palisade credentials node NAME): a viewer's or an operator's cannot run a peer. */
  private static Credential credential(WitnessConfig wc) {
    Credential c;
    try {
      c = Credential.load(wc.credential());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("store.credential: " + e.getMessage());
    }
    if (c.role() != Credential.Role.MEMBER) {
      throw new ConfigException("store.credential: " + wc.credential() + " holds the credential of " + c.who()
          + ", not a node credential (palisade credentials node " + wc.name() + ")");
    }
    return c;
  }
}
