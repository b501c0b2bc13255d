package palisade.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import palisade.storage.SharedDirStorage;
import palisade.storage.StorageArea;
import palisade.storage.StorageRecord;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `palisade storage show` and `palisade storage log`: what the storage accepted, from whom, and what it refused. */
final class StorageReads {
  private StorageReads() {}

  @Command(name = "show", description = {"Show the storage: for the metadata and each disk the newest token, its "
      + "writer and when, how many writes were accepted and refused. With DISK: that disk and its records."})
  static final class Show implements Callable<Integer> {
    @Mixin
    StorageDirOption where = new StorageDirOption();

    @Mixin
    OutputOption output = new OutputOption();

    @Parameters(arity = "0..1", paramLabel = "DISK", description = "one disk, with its records")
    String disk;

    @Override
    public Integer call() throws IOException {
      SharedDirStorage s = where.open();
      if (disk != null) {
        StorageArea a = area(s, disk, "DISK");
        Map<String, Object> body = summary(a);
        body.put("records", records(a.log()));
        body.put("rejected_records", records(a.rejected()));
        output.print(body, out -> printOne(body, a, out));
        return 0;
      }
      List<Map<String, Object>> areas = new ArrayList<>();
      areas.add(summary(s.metadata()));
      for (String d : s.disks()) areas.add(summary(s.disk(d)));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("dir", s.dir().toString());
      body.put("driver", SharedDirStorage.DRIVER);
      body.put("areas", areas);
      output.print(body, out -> {
        Table t = new Table("AREA", "NEWEST TOKEN", "LAST WRITER", "SINCE", "WRITES", "REJECTED");
        for (Map<String, Object> a : areas) {
          t.row(a.get("area"), a.get("newest_token"), a.get("last_writer"), a.get("since"), a.get("writes"),
              a.get("rejected"));
        }
        out.println("storage " + s.dir() + " (" + SharedDirStorage.DRIVER + ")");
        t.print(out);
      });
      return 0;
    }

    private static void printOne(Map<String, Object> body, StorageArea a, PrintStream out) throws IOException {
      out.println(a.name() + ": newest token " + body.get("newest_token") + ", last writer " + body.get(
          "last_writer") + " at " + body.get("since") + ", " + body.get("writes") + " writes, " + body.get("rejected")
          + " rejected");
      table(a.log(), out);
      if (!a.rejected().isEmpty()) {
        out.println("rejected:");
        table(a.rejected(), out);
      }
    }
  }

  @Command(name = "log", description = {"The record log of a disk (or the metadata): every accepted write, oldest "
      + "first (token, node, time, bytes, SHA-256 prefix). Tokens never go down along it."})
  static final class Log implements Callable<Integer> {
    @Mixin
    StorageDirOption where = new StorageDirOption();

    @Mixin
    OutputOption output = new OutputOption();

    @ArgGroup(exclusive = true, multiplicity = "1")
    StorageCommand.Target target;

    @Override
    public Integer call() throws IOException {
      StorageArea a = target.area(where.open());
      output.print(records(a.log()), out -> table(a.log(), out));
      return 0;
    }
  }

  /** The disk's area; a bad name is refused naming the argument that gave it ({@code DISK}, {@code --disk}). */
  static StorageArea area(SharedDirStorage s, String disk, String argument) {
    try {
      return s.disk(disk);
    } catch (IllegalArgumentException e) {
      throw new CliError(argument + ": " + e.getMessage());
    }
  }

  /** The area's newest token, last writer and counts: one JSON object (or one table row). */
  static Map<String, Object> summary(StorageArea a) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    Optional<StorageRecord> newest = a.newestRecord();
    m.put("area", a.name());
    m.put("newest_token", newest.map(StorageRecord::token).orElse(null));
    m.put("last_writer", newest.map(StorageRecord::node).orElse(null));
    m.put("since", newest.map(r -> Instant.ofEpochMilli(r.timeMs()).toString()).orElse(null));
    m.put("writes", a.log().size());
    m.put("rejected", a.rejected().size());
    return m;
  }

  static List<Map<String, Object>> records(List<StorageRecord> records) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (StorageRecord r : records) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("token", r.token());
      m.put("node", r.node());
      m.put("time", Instant.ofEpochMilli(r.timeMs()).toString());
      m.put("bytes", r.bytes());
      m.put("sha256", r.sha256());
      out.add(m);
    }
    return out;
  }

  static void table(List<StorageRecord> records, PrintStream out) {
    Table t = new Table("TIME", "TOKEN", "NODE", "BYTES", "SHA256");
    for (StorageRecord r : records) {
      t.row(Instant.ofEpochMilli(r.timeMs()).toString(), r.token(), r.node(), r.bytes(), r.sha256());
    }
    t.print(out);
  }
}
