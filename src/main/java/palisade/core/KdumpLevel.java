package palisade.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The kdump level (ClusterLabs' fence_kdump as a level before the power levels): the proxy listens for the target's
 * kdump message for {@link #WAIT_MS}; a message means the node's kernel crashed and is dumping, so it runs nothing:
 * the fence is confirmed as {@link ConfirmKind#KDUMP}, and no `off` or `on` is sent (the node reboots itself when
 * its dump ends, and the dump is not lost). No message: the next level, the first power level, runs as without it.
 *
 * <p>In a fence order the level is a device list of the reserved name {@value #DEVICE} alone.
 */
final class KdumpLevel {
  /** The reserved device name of the kdump level, in orders and history lines. */
  static final String DEVICE = "kdump";
  /**
   * How long the proxy listens. fence_kdump_send repeats every 10 s by default (the simulator's kernel every 5 s), so
   * a listener that starts mid-dump hears the next message within this.
   */
  static final long WAIT_MS = 12_000;

  private KdumpLevel() {}

  /** The levels a fence order of this node runs: the kdump level first when it has kdump=yes. */
  static List<List<String>> levels(NodeConfig nc) {
    if (!nc.kdump()) return nc.fenceLevels();
    List<List<String>> all = new ArrayList<>();
    all.add(List.of(DEVICE));
    all.addAll(nc.fenceLevels());
    return all;
  }

  static boolean is(List<String> devices) {
    return devices.size() == 1 && devices.get(0).equals(DEVICE);
  }

  /**
   * The manager's side: confirms the fence from the proxy's `kdump confirmed` line of this order, and closes the
   * order once confirmed (there is no power cycle to wait for). True when the order was handled here.
   */
  static boolean follow(Working w, NodeMachine nodes, String node, NodeStatus st, FenceTask task,
      FenceHistory history, boolean sameEpisode) {
    FenceEntry dump = history.summary(node, task.attempt(), FenceEntry.KDUMP_CONFIRMED);
    if (dump == null) return false;
    if (st.state() == NodeState.FENCING) {
      // Invariant 4: the proof is this target's own kdump message, heard for the order of this very fence episode.
      Check.invariant(4, dump.target().equals(node) && dump.attempt() == task.attempt() && sameEpisode
          && DEVICE.equals(dump.device()), "%s: kdump confirmation from %s for order %s", node, dump.describe(), task);
      nodes.kdumpConfirmed(node, dump.executor(), task.generation());
      return true;
    }
    w.setFenceTask(node, null, "fence of " + node + " confirmed by kdump: no power cycle, the node reboots itself "
        + "when its dump ends");
    return true;
  }
}
