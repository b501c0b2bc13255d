package palisade.cli;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import palisade.core.ConfigException;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.daemon.PeerHosting;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credential;
import palisade.runtime.store.EmbeddedPeer;
import palisade.runtime.store.StoreBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `palisade store backup|restore FILE`: a copy of everything under the cluster's root in the store, and back. */
@Command(name = "store", description = "The cluster's store: backup and restore, its peers",
    subcommands = {StoreCommand.Backup.class, StoreCommand.Restore.class, StoreCommand.Migrate.class, StoreCommand.Serve.class,
        StorePeerCommands.Peers.class, StorePeerCommands.Peer.class})
final class StoreCommand {
  private StoreCommand() {}

  @Command(name = "backup", description = {"Write every znode under the cluster's root (paths and data) to FILE: "
      + "JSON, created 0600 (it holds the notification settings' secrets); an existing FILE is not overwritten. "
      + "Needs an admin credential. Safe while the cluster runs (each znode as it is when read)."})
  static final class Backup implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "the backup file to write")
    Path file;

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        StoreBackup.Backup b = StoreBackup.take(admin, store.cluster);
        try {
          StoreBackup.write(b, file);
        } catch (FileAlreadyExistsException e) {
          throw new CliError(file + " exists: name a new file");
        } catch (java.nio.file.NoSuchFileException e) {
          throw new CliError(file + ": no such directory");
        }
        System.out.println("backup of cluster " + b.cluster() + " (store schema " + b.schema() + ", " + b.znodes()
            .size() + " znodes) written to " + file);
      }
      return 0;
    }
  }

  @Command(name = "serve", description = {"Run this node's embedded store peer and nothing else (no agent, manager, "
      + "watchdog or resource), from the node's daemon configuration: the store without its daemons, to restore a "
      + "backup into a new ensemble after a permanent loss of quorum (docs/INSTALL.md). Stop it with Ctrl-C or "
      + "SIGTERM, then start the daemons."})
  static final class Serve implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE",
        description = "the node's YAML configuration (palisade daemon's)")
    Path config;

    @Override
    public Integer call() throws Exception {
      DaemonConfig dc;
      Credential credential;
      try {
        dc = DaemonConfig.load(config);
        if (!dc.runsPeer()) {
          throw new ConfigException(config + ": " + dc.node() + " runs no store peer (store.connect, or not among "
              + "the first store.peers nodes and no store.peer: yes)");
        }
        credential = Credential.load(dc.storeCredential());
        if (credential.role() != Credential.Role.MEMBER) {
          throw new ConfigException("store.credential: " + dc.storeCredential() + " is not a node credential");
        }
      } catch (IllegalArgumentException e) { // ConfigException, or an unreadable credential
        System.err.println("palisade: " + e.getMessage());
        return 2;
      }
      List<EmbeddedPeer.Member> members = PeerHosting.members(dc);
      Path dir = EmbeddedPeer.privateDir(dc.dataDir());
      // The same directory as the daemon's peer: this is the node's peer, run without its daemon.
      EmbeddedPeer peer = PeerHosting.start(dc, dir.resolve("zookeeper"), credential,
          code -> {
            System.out.println("FATAL: the store peer stopped on a fatal error (exit code " + code + ")");
            System.out.flush();
            Runtime.getRuntime().halt(72);
          });
      System.out.println("store peer " + dc.idOf(dc.node()) + " of " + members.size() + " (" + dc.node()
          + ") running without its daemon; stop it before starting the daemon");
      System.out.flush();
      Runtime.getRuntime().addShutdownHook(new Thread(peer::close, "palisade-store-peer-stop"));
      Thread.currentThread().join();
      return 0;
    }
  }

  @Command(name = "restore", description = {"Replace everything under the cluster's root with FILE (from `store "
      + "backup`). The file is validated first; refused while any daemon runs (a node record or the manager lease "
      + "renewed within three renewal intervals): stop the daemons on every node first. Every znode gets the "
      + "cluster's standard ACLs. Needs an admin credential."})
  static final class Restore implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "FILE", description = "a backup file")
    Path file;

    @Override
    public Integer call() throws Exception {
      StoreBackup.Backup b;
      try {
        b = StoreBackup.read(file, store.cluster);
      } catch (StoreBackup.Invalid e) {
        throw new CliError(e.getMessage() + "; nothing changed");
      }
      try (Admin admin = store.admin()) {
        long window = StoreBackup.window(admin);
        System.out.println("checking that no daemon runs (watching node leases for " + window / 1000.0 + "s)");
        List<String> live = StoreBackup.liveWriters(admin, window);
        if (!live.isEmpty()) {
          throw new CliError("refused: daemons are running (" + String.join(", ", live) + " renewed within "
              + window / 1000.0 + "s): stop the daemon on every node first (systemctl stop palisade); nothing "
              + "changed");
        }
        int n;
        try {
          n = StoreBackup.restore(admin, b);
        } catch (org.apache.zookeeper.KeeperException e) {
          throw new CliError("the restore stopped part-way (" + e.getMessage() + "): the cluster's root is "
              + "incomplete; run the same restore again (it starts by deleting what is there)", 1);
        }
        admin.audit("restored the store from a backup taken " + b.taken() + " (" + n + " znodes)");
        System.out.println("restored " + n + " znodes of cluster " + b.cluster() + " (store schema " + b.schema()
            + ", taken " + b.taken() + ")");
      }
      return 0;
    }
  }

  @Command(name = "migrate", description = {"Move the store from layout 1 (schema 1: /config and /manager/state one "
      + "znode each, about 6,000 resources at most) to layout 2 (schema 2: each a small head and shards; "
      + "docs/RUNTIME.md \"Store layout\"). Refused (exit 2, naming the nodes) while a daemon of an older palisade "
      + "runs (its node record renewed within three renewal intervals without announcing layout 2): upgrade every "
      + "node first. Safe while the upgraded daemons run. Needs an admin credential."})
  static final class Migrate implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        long window = StoreBackup.window(admin);
        System.out.println("checking which daemons run, and their palisade (watching node leases for "
            + window / 1000.0 + "s)");
        System.out.println(palisade.runtime.store.LayoutMigration.migrate(admin, window));
      } catch (palisade.runtime.store.LayoutMigration.Refused e) {
        throw new CliError(e.getMessage());
      }
      return 0;
    }
  }
}
