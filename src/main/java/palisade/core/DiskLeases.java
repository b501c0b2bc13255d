package palisade.core;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The manager's disk-lease decisions (DESIGN "Disk leases"). A lease follows its resource's assignment: written to
 * (node, resource, token) in the same working copy (so the same state write) as every assignment, freed by a clean
 * stop or removal, handed to the target by a migration, kept by a fenced or silent holder until the recovery
 * decision reassigns it. A disk held by one resource is never taken by another: that one waits, told once. Every
 * change goes through {@link Working#setDisk}.
 */
final class DiskLeases {
  private final ClusterConfig config;
  private final Working w;
  private final long wallMs;
  /** Resources waiting for a disk, with the reason last told (kept across rounds): told once per change. */
  private final TreeMap<String, String> waits;
  private final Listed listed;

  /**
   * The manager's memory across rounds: the waits already told, and which disks the configuration lists (found
   * once per configuration object, not by walking every resource each round).
   */
  static final class Memory {
    final TreeMap<String, String> waits = new TreeMap<>();
    private Listed listed;

    /** Forget the waits told (the manager stepped down); the configuration's index stays true. */
    void clear() {
      waits.clear();
    }

    Listed listed(ClusterConfig config) {
      if (listed == null || listed.config != config) listed = new Listed(config);
      return listed;
    }
  }

  /** The disks a configuration lists, and the resources that list any, in id order. */
  private static final class Listed {
    final ClusterConfig config;
    final TreeSet<String> disks = new TreeSet<>();
    final java.util.List<ResourceConfig> listing = new java.util.ArrayList<>();

    Listed(ClusterConfig config) {
      this.config = config;
      for (ResourceConfig rc : config.resources().values()) {
        disks.addAll(rc.disks());
        if (!rc.disks().isEmpty()) listing.add(rc);
      }
    }
  }

  DiskLeases(ClusterConfig config, Working w, long wallMs, Memory memory) {
    this.config = config;
    this.w = w;
    this.wallMs = wallMs;
    this.waits = memory.waits;
    this.listed = memory.listed(config);
  }

  /**
   * Why resource id may not be assigned now (a disk it lists is held by another resource), or null. The first to ask
   * in a round, in recovery order, wins a free disk: its assignment writes the lease before the next one asks.
   */
  String blocked(String id) {
    ResourceConfig rc = config.resources().get(id);
    String why = null;
    if (rc != null) {
      for (String d : rc.disks()) {
        DiskLease l = w.disks.get(d);
        if (l != null && !l.resource().equals(id)) {
          why = id + " waits for disk " + d + " held by " + l.resource() + " on " + l.node();
          break;
        }
      }
    }
    String before = why == null ? waits.remove(id) : waits.put(id, why);
    if (why != null && !why.equals(before)) w.event(why);
    return why;
  }

  /** Called by the resource funnel after every change of id's status: its leases follow the assignment. */
  void follow(String id, ServiceStatus to, String reason) {
    if (to == null || to.token() <= 0 || to.state() == ServiceState.REQUEST_START
        || to.state() == ServiceState.STOPPED || to.state() == ServiceState.DISABLED) {
      freeAll(id, reason);
      if (to == null || to.state() != ServiceState.REQUEST_START) waits.remove(id);
      return;
    }
    String holder = switch (to.state()) {
      case MIGRATE -> to.target(); // handed to the target with the migration's token
      case STARTED, REQUEST_STOP, RELOCATE, FREEZE, ERROR -> to.node();
      // A fenced or silent holder keeps its leases until recovery reassigns them; ignored moves nothing.
      case FENCE, RECOVERY, IGNORED, REQUEST_START, STOPPED, DISABLED -> null;
    };
    TreeSet<String> disks = new TreeSet<>();
    ResourceConfig rc = config.resources().get(id);
    if (holder != null && rc != null) disks.addAll(rc.disks());
    for (Map.Entry<String, DiskLease> e : w.disks.entrySet()) {
      if (e.getValue().resource().equals(id)) disks.add(e.getKey()); // also one it no longer lists: token in step
    }
    if (holder != null) waits.remove(id);
    for (String d : disks) {
      DiskLease l = w.disks.get(d);
      if (l == null ? holder == null : !l.resource().equals(id)) continue; // held by another: never taken
      String node = holder == null ? l.node() : holder;
      if (l != null && l.node().equals(node) && l.token() == to.token()) continue;
      w.setDisk(d, new DiskLease(node, id, to.token(), wallMs), reason);
    }
  }

  /**
   * Once a round: leases of disks no resource lists, or of resources the state no longer has, are dropped, within
   * the write's budget (a configuration that dropped thousands of resources at once is swept over several rounds:
   * a lease left a round longer only makes a disk wait a round longer).
   */
  void sweep() {
    for (String d : w.disks.isEmpty() ? java.util.List.<String>of() : new TreeSet<>(w.disks.keySet())) {
      if (w.budget().spent(w)) break;
      DiskLease l = w.disks.get(d);
      if (!listed.disks.contains(d)) {
        w.setDisk(d, null, "no resource lists it any more");
      } else if (!w.services.containsKey(l.resource())) {
        w.setDisk(d, null, l.resource() + " is gone");
      }
    }
    waits.keySet().removeIf(id -> !w.services.containsKey(id));
    // A resource running without the lease of a disk it lists (a state written before leases, or one managed
    // again after being ignored) takes it up once the disk is free.
    for (ResourceConfig rc : listed.listing) {
      if (w.budget().spent(w)) return;
      ServiceStatus ss = w.services.get(rc.id());
      if (ss == null || ss.state() != ServiceState.STARTED) continue;
      for (String d : rc.disks()) {
        if (!w.disks.containsKey(d)) {
          follow(rc.id(), ss, "lease taken up by " + rc.id() + " started on " + ss.node());
          break;
        }
      }
    }
  }

  private void freeAll(String id, String reason) {
    for (String d : new TreeSet<>(w.disks.keySet())) {
      if (Objects.equals(w.disks.get(d).resource(), id)) w.setDisk(d, null, reason);
    }
  }
}
