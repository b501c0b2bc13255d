package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import palisade.runtime.resource.QuietLibvirtErrors;

/**
 * libvirt's own disk locking on the multi-libvirtd lab ({@link LabLockd}): three lab nodes' session libvirtds (booted
 * alone, no Palisade daemon: this is about libvirt), node1's and node2's with lockd (a virtlockd each), node3's
 * without (the control: it runs a second domain on a disk node1's guest uses), one raw disk image. A guest on node1
 * holds the disk's lease (node1's virtlockd holds a write lock on the image); node2's libvirtd cannot start a second
 * domain on the same disk (virtlockd's "resource busy") and the first keeps running; once it is destroyed, node2
 * starts it, and node1 is the one refused; a live migration hands the lease over to the target's virtlockd, and the
 * source cannot start its stale copy. Every libvirtd, virtlockd and QEMU is stopped by pid at the end.
 */
@Tag("libvirt")
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtLockTest {
  /**
   * VIR_MIGRATE_LIVE | VIR_MIGRATE_UNSAFE: libvirt 9.0 calls a disk on a local file system (the test's temp dir)
   * unsafe to migrate whatever its cache mode; on real hosts the disks are on shared storage, which it recognises.
   */
  static final long MIGRATE_LIVE_UNSAFE = 1 | 512;

  static final List<String> NODES = List.of("node1", "node2", "node3");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;
  private Path cdir;
  private Path disk;
  private Connect node1;
  private Connect node2;
  private Domain first;
  private Domain second;

  @BeforeAll
  void up() throws Exception {
    QuietLibvirtErrors.everywhere();
    LocalCluster cluster = LocalCluster.create(dir.resolve("c"), 3, LibvirtClusterTest.TIMING);
    cdir = cluster.dir();
    LabLibvirt.enable(cluster);
    LabLockd.enable(cluster, List.of("node1", "node2")); // node3 without: the control
    for (String n : NODES) {
      // The node's boot script with a daemon that exits at once: only its libvirtd stays (stopped by pid below).
      Process boot = new ProcessBuilder(LabLibvirt.bootCommand(cdir, n, List.of("true")))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      assertThat(boot.waitFor()).isZero();
      LabLibvirt.awaitReady(cdir, n);
    }
    node1 = new Connect(LabLibvirt.uri(cdir, "node1"));
    node2 = new Connect(LabLibvirt.uri(cdir, "node2"));
    disk = LabLockd.disk(cdir, "vm201");
  }

  @AfterAll
  void down() throws Exception {
    for (Connect c : new Connect[] {node1, node2}) {
      if (c != null) c.close();
    }
    LabLibvirt.down(cdir, NODES);
    for (String n : NODES) {
      assertThat(LabLibvirt.libvirtd(cdir, n)).as(n + "'s libvirtd stopped").isEmpty();
      assertThat(LabLockd.virtlockd(cdir, n)).as(n + "'s virtlockd stopped").isEmpty();
    }
  }

  /** The control: without lockd, nothing else (QEMU's own image locks are off in the lab) stops a second opener. */
  @Test
  @Order(0)
  void withoutLockdTwoLibvirtdsRunDomainsOnTheSameDisk() throws Exception {
    Domain a = node1.domainCreateXML(LabLockd.guestXml(cdir, "lk200", disk), 0);
    Connect node3 = new Connect(LabLibvirt.uri(cdir, "node3"));
    try {
      Domain b = node3.domainCreateXML(LabLockd.guestXml(cdir, "lk203", disk), 0);
      assertThat(b.isActive()).as("node3 (no lockd) runs a second domain on the disk node1's guest has").isOne();
      b.destroy();
    } finally {
      a.destroy();
      node3.close();
    }
  }

  @Test
  @Order(1)
  void aSecondLibvirtdCannotStartADomainOnADiskARunningDomainHolds() throws Exception {
    first = node1.domainCreateXML(LabLockd.guestXml(cdir, "lk201", disk), 0);
    assertThat(first.isActive()).isOne();
    long qemu = Long.parseLong(Files.readString(guestPidFile("node1", "lk201")).trim());
    assertThat(lockHolder()).as("node1's virtlockd holds the disk").isEqualTo(virtlockdPid("node1"));

    second = node2.domainDefineXML(LabLockd.guestXml(cdir, "lk202", disk));
    long t0 = System.nanoTime();
    LibvirtException refused = catchThrowableOfType(second::create, LibvirtException.class);
    System.out.printf("node2's start refused after %.1fs: %s%n", (System.nanoTime() - t0) / 1e9,
        refused == null ? "(not refused)" : refused.getMessage());
    assertThat(refused).as("node2's start of a domain on the held disk").isNotNull();
    assertThat(refused.getMessage()).contains("resource busy")
        .contains("Lockspace resource '" + disk + "' is locked");
    assertThat(second.isActive()).isZero();
    assertThat(guestPidFile("node2", "lk202")).as("no QEMU left on node2").doesNotExist();
    assertThat(node2.numOfDomains()).isZero();
    assertThat(first.isActive()).as("the first guest keeps running").isOne();
    assertThat(ProcessHandle.of(qemu).map(ProcessHandle::isAlive)).contains(true);
    assertThat(lockHolder()).isEqualTo(virtlockdPid("node1"));
  }

  @Test
  @Order(2)
  void onceTheFirstIsDestroyedNode2StartsItAndNode1IsRefused() throws Exception {
    first.destroy();
    second.create();
    assertThat(second.isActive()).isOne();
    assertThat(lockHolder()).as("node2's virtlockd holds the disk").isEqualTo(virtlockdPid("node2"));
    Domain again = null;
    try {
      again = node1.domainCreateXML(LabLockd.guestXml(cdir, "lk201", disk), 0);
    } catch (LibvirtException e) {
      assertThat(e.getMessage()).contains("resource busy").contains("is locked");
    }
    assertThat(again).as("node1 refused while node2's guest holds the disk").isNull();
    assertThat(second.isActive()).isOne();
  }

  @Test
  @Order(3)
  void aLiveMigrationHandsTheLeaseToTheTarget() throws Exception {
    long t0 = System.nanoTime();
    Domain moved = second.migrate(node1, MIGRATE_LIVE_UNSAFE, null, "tcp://127.0.0.1", 0);
    System.out.printf("live migration node2 -> node1 with lockd: %.1fs%n", (System.nanoTime() - t0) / 1e9);
    assertThat(moved.isActive()).isOne();
    assertThat(second.isActive()).as("gone from node2 (still defined there)").isZero();
    assertThat(lockHolder()).as("node1's virtlockd holds the disk now").isEqualTo(virtlockdPid("node1"));
    LibvirtException refused = catchThrowableOfType(second::create, LibvirtException.class);
    assertThat(refused).as("node2's stale definition cannot start").isNotNull();
    assertThat(refused.getMessage()).contains("resource busy").contains("is locked");
    assertThat(moved.isActive()).isOne();
    moved.destroy();
  }

  private Path guestPidFile(String node, String domain) {
    return LabLibvirt.runDir(cdir, node).resolve("libvirt").resolve("qemu").resolve("run").resolve(domain + ".pid");
  }

  private long virtlockdPid(String node) {
    return LabLockd.virtlockd(cdir, node).orElseThrow().pid();
  }

  /** The pid holding a POSIX write lock on the disk image, from /proc/locks (-1: none). */
  private long lockHolder() throws Exception {
    long ino = ((Number) Files.getAttribute(disk, "unix:ino")).longValue();
    for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 6 && f[1].equals("POSIX") && f[3].equals("WRITE") && f[5].endsWith(":" + ino)) {
        return Long.parseLong(f[4]);
      }
    }
    return -1;
  }
}
