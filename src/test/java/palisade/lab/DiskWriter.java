package palisade.lab;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import palisade.storage.SharedDirStorage;
import palisade.storage.WriteResult;

/**
 * A resource's work for {@link FrozenHostClusterTest}: writes its disk through the shared-dir storage every
 * {@link #PERIOD_MS} with the fencing token the agent gave it ({@code PALISADE_TOKEN}, {@code PALISADE_NODE}), and
 * prints each answer with the writer's clock: {@code MS accepted|rejected token T newest N}. Runs until killed.
 * With {@code --metadata} instead of a disk it is the SPM hook's service: it writes the storage metadata under
 * {@code PALISADE_SPM_TOKEN}, its lines prefixed {@code spm-writer}.
 */
public final class DiskWriter {
  static final long PERIOD_MS = 200;

  private DiskWriter() {}

  public static void main(String[] args) throws Exception {
    SharedDirStorage storage = SharedDirStorage.open(Path.of(args[0]));
    String disk = args[1];
    boolean metadata = disk.equals("--metadata");
    long token = Long.parseLong(System.getenv(metadata ? "PALISADE_SPM_TOKEN" : "PALISADE_TOKEN"));
    String node = System.getenv("PALISADE_NODE");
    String prefix = metadata ? "spm-writer " : "";
    System.out.println(prefix + System.currentTimeMillis() + " pid " + ProcessHandle.current().pid() + " token "
        + token);
    for (long i = 0; ; i++) {
      byte[] data = (node + " token " + token + " write " + i).getBytes(StandardCharsets.UTF_8);
      WriteResult r = metadata ? storage.writeMetadata(token, node, data) : storage.write(disk, token, node, data);
      String newest = r instanceof WriteResult.Rejected x ? " newest " + x.newest() : "";
      System.out.println(prefix + System.currentTimeMillis() + (r.accepted() ? " accepted" : " rejected") + " token "
          + token + newest);
      System.out.flush();
      Thread.sleep(PERIOD_MS);
    }
  }
}
