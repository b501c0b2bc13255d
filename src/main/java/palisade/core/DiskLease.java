package palisade.core;

/**
 * Who may write a disk (DESIGN "Disk leases"): the node and resource that hold its lease, under which token, and
 * since when. Part of the manager state, written in the same write as the assignment that needs it; a silent holder
 * keeps it until its fence is confirmed.
 *
 * @param sinceMs the host's wall clock (ms since the epoch) when the lease was granted, for operators only
 */
public record DiskLease(String node, String resource, long token, long sinceMs) {
  public DiskLease {
    Check.that(node != null && resource != null && token > 0, "disk lease needs a holder, a resource and a token");
  }

  /** `node2 (vm:101, token 9)`; `free` for none: how logs and status show it. */
  public static String describe(DiskLease l) {
    return l == null ? "free" : l.node() + " (" + l.resource() + ", token " + l.token() + ")";
  }
}
