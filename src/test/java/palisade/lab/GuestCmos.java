package palisade.lab;

import java.util.Arrays;
import org.libvirt.Domain;

/**
 * A marker in a running guest's CMOS RAM, through QEMU's monitor (HMP via libvirt): guest state that only a live
 * migration carries along. The firmware also selects CMOS indexes (port 0x70) and may do so between our select and
 * our access, so writes are checked and reads that differ are taken again, up to 5 times (a race can spoil a read,
 * never make up a random marker).
 */
final class GuestCmos {
  /** CMOS RAM bytes no firmware uses. */
  private static final int[] INDEXES = {0x7a, 0x7b, 0x7c, 0x7d};
  static final int BYTES = INDEXES.length;
  private static final int ATTEMPTS = 5;

  private GuestCmos() {}

  /** Writes the marker (one value per byte, 1..255) until it reads back. */
  static void plant(Domain d, int[] marker) throws Exception {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      for (int k = 0; k < BYTES; k++) {
        hmpByte(d, "o /b 0x70 " + INDEXES[k]);
        hmpByte(d, "o /b 0x71 " + marker[k]);
      }
      if (Arrays.equals(readOnce(d), marker)) return;
    }
  }

  /** The marker bytes, read again while they differ from {@code expected}. */
  static int[] read(Domain d, int[] expected) throws Exception {
    int[] v = readOnce(d);
    for (int attempt = 1; attempt < ATTEMPTS && !Arrays.equals(v, expected); attempt++) v = readOnce(d);
    return v;
  }

  private static int[] readOnce(Domain d) throws Exception {
    int[] v = new int[BYTES];
    for (int k = 0; k < BYTES; k++) {
      hmpByte(d, "o /b 0x70 " + INDEXES[k]);
      v[k] = hmpByte(d, "i /b 0x71");
    }
    return v;
  }

  /** HMP through libvirt (the bindings' qemuMonitorCommand); returns the last hex number printed. */
  private static int hmpByte(Domain d, String command) throws Exception {
    String out = d.qemuMonitorCommand(command, 1).trim();
    if (out.isEmpty()) return -1;
    String[] words = out.split("[\\s:]+");
    return Integer.decode(words[words.length - 1]) & 0xff;
  }
}
