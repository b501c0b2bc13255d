package palisade.core;

import java.util.List;
import java.util.SortedSet;

/** Starts and stops the node's HA resources. Long operations complete through callbacks. */
public interface ResourceDriver {
  /** Start id with its assignment token, acquiring disks (storage rejects older tokens). */
  void start(String id, long token, List<String> disks, Callback<DriverResult> done);

  /** Stop id; done reports success only once it is no longer running. */
  void stop(String id, Callback<DriverResult> done);

  /** Live-migrate a running id to target; on success it runs there under the new token. */
  void migrate(String id, String target, long token, List<String> disks, Callback<DriverResult> done);

  /** HA resources running on this node right now (local truth, no network). */
  SortedSet<String> running();

  /** Kill every HA resource at once; used when the node learns it was fenced. */
  void killAll();

  record DriverResult(boolean ok, String detail) {
    public static DriverResult success() {
      return new DriverResult(true, "");
    }

    public static DriverResult failure(String detail) {
      return new DriverResult(false, detail);
    }
  }
}
