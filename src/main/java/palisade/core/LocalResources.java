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

  /**
   * The token the running instance of id was started with, if the driver knows it (-1: unknown). A new daemon
   * adopts what an earlier one left running: an instance under an older token than the one assigned is stopped.
   */
  default long runningToken(String id) {
    return -1;
  }

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
