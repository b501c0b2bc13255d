package palisade.core;

/**
 * What a disk may be called (a resource's {@code disks}, a lease's key): an image path such as
 * {@code /var/lib/images/vm101.qcow2} or a name such as {@code disk-1}. Letters, digits and {@code . _ / : @ + -},
 * not starting with {@code -} (it would read as an option), without {@code .}, {@code ..} or empty path steps (a
 * path must name one file, not climb out of a directory; {@code a//b} would be a second name, and a second lease, for
 * the file {@code a/b}), at most {@link #LENGTH_MAX} characters. The one rule for a resource's disks and for the
 * storage drivers' disk names.
 */
public final class DiskNames {
  public static final int LENGTH_MAX = 255;

  private DiskNames() {}

  /** Why {@code disk} is not a valid disk name, or null when it is. */
  public static String problem(String disk) {
    if (disk == null || disk.isEmpty()) return "a disk needs a name";
    if (disk.length() > LENGTH_MAX) return "longer than " + LENGTH_MAX + " characters";
    if (disk.startsWith("-")) return "starts with '-'";
    for (int i = 0; i < disk.length(); i++) {
      char c = disk.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || ".-_/:@+".indexOf(c) >= 0;
      if (!ok) return "character " + (c < 0x20 || c > 0x7e ? String.format("U+%04X", (int) c) : "'" + c + "'")
          + " is not allowed (letters, digits and . _ / : @ + -)";
    }
    String[] steps = (disk.startsWith("/") ? disk.substring(1) : disk).split("/", -1);
    for (String step : steps) {
      if (step.equals(".") || step.equals("..")) return "has a '" + step + "' path step";
    }
    for (String step : steps) {
      if (step.isEmpty()) return "has an empty path step ('//' or a '/' at the end)";
    }
    return null;
  }
}
