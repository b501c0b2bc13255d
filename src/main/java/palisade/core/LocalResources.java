package palisade.core;

import java.util.SortedSet;

/** Starts and stops the node's HA resources. Long operations complete through callbacks. */
public interface LocalResources {
  /** Start the resource with its assignment token, acquiring its disks (storage rejects older tokens). */
  void start(ResourceConfig resource, long token, Callback<DriverResult> done);

  /** Stop id; done reports success only once it is no longer running. */
  void stop(String id, Callback<DriverResult> done);

  /** Live-migrate the running resource to target; on success it runs there under the new token. */
  void migrate(ResourceConfig resource, String target, long token, Callback<DriverResult> done);

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
