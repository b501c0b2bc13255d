package palisade.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A writer in a JVM of its own, for {@link SharedDirStorageTest}: writes `count` times to one disk with the tokens
 * first, first + step, ...; prints how many writes were accepted and rejected.
 */
public final class StorageWriter {
  private StorageWriter() {}

  public static void main(String[] args) throws Exception {
    SharedDirStorage storage = SharedDirStorage.open(Path.of(args[0]));
    String disk = args[1];
    String node = args[2];
    long first = Long.parseLong(args[3]);
    long step = Long.parseLong(args[4]);
    int count = Integer.parseInt(args[5]);
    int accepted = 0;
    int rejected = 0;
    for (int i = 0; i < count; i++) {
      long token = first + i * step;
      byte[] data = (node + " token " + token).getBytes(StandardCharsets.UTF_8);
      if (storage.write(disk, token, node, data).accepted()) accepted++;
      else rejected++;
    }
    System.out.println(accepted + " " + rejected);
  }
}
