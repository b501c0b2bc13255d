package palisade.lab;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * The lab option that turns on libvirt's own disk locking (the {@code lockd} lock manager, {@code virtlockd}) for
 * every node's session libvirtd: {@code lock_manager = "lockd"} in the node user's session {@code qemu.conf}, and
 * in its {@code qemu-lockd.conf} automatic leases on every disk, required ({@code auto_disk_leases},
 * {@code require_lease_for_disks}) and taken directly on the disk files (no lockspace directory: fcntl locks on the
 * image itself, which the lab's libvirtds all see because they share one kernel and file system). Each libvirtd
 * spawns its own virtlockd on first use (socket and pid file in its run directory); it lives in the node's cgroup
 * like libvirtd and is stopped with it by pid.
 *
 * <p>The lab's guests then get a raw disk image (in {@code lv/disks/}, mode 0666 in a 0755 directory: every node user
 * opens it) and run QEMU through {@link #EMULATOR}, a wrapper that turns QEMU's own image locking off. QEMU's image
 * locks are OFD locks of one kernel: on separate hosts they do not reach each other (a shared block device, or a
 * shared file system that does not forward them), while on the lab's one kernel they would refuse a second opener
 * before virtlockd is asked (libvirt asks for the leases when it resumes the vCPUs, after QEMU opened its disks).
 * With the wrapper, what refuses is virtlockd alone, as between real hosts.
 */
public final class LabLockd {
  static final String MARKER = "lockd";
  /** The emulator the lab's guests name when lockd is on. */
  static final String EMULATOR = "qemu-nolock";

  private LabLockd() {}

  public static boolean enabled(Path clusterDir) {
    return Files.exists(LabLibvirt.root(clusterDir).resolve(MARKER));
  }

  /**
   * Turns lockd on for every node's libvirtd of a cluster whose libvirtds {@link LabLibvirt#enable} set up and that
   * is not powered yet (a libvirtd reads its qemu.conf when it starts).
   */
  public static void enable(LocalCluster cluster) throws IOException {
    enable(cluster, cluster.nodeNames());
  }

  /** As {@link #enable(LocalCluster)}, for {@code nodes} only (the others' guests still get the wrapper and disks). */
  public static void enable(LocalCluster cluster, List<String> nodes) throws IOException {
    Path dir = cluster.dir();
    if (!LabLibvirt.enabled(dir)) throw new IllegalStateException(dir + ": no lab libvirtds to give lockd to");
    Path root = LabLibvirt.root(dir);
    for (String node : nodes) {
      Path conf = Files.createDirectories(root.resolve(node).resolve("home").resolve(".config").resolve("libvirt"));
      Files.writeString(conf.resolve("qemu.conf"), "lock_manager = \"lockd\"\n");
      Files.writeString(conf.resolve("qemu-lockd.conf"), "auto_disk_leases = 1\nrequire_lease_for_disks = 1\n");
      String user = LabLibvirt.user(node);
      LabLibvirt.run(List.of("chown", "-R", user + ":" + user, conf.getParent().toString()));
    }
    Path wrapper = root.resolve(EMULATOR);
    // Every -blockdev of the file driver gets "locking":"off" (see the class comment for why).
    Files.writeString(wrapper, """
        #!/bin/bash
        a=()
        for x in "$@"; do a+=("${x//\\{\\"driver\\":\\"file\\",/\\{\\"driver\\":\\"file\\",\\"locking\\":\\"off\\",}"); done
        exec /usr/bin/qemu-system-x86_64 "${a[@]}"
        """);
    Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path disks = Files.createDirectories(root.resolve("disks"));
    Files.setPosixFilePermissions(disks, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(root.resolve(MARKER), "virtlockd per libvirtd, leases on the disk files\n");
  }

  /** A sparse raw disk image of 1 MiB that every node user may read and write (created if missing). */
  public static Path disk(Path clusterDir, String name) throws IOException {
    Path f = LabLibvirt.root(clusterDir).resolve("disks").resolve(name + ".img");
    if (!Files.exists(f)) {
      try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
        raf.setLength(1 << 20);
      }
    }
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
    return f;
  }

  /**
   * A lab guest (64 MiB, TCG, sits in its firmware) with the raw disk {@code disk}, run through the lab's emulator
   * wrapper; {@code cache='none'}, as a disk on shared storage that is live-migrated wants.
   */
  public static String guestXml(Path clusterDir, String name, Path disk) {
    return """
        <domain type='qemu'>
          <name>%s</name>
          <memory unit='MiB'>64</memory>
          <vcpu>1</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os>
          <devices>
            <emulator>%s</emulator>
            <disk type='file' device='disk'>
              <driver name='qemu' type='raw' cache='none'/><source file='%s'/><target dev='vda' bus='virtio'/>
            </disk>
          </devices>
        </domain>
        """.formatted(name, LabLibvirt.root(clusterDir).resolve(EMULATOR), disk);
  }

  /** The pid file of the virtlockd the node's libvirtd spawned. */
  public static Path pidFile(Path clusterDir, String node) {
    return LabLibvirt.runDir(clusterDir, node).resolve("libvirt").resolve("virtlockd.pid");
  }

  /** The node's virtlockd, if it runs. */
  public static Optional<ProcessHandle> virtlockd(Path clusterDir, String node) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile(clusterDir, node)).trim());
      return ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith("virtlockd")).orElse(false));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
