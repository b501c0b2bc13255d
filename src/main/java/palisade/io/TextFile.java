package palisade.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * A user-supplied text file, read whole before anything parses it: at most {@link #MAX_BYTES}, a regular file (not
 * `/dev/zero`, a FIFO or a directory, which would hang or exhaust memory), UTF-8 without NUL bytes; a leading UTF-8
 * byte-order mark is dropped. Every refusal is one line naming the file.
 */
public final class TextFile {
  /** Largest file read: 1 MiB (a scenario or a node's configuration is a few KiB). */
  public static final int MAX_BYTES = 1 << 20;

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private TextFile() {}

  /** A file that cannot be read as text; the message names the file and the reason. */
  public static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreadable(Object where, String reason) {
      super(where + ": " + reason);
    }

    Unreadable(Object where, String reason, IOException cause) {
      super(where + ": " + reason, cause);
    }
  }

  /** The file's text (without a byte-order mark). */
  public static String read(Path file) throws Unreadable {
    return decode(file, bytes(file));
  }

  /**
   * As {@link #read}, for callers that report an IOException: a missing or forbidden file gives the I/O system's own
   * exception (NoSuchFileException, AccessDeniedException), anything else an IOException naming the file.
   */
  public static String readOrThrow(Path file) throws IOException {
    try {
      return read(file);
    } catch (Unreadable e) {
      if (e.getCause() instanceof IOException io) throw io;
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The file's lines, split as {@link String#lines()} does (\n, \r\n or \r); line i is line i + 1 of the file. */
  public static List<String> lines(Path file) throws Unreadable {
    return read(file).lines().toList();
  }

  private static byte[] bytes(Path file) throws Unreadable {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new Unreadable(file, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new Unreadable(file, "cannot read: permission denied", e);
    } catch (IOException | SecurityException e) {
      throw new Unreadable(file, "cannot read: " + reason(e));
    }
    // Checked before opening: opening a FIFO blocks, and a device such as /dev/zero never ends.
    if (attrs.isDirectory()) throw new Unreadable(file, "is a directory, not a file");
    if (!attrs.isRegularFile()) throw new Unreadable(file, "is not a regular file (a device, FIFO or socket)");
    if (attrs.size() > MAX_BYTES) throw tooLarge(file, attrs.size());
    try (InputStream in = Files.newInputStream(file)) {
      byte[] data = in.readNBytes(MAX_BYTES + 1); // the file may have grown since its size was read
      if (data.length > MAX_BYTES) throw tooLarge(file, data.length);
      return data;
    } catch (AccessDeniedException e) {
      throw new Unreadable(file, "cannot read: permission denied", e);
    } catch (IOException | SecurityException e) {
      throw new Unreadable(file, "cannot read: " + reason(e));
    }
  }

  private static String decode(Path file, byte[] data) throws Unreadable {
    int start = startsWithBom(data) ? BOM.length : 0;
    for (int i = start; i < data.length; i++) {
      if (data[i] == 0) {
        throw new Unreadable(file + ":" + lineOf(data, i), "contains a NUL byte (not a text file)");
      }
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(data, start, data.length - start);
    CharBuffer out = CharBuffer.allocate(data.length - start); // UTF-8 never gives more chars than bytes
    CoderResult r = decoder.decode(in, out, true);
    if (!r.isError()) r = decoder.flush(out);
    if (r.isError()) throw new Unreadable(file + ":" + lineOf(data, in.position()), "not UTF-8 text");
    return out.flip().toString();
  }

  private static boolean startsWithBom(byte[] data) {
    return data.length >= 3 && data[0] == BOM[0] && data[1] == BOM[1] && data[2] == BOM[2];
  }

  private static int lineOf(byte[] data, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (data[i] == '\n') line++;
    }
    return line;
  }

  private static Unreadable tooLarge(Path file, long size) {
    return new Unreadable(file, size + " bytes is larger than the limit of " + MAX_BYTES + " bytes (1 MiB)");
  }

  private static String reason(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
