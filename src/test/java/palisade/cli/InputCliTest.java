package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input files through the real command line, as a process with a small heap: each answers at once with one line
 * naming the file, exit 2, and no stack trace (the issue: a 20 MB YAML took 79 s and 1.4 GB to refuse, and
 * `/dev/zero` ended in an OutOfMemoryError trace).
 */
class InputCliTest {
  @TempDir
  Path dir;

  record Run(int exit, String out, String err, long millis) {}

  private static Run palisade(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx48m", "-cp", System.getProperty("java.class.path"), "palisade.Main"));
    cmd.addAll(List.of(args));
    long start = System.nanoTime();
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    // the answers are one line each: reading the pipes after exit cannot block
    boolean done = p.waitFor(30, TimeUnit.SECONDS);
    if (!done) p.destroyForcibly().waitFor();
    assertThat(done).as("palisade " + String.join(" ", args) + " answered").isTrue();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8), ms);
  }

  private static void refusedInOneLine(Run r, String expectedLine) {
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err()).isEqualTo(expectedLine + "\n");
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).doesNotContain("Exception", "\tat ", "Error");
    assertThat(r.millis()).as("answered at once").isLessThan(10_000);
  }

  private Path twentyMegabytes(String name) throws Exception {
    Path f = dir.resolve(name);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(20_000_000);
    }
    return f;
  }

  @Test
  void devZeroIsRefusedAtOnce() throws Exception {
    refusedInOneLine(palisade("sim", "run", "/dev/zero"),
        "/dev/zero: is not a regular file (a device, FIFO or socket)");
    refusedInOneLine(palisade("daemon", "--config", "/dev/zero"),
        "palisade: /dev/zero: is not a regular file (a device, FIFO or socket)");
  }

  @Test
  void aTwentyMegabyteFileIsRefusedUnread() throws Exception {
    Path scn = twentyMegabytes("big.scn");
    refusedInOneLine(palisade("sim", "run", scn.toString()),
        scn + ": 20000000 bytes is larger than the limit of 1048576 bytes (1 MiB)");
    Path yaml = twentyMegabytes("big.yaml");
    refusedInOneLine(palisade("daemon", "--config", yaml.toString()),
        "palisade: " + yaml + ": 20000000 bytes is larger than the limit of 1048576 bytes (1 MiB)");
  }

  @Test
  void aBadValueNamesTheFileLineAndKey() throws Exception {
    Path scn = Files.writeString(dir.resolve("nan.scn"), "nodes node1 node2 node3\noption drift=NaN\nrun 10s\n");
    refusedInOneLine(palisade("sim", "run", scn.toString()),
        scn + ":2: option drift: 'NaN' is not a percentage (example: 1%)");
    Path yaml = Files.writeString(dir.resolve("dup.yaml"), "cluster: c\nnode: node1\nnode: node2\n");
    refusedInOneLine(palisade("daemon", "--config", yaml.toString()),
        "palisade: " + yaml + ": line 3: not valid YAML: Duplicate field 'node'");
  }
}
