package palisade.storage;

import java.util.regex.Pattern;
import palisade.core.DiskNames;

/**
 * Names that become file names: a disk (a word or a path such as `/var/lib/images/vm1.qcow2`, by the same rule as a
 * resource's disks: {@link DiskNames}) and a writer's node. Refused with one line saying why, before any file is
 * touched; a disk name can never leave the storage directory.
 */
public final class StorageNames {
  public static final int NODE_NAME_CHARS_MAX = 64;

  private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private StorageNames() {}

  /** Throws IllegalArgumentException naming the problem unless disk is a valid disk name (see DiskNames). */
  public static String checkDisk(String disk) {
    String why = DiskNames.problem(disk);
    if (why == null) return disk;
    String shown = disk == null ? "" : disk.replaceAll("[^\\x20-\\x7e]", "?");
    throw new IllegalArgumentException("disk name '" + (shown.length() <= 60 ? shown : shown.substring(0, 60) + "...")
        + "': " + why);
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
