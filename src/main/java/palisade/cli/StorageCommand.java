package palisade.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import palisade.storage.SharedDirStorage;
import palisade.storage.StorageArea;
import palisade.storage.StorageNames;
import palisade.storage.WriteResult;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `palisade storage`: writes and reads through the shared-dir storage driver, which refuses a write carrying a
 * token older than the newest it has seen (the fencing-token pattern). For resource processes (which get
 * PALISADE_STORAGE and PALISADE_TOKEN), the SPM hook (PALISADE_SPM_TOKEN) and users' own services.
 */
@Command(name = "storage", description = "Write and read token-checked shared storage (the shared-dir driver)",
    subcommands = {StorageCommand.Write.class, StorageReads.Show.class, StorageReads.Log.class})
final class StorageCommand {
  /** Exit status of a write refused for its token. */
  static final int REJECTED_EXIT = 3;

  /** A disk or the storage metadata: exactly one. */
  static final class Target {
    @Option(names = "--disk", paramLabel = "DISK", required = true, description = "the disk (a name or a path)")
    String disk;

    @Option(names = "--metadata", required = true, description = "the storage metadata (the SPM's, under its SPM "
        + "token) instead of a disk")
    boolean metadata;

    StorageArea area(SharedDirStorage s) {
      return metadata ? s.metadata() : StorageReads.area(s, disk, "--disk");
    }

    /** "disk vm1" or "the metadata", as messages say it. */
    String shown() {
      return metadata ? "the metadata" : "disk " + disk;
    }
  }

  @Command(name = "write", description = {"Write to a disk (or the metadata) under a fencing token. Exit 0: "
      + "accepted and recorded; 3: rejected, a newer token was seen (nothing written); 2: bad input.",
      "The data is --data TEXT, else standard input (at most 64 MiB); it replaces the disk's content."})
  static final class Write implements Callable<Integer> {
    @Mixin
    StorageDirOption where = new StorageDirOption();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--token", required = true, paramLabel = "T", description = "the writer's fencing token (a "
        + "positive number: $PALISADE_TOKEN in a resource, $PALISADE_SPM_TOKEN in the SPM hook)")
    long token;

    @Option(names = "--node", paramLabel = "N", description = "the writer's node, as the log records it "
        + "(default: $PALISADE_NODE, else the host name)")
    String node;

    @Option(names = "--data", paramLabel = "TEXT", description = "the bytes to write, as UTF-8 (default: read "
        + "standard input)")
    String data;

    /** Standard input; tests hand in their own. */
    InputStream in = System.in;

    @Override
    public Integer call() throws IOException {
      if (token <= 0) throw new CliError("--token: must be a positive number, not " + token);
      String writer = node != null ? node : where.node();
      try {
        StorageNames.checkNode(writer);
      } catch (IllegalArgumentException e) {
        throw new CliError("--node: " + e.getMessage());
      }
      byte[] bytes = data != null ? data.getBytes(StandardCharsets.UTF_8) : stdin();
      SharedDirStorage storage = where.open();
      StorageArea area = target.area(storage);
      WriteResult r = area.write(token, writer, bytes);
      if (r instanceof WriteResult.Rejected rej) {
        System.err.println("rejected: token " + token + " is older than " + rej.newest() + " already seen for "
            + target.shown() + " (written by " + rej.newestNode() + ")");
        return REJECTED_EXIT;
      }
      System.out.println("accepted: " + bytes.length + " bytes to " + target.shown() + " under token " + token);
      return 0;
    }

    private byte[] stdin() throws IOException {
      byte[] b = in.readNBytes(SharedDirStorage.WRITE_BYTES_MAX + 1);
      if (b.length > SharedDirStorage.WRITE_BYTES_MAX) {
        throw new CliError("standard input: more than " + SharedDirStorage.WRITE_BYTES_MAX + " bytes; nothing "
            + "was written");
      }
      return b;
    }
  }
}
