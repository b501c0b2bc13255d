package palisade.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A user-supplied file is refused, naming it, before any byte of a bad one is parsed; a good one is read exactly. */
class TextFileTest {
  @TempDir
  Path dir;

  private Path file(String name, byte[] content) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, content);
    return f;
  }

  @Test
  void aByteOrderMarkIsDroppedAndLinesKeepTheirNumbers() throws Exception {
    Path f = file("bom.txt", "\uFEFFnodes a\r\nrun 1s\n\nlast".getBytes(StandardCharsets.UTF_8));
    assertThat(TextFile.lines(f)).containsExactly("nodes a", "run 1s", "", "last");
    assertThat(TextFile.read(f)).startsWith("nodes a");
  }

  @Test
  void aFileAtTheLimitIsReadAndOneByteMoreIsRefused() throws Exception {
    byte[] exact = new byte[TextFile.MAX_BYTES];
    java.util.Arrays.fill(exact, (byte) 'x');
    assertThat(TextFile.read(file("exact.txt", exact))).hasSize(TextFile.MAX_BYTES);
    Path big = file("big.txt", java.util.Arrays.copyOf(exact, TextFile.MAX_BYTES + 1));
    assertThatThrownBy(() -> TextFile.read(big)).isInstanceOf(TextFile.Unreadable.class)
        .hasMessage(big + ": 1048577 bytes is larger than the limit of 1048576 bytes (1 MiB)");
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.SECONDS)
  void aHugeSparseFileIsRefusedWithoutReadingIt() throws Exception {
    Path huge = dir.resolve("huge.yaml");
    try (RandomAccessFile raf = new RandomAccessFile(huge.toFile(), "rw")) {
      raf.setLength(20L << 30); // 20 GiB, sparse: reading it would take minutes and all memory
    }
    assertThatThrownBy(() -> TextFile.read(huge)).hasMessageStartingWith(huge + ": 21474836480 bytes is larger");
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.SECONDS)
  void devicesFifosAndDirectoriesAreRefusedUnopened() throws Exception {
    assertThatThrownBy(() -> TextFile.read(Path.of("/dev/zero")))
        .hasMessage("/dev/zero: is not a regular file (a device, FIFO or socket)");
    Path fifo = dir.resolve("fifo");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(p.waitFor()).isZero();
    // opening a FIFO with no writer blocks for ever: it must be refused before it is opened
    assertThatThrownBy(() -> TextFile.read(fifo))
        .hasMessage(fifo + ": is not a regular file (a device, FIFO or socket)");
    assertThatThrownBy(() -> TextFile.read(dir)).hasMessage(dir + ": is a directory, not a file");
    assertThatThrownBy(() -> TextFile.read(dir.resolve("none"))).hasMessage(dir.resolve("none") + ": no such file");
  }

  @Test
  void binaryContentIsRefusedNamingTheFile() throws Exception {
    Path nul = file("nul.txt", "a\nb\0c\n".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> TextFile.read(nul)).hasMessage(nul + ":2: contains a NUL byte (not a text file)");
    Path latin1 = file("latin1.txt", "ok\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> TextFile.read(latin1)).hasMessage(latin1 + ":2: not UTF-8 text");
    Path emoji = file("emoji.txt", "\uD83D\uDE00 x\n".getBytes(StandardCharsets.UTF_8));
    assertThat(TextFile.read(emoji)).isEqualTo("\uD83D\uDE00 x\n");
  }

  /** A leaf: every layer but the pure core may use it, so it must name no other Palisade package. */
  @Test
  void theIoPackageNamesNoOtherPalisadePackage() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("src/main/java/palisade/io"))) {
      for (Path f : files.toList()) {
        List<String> bad = Files.readAllLines(f).stream()
            .filter(l -> l.matches(".*palisade\\.(?!io\\b)[a-z]+.*")).toList();
        assertThat(bad).as(f.toString()).isEmpty();
      }
    }
  }
}
