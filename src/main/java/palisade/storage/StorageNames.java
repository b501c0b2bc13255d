package palisade.storage;

import java.util.regex.Pattern;

/**
 * Names that become file names: a disk (a word or a path such as `/var/lib/images/vm1.qcow2`) and a writer's node.
 * Refused with one line saying why, before any file is touched; a disk name can never leave the storage directory.
 */
public final class StorageNames {
  /** Longest disk name accepted (a path on a hypervisor host fits easily). */
  public static final int DISK_NAME_CHARS_MAX = 200;

  public static final int NODE_NAME_CHARS_MAX = 64;

  private static final Pattern DISK_CHARS = Pattern.compile("[A-Za-z0-9._:@+/-]+");
  private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private StorageNames() {}

  /** Throws IllegalArgumentException naming the problem unless disk is a valid disk name. */
  public static String checkDisk(String disk) {
    if (disk == null || disk.isEmpty()) throw new IllegalArgumentException("disk name is empty");
    String shown = "disk name '" + disk + "'";
    if (disk.length() > DISK_NAME_CHARS_MAX) {
      throw new IllegalArgumentException("disk name is longer than " + DISK_NAME_CHARS_MAX + " characters");
    }
    if (!DISK_CHARS.matcher(disk).matches()) {
      throw new IllegalArgumentException(shown.replaceAll("[^\\x20-\\x7e]", "?")
          + ": only letters, digits and . _ : @ + - / are allowed");
    }
    if (disk.startsWith("-")) throw new IllegalArgumentException(shown + ": may not start with '-'");
    String rest = disk.startsWith("/") ? disk.substring(1) : disk;
    for (String segment : rest.split("/", -1)) {
      if (segment.isEmpty()) throw new IllegalArgumentException(shown + ": empty path segment");
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(shown + ": '" + segment + "' segments are not allowed (path traversal)");
      }
    }
    return disk;
  }

  /** Throws IllegalArgumentException naming the problem unless node is a valid node name. */
  public static String checkNode(String node) {
    if (node == null || node.isEmpty()) throw new IllegalArgumentException("node name is empty");
    if (node.length() > NODE_NAME_CHARS_MAX || !NODE.matcher(node).matches()) {
      throw new IllegalArgumentException("node name '" + node.replaceAll("[^\\x20-\\x7e]", "?")
          + "': letters, digits, . _ - (starting with a letter or digit), at most " + NODE_NAME_CHARS_MAX);
    }
    return node;
  }

  /** The directory name a disk is kept under: '/' becomes "%2F" ('%' is never in a name, so this is one-to-one). */
  static String fileName(String disk) {
    return checkDisk(disk).replace("/", "%2F");
  }

  /** The disk kept under a directory name, or null for a name {@link #fileName} cannot have made. */
  static String diskOf(String fileName) {
    String disk = fileName.replace("%2F", "/");
    try {
      return fileName.equals(fileName(disk)) ? disk : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
