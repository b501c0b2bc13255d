package palisade.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared-dir driver: stale tokens refused, every accepted write logged in token order, names kept inside. */
class SharedDirStorageTest {
  @TempDir Path dir;

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aWriteWithAnOlderTokenIsRejectedAndChangesNothing() throws IOException {
    SharedDirStorage s = SharedDirStorage.open(dir, () -> 1000, 1000);
    assertThat(s.write("vm1", 5, "node1", text("five")).accepted()).isTrue();
    assertThat(s.write("vm1", 7, "node2", text("seven")).accepted()).isTrue();
    WriteResult stale = s.write("vm1", 5, "node1", text("late"));
    assertThat(stale).isEqualTo(new WriteResult.Rejected(5, 7, "node2"));
    assertThat(new String(s.read("vm1").orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("seven");
    assertThat(s.newestToken("vm1")).isEqualTo(7);
    assertThat(s.log("vm1")).extracting(StorageRecord::token, StorageRecord::node)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(5L, "node1"), org.assertj.core.groups.Tuple.tuple(7L,
            "node2"));
    assertThat(s.disk("vm1").rejected()).singleElement().satisfies(r -> {
      assertThat(r.token()).isEqualTo(5);
      assertThat(r.node()).isEqualTo("node1");
      assertThat(r.bytes()).isEqualTo(4);
    });
    // The same holder writing again under its token is accepted.
    assertThat(s.write("vm1", 7, "node2", text("seven again")).accepted()).isTrue();
    assertThat(s.disk("vm1").newestRecord().orElseThrow().sha256()).isEqualTo(StorageArea.sha256(text("seven again")));
  }

  @Test
  void disksAndMetadataKeepTheirOwnNewestToken() throws IOException {
    SharedDirStorage s = SharedDirStorage.open(dir);
    assertThat(s.writeMetadata(3, "node1", text("pool v1")).accepted()).isTrue();
    assertThat(s.write("vm1", 9, "node2", text("x")).accepted()).isTrue();
    assertThat(s.writeMetadata(2, "node3", text("pool v0"))).isEqualTo(new WriteResult.Rejected(2, 3, "node1"));
    assertThat(s.write("vm2", 1, "node3", text("y")).accepted()).isTrue();
    assertThat(s.metadata().newestToken()).isEqualTo(3);
    assertThat(s.metadata().read().map(String::new)).contains("pool v1");
    assertThat(s.disks()).containsExactly("vm1", "vm2");
    assertThat(s.read("vm3")).isEmpty();
    assertThat(s.newestToken("vm3")).isZero();
    assertThat(s.log("vm3")).isEmpty();
  }

  @Test
  void filesArePrivateAndPathsStayInside() throws IOException {
    SharedDirStorage s = SharedDirStorage.open(dir);
    s.write("/var/lib/images/vm1.qcow2", 1, "node1", text("img"));
    assertThat(s.disks()).containsExactly("/var/lib/images/vm1.qcow2");
    Path area = dir.resolve("disks").resolve("%2Fvar%2Flib%2Fimages%2Fvm1.qcow2");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(area))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("disks"))))
        .isEqualTo("rwx------");
    for (String f : List.of("data", "newest", "log", "lock")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(area.resolve(f)))).as(f)
          .isEqualTo("rw-------");
    }
    for (String bad : List.of("../etc", "a/../../x", "..", "a//b", "-rf", "a b", "", "vm\n1", "x".repeat(256), "a/")) {
      assertThatThrownBy(() -> s.write(bad, 1, "node1", text("x")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("disk name");
    }
    assertThatThrownBy(() -> s.write("vm1", 0, "node1", text("x"))).hasMessageContaining("positive");
    assertThatThrownBy(() -> s.write("vm1", 1, "node 1", text("x"))).hasMessageContaining("node name");
    try (var all = Files.walk(dir)) {
      assertThat(all.filter(p -> !p.startsWith(dir.resolve("disks"))).map(dir::relativize).map(Path::toString))
          .containsExactlyInAnyOrder("");
    }
  }

  @Test
  void aDirectoryGrantingItsGroupRwxIsSharedWithTheGroup() throws IOException {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 02770);
    SharedDirStorage s = SharedDirStorage.open(shared);
    assertThat(s.groupShared()).isTrue();
    s.write("vm1", 1, "node1", text("img"));
    Path area = shared.resolve("disks/vm1");
    assertThat(Integer.toOctalString((Integer) Files.getAttribute(area, "unix:mode") & 07777)).isEqualTo("2770");
    for (String f : List.of("data", "newest", "log", "lock")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(area.resolve(f)))).as(f)
          .isEqualTo("rw-rw----");
    }
    assertThat(SharedDirStorage.open(dir).groupShared()).isFalse();
  }

  @Test
  void aMissingDirectoryIsNotCreated() {
    assertThatThrownBy(() -> SharedDirStorage.open(dir.resolve("not-mounted")))
        .hasMessageContaining("no such storage directory");
    assertThat(dir.resolve("not-mounted")).doesNotExist();
  }

  @Test
  void threadsWritingWithInterleavedTokensNeverInterleaveInTheLog() throws Exception {
    SharedDirStorage s = SharedDirStorage.open(dir);
    int writers = 4;
    int writes = 150;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<Integer>> accepted = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int first = w + 1;
      accepted.add(pool.submit(() -> {
        int n = 0;
        for (int i = 0; i < writes; i++) {
          long token = first + (long) i * writers;
          if (s.write("shared", token, "node" + first, text("node" + first + " token " + token)).accepted()) n++;
        }
        return n;
      }));
    }
    int total = 0;
    for (Future<Integer> f : accepted) total += f.get(60, TimeUnit.SECONDS);
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    checkNoInterleaving(s, "shared", writers, total, writers * writes);
  }

  @Test
  void twoProcessesWritingConcurrentlyNeverInterleaveInTheLog() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    int writes = 300;
    List<Process> procs = new ArrayList<>();
    try {
      for (int first = 1; first <= 2; first++) {
        procs.add(new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
            StorageWriter.class.getName(), dir.toString(), "shared", "node" + first, "" + first, "2", "" + writes)
            .redirectErrorStream(true).start());
      }
      int accepted = 0;
      for (Process p : procs) {
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.exitValue()).as(out).isZero();
        String[] counts = out.split(" ");
        assertThat(Integer.parseInt(counts[0]) + Integer.parseInt(counts[1])).isEqualTo(writes);
        accepted += Integer.parseInt(counts[0]);
      }
      checkNoInterleaving(SharedDirStorage.open(dir), "shared", 2, accepted, 2 * writes);
    } finally {
      for (Process p : procs) {
        p.destroyForcibly(); // our own children, by their handles
        p.waitFor();
      }
    }
  }

  /** Tokens never go down in the log; each token belongs to its writer; refused + accepted = attempted. */
  private static void checkNoInterleaving(SharedDirStorage s, String disk, int writers, int accepted, int attempted)
      throws IOException {
    List<StorageRecord> log = s.log(disk);
    assertThat(log).hasSize(accepted);
    assertThat(s.disk(disk).rejected()).hasSize(attempted - accepted);
    for (int i = 1; i < log.size(); i++) {
      assertThat(log.get(i).token()).as("record %s", i).isGreaterThanOrEqualTo(log.get(i - 1).token());
    }
    for (StorageRecord r : log) assertThat(r.node()).isEqualTo("node" + ((r.token() - 1) % writers + 1));
    for (StorageRecord r : s.disk(disk).rejected()) {
      assertThat(r.token()).isLessThan(log.get(log.size() - 1).token());
    }
    StorageRecord last = log.get(log.size() - 1);
    assertThat(s.newestToken(disk)).isEqualTo(last.token());
    assertThat(new String(s.read(disk).orElseThrow(), StandardCharsets.UTF_8))
        .isEqualTo(last.node() + " token " + last.token());
  }
}
