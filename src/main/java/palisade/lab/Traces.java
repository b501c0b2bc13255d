package palisade.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The checker over the demo resources' trace files (physical truth, outside the code under test): every instance
 * wrote "start", "beat" every 100 ms and maybe "stop", with wall-clock milliseconds. An instance was alive from its
 * start to its stop or last beat (it may have lived up to one beat interval longer; {@link #BEAT_MS}).
 */
public final class Traces {
  public static final long BEAT_MS = 100;

  /** One run of a resource: which node, which token, when it was alive. */
  public record Instance(String resource, String node, long token, long pid, long startMs, long lastMs,
      boolean stopped) {
    /** Alive now: not stopped and beating recently. */
    public boolean alive(long nowMs) {
      return !stopped && nowMs - lastMs <= 5 * BEAT_MS;
    }

    @Override
    public String toString() {
      return resource + "@" + node + "/token" + token + "/pid" + pid + "[" + startMs + ".." + lastMs
          + (stopped ? " stopped" : "") + "]";
    }
  }

  private Traces() {}

  /** Resource ids are written with ':' as '_' (file names): "vm:101" is "vm_101". */
  public static String fileId(String resource) {
    return resource.replace(':', '_');
  }

  public static List<Instance> read(Path dir) throws IOException {
    List<Instance> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) return out;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        String[] parts = f.getFileName().toString().split("\\.");
        if (parts.length != 4) continue;
        long start = -1;
        long last = -1;
        boolean stopped = false;
        for (String line : Files.readAllLines(f)) {
          String[] w = line.trim().split(" ");
          if (w.length != 2 || !w[1].matches("\\d{13}")) continue; // a line cut short by SIGKILL
          long t = Long.parseLong(w[1]);
          switch (w[0]) {
            case "start" -> start = t;
            case "stop" -> stopped = true;
            default -> { }
          }
          last = Math.max(last, t);
        }
        if (start < 0) continue;
        out.add(new Instance(parts[0], parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]), start, last,
            stopped));
      }
    }
    out.sort(Comparator.comparingLong(Instance::startMs));
    return out;
  }

  /** Pairs of instances of the same resource whose lifetimes overlap: must be empty. */
  public static List<String> overlaps(List<Instance> all) {
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        Instance a = all.get(i);
        Instance b = all.get(j);
        if (!a.resource().equals(b.resource())) continue;
        if (a.startMs() <= b.lastMs() && b.startMs() <= a.lastMs()) bad.add(a + " overlaps " + b);
      }
    }
    return bad;
  }

  /** Instances of resource alive now. */
  public static List<Instance> alive(List<Instance> all, String resource, long nowMs) {
    return all.stream().filter(x -> x.resource().equals(fileId(resource)) && x.alive(nowMs)).toList();
  }
}
