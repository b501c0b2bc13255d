package palisade.sim.scenario;

import java.util.List;
import palisade.core.Check;
import palisade.core.ConfirmKind;
import palisade.core.ServiceState;

/**
 * A fact about one instant of a simulated world, which a scenario expects to hold: at one time (`expect at TIME
 * ...`) or at every event of an interval (`expect from TIME to TIME ...`). Node lists mean "one of these"; a NODE
 * may be {@code @manager}. Parsed once from a line by {@link Grammar}.
 */
public sealed interface Expectation {
  /**
   * Java 17 has no switch over record patterns: a visitor is the exhaustive switch, with no default. A new kind of
   * expectation breaks the build in every visitor until each says what it does with it.
   */
  interface Visitor<R> {
    R runningOn(RunningOn x);
    R notRunning(NotRunning x);
    R serviceIs(ServiceIs x);
    R nodeState(NodeState x);
    R nodeNotIn(NodeNotIn x);
    R powered(Powered x);
    R managerOn(ManagerOn x);
    R managerNotOn(ManagerNotOn x);
    R spmOn(SpmOn x);
    R spmNone(SpmNone x);
    R spmNotOn(SpmNotOn x);
    R fencedBy(FencedBy x);
    R fenceHistoryHas(FenceHistoryHas x);
    R fenceProxy(FenceProxy x);
    R fenceDeviceIs(FenceDeviceIs x);
    R converged(Converged x);
    R timingIs(TimingIs x);
    R clusterIs(ClusterIs x);
    R diskHeld(DiskHeld x);
    R diskFree(DiskFree x);
    R storageWriter(StorageWriter x);
    R storageRejected(StorageRejected x);
  }

  /** Calls the visitor's method for this kind. */
  <R> R accept(Visitor<R> v);

  /** `ID running on NODE[|NODE...]`, `ID always running on ...`: runs exactly once, on one of nodes. */
  record RunningOn(String id, List<String> nodes) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.runningOn(this);
    }

    public RunningOn {
      nodes = nonEmpty(nodes);
    }
  }

  /** `ID not running`, `ID never running [on NODE[|NODE...]]`: runs nowhere, or on none of nodes (empty = any). */
  record NotRunning(String id, List<String> nodes) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.notRunning(this);
    }

    public NotRunning {
      nodes = List.copyOf(nodes);
    }
  }

  /** `ID state STATE`: the manager's record of the resource. */
  record ServiceIs(String id, ServiceState state) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.serviceIs(this);
    }
  }

  /** `node NODE STATE`: the manager's record of the node. */
  record NodeState(String node, palisade.core.NodeState state) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.nodeState(this);
    }
  }

  /** `node NODE never STATE` (interval only): the manager's record of the node is anything else. */
  record NodeNotIn(String node, palisade.core.NodeState state) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.nodeNotIn(this);
    }
  }

  /** `node NODE powered on|off`: physical power. */
  record Powered(String node, boolean on) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.powered(this);
    }
  }

  /**
   * `timing lease=D watchdog=D` (either or both; 0: not checked): the active manager waits L = lease, and every
   * running agent has its watchdog count W = watchdog.
   */
  record TimingIs(long leaseMs, long watchdogMs) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.timingIs(this);
    }
  }

  /** `manager on NODE[|NODE...]`: who holds the manager lease. */
  record ManagerOn(List<String> nodes) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.managerOn(this);
    }

    public ManagerOn {
      nodes = nonEmpty(nodes);
    }
  }

  /** `manager never on NODE[|NODE...]` (interval only): none of nodes holds the manager lease. */
  record ManagerNotOn(List<String> nodes) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.managerNotOn(this);
    }

    public ManagerNotOn {
      nodes = nonEmpty(nodes);
    }
  }

  /** `spm on NODE[|NODE...]`: exactly one machine acts as SPM, one of nodes. */
  record SpmOn(List<String> nodes) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.spmOn(this);
    }

    public SpmOn {
      nodes = nonEmpty(nodes);
    }
  }

  /** `spm none`: no machine acts as SPM. */
  record SpmNone() implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.spmNone(this);
    }
  }

  /** `spm never on NODE[|NODE...]` (interval only): none of nodes acts as SPM. */
  record SpmNotOn(List<String> nodes) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.spmNotOn(this);
    }

    public SpmNotOn {
      nodes = nonEmpty(nodes);
    }
  }

  /** `fenced NODE by watchdog|power|manual|kdump|agent`: the manager's confirmation of the node's last fence. */
  record FencedBy(String node, ConfirmKind kind) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.fencedBy(this);
    }
  }

  /** `fence-history NODE has watchdog|power|manual|kdump|agent`: the store's fence history has a line of that kind for NODE. */
  record FenceHistoryHas(String node, ConfirmKind kind) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.fenceHistoryHas(this);
    }
  }

  /** `fence proxy of NODE on NODE[|NODE...]`: the proxy of NODE's most recent fence order is one of proxies. */
  record FenceProxy(String node, List<String> proxies) implements Expectation {
    public FenceProxy {
      proxies = nonEmpty(proxies);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.fenceProxy(this);
    }
  }

  /** `fence-device DEV failed|ok`: the newest status check of the device, as the fence history holds it. */
  record FenceDeviceIs(String device, boolean ok) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.fenceDeviceIs(this);
    }
  }

  /**
   * `cluster armed|disarmed`: the cluster's HA mode in the manager's state. Armed includes a disarm requested that
   * has not begun (every watchdog is still armed); disarmed is only the end of a disarm, not its way there.
   */
  record ClusterIs(boolean armed) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.clusterIs(this);
    }
  }

  /** `disk D held by NODE[|NODE...]`: the manager's lease table (latest committed state) gives D to one of nodes. */
  record DiskHeld(String disk, List<String> nodes) implements Expectation {
    public DiskHeld {
      nodes = nonEmpty(nodes);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.diskHeld(this);
    }
  }

  /** `disk D free`: the manager's lease table (latest committed state) has no lease of D. */
  record DiskFree(String disk) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.diskFree(this);
    }
  }

  /**
   * `converged`: DESIGN invariant 5 holds now: every resource that should run runs once on its assigned node, and
   * one node acts as SPM when any may. Fuzz ends each history with it.
   */
  record Converged() implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.converged(this);
    }
  }

  /**
   * `storage D last writer NODE[|NODE...]`: the last write the shared storage accepted for disk D (or the SPM's
   * metadata, `spm-metadata`) came from one of nodes.
   */
  record StorageWriter(String disk, List<String> nodes) implements Expectation {
    public StorageWriter {
      nodes = nonEmpty(nodes);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.storageWriter(this);
    }
  }

  /** `storage D rejected stale writes from NODE`: storage has rejected at least one write of NODE to D as stale. */
  record StorageRejected(String disk, String node) implements Expectation {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.storageRejected(this);
    }
  }

  private static List<String> nonEmpty(List<String> nodes) {
    Check.that(!nodes.isEmpty(), "an expectation names at least one node");
    return List.copyOf(nodes);
  }
}
