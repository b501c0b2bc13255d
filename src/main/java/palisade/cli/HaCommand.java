package palisade.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.Callable;
import palisade.core.HaMode;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * `palisade cluster disarm freeze|ignore` and `palisade cluster arm` (Proxmox's disarm-ha / arm-ha; DESIGN "HA
 * disarm"), and how `status` shows the cluster's HA mode. With --wait they return once the cluster is disarmed, or
 * armed again, as the manager's state shows it.
 */
final class HaCommand {
  private HaCommand() {}

  @Command(name = "disarm", description = "Release every node's watchdog for cluster-wide maintenance (an upgrade "
      + "of the store or of Palisade): freeze keeps every resource where it is, ignore leaves them unmanaged; the "
      + "manager fences and recovers nothing until `cluster arm`. Waits while a node is fencing")
  static final class Disarm implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "freeze|ignore", description = "freeze: HA starts, stops and moves "
        + "nothing; ignore: resources are unmanaged (like the ignored state, cluster-wide)")
    String kind;

    @Mixin
    WaitOptions wait = new WaitOptions();

    @Override
    public Integer call() throws Exception {
      if (HaMode.Kind.parse(kind) == null) {
        throw new CliError("disarm: expected freeze or ignore, got '" + kind + "'; nothing was written");
      }
      return ResourceCommand.run(store, ops -> ops.disarm(kind), wait, goal(true));
    }
  }

  @Command(name = "arm", description = "Arm the cluster again after a disarm: agents re-arm their watchdogs, then "
      + "every node's timer restarts and the manager resumes, moving nothing that need not move")
  static final class Arm implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    WaitOptions wait = new WaitOptions();

    @Override
    public Integer call() throws Exception {
      return ResourceCommand.run(store, ops -> ops.arm(), wait, goal(false));
    }
  }

  /** --wait: done once the manager's state says disarmed (or armed); else where it stands and whom it waits for. */
  static WaitGoal goal(boolean disarm) {
    return s -> {
      HaMode ha = s.state() == null ? HaMode.ARMED : s.state().ha();
      HaMode.Phase want = disarm ? HaMode.Phase.DISARMED : HaMode.Phase.ARMED;
      if (ha.phase() == want) return new WaitGoal.Done("the cluster is " + ha.label());
      if (disarm && s.applied() && ha.phase() == HaMode.Phase.ARMED) {
        return new WaitGoal.Failed("the cluster is armed (the disarm was cancelled by an arm)");
      }
      return new WaitGoal.Waiting(line(s.state(), s.records()));
    };
  }

  /** `status`'s line: `disarming (freeze); not yet released: node2, node3`. */
  static String line(ManagerState ms, Map<String, NodeRecord> records) {
    HaMode ha = ms == null ? HaMode.ARMED : ms.ha();
    SortedSet<String> waiting = HaMode.waitingFor(ms, records);
    if (waiting.isEmpty()) return "the cluster is " + ha.label();
    return "the cluster is " + ha.label() + "; not yet " + (ha.phase() == HaMode.Phase.ARMING ? "re-armed" : "released")
        + ": " + String.join(", ", waiting);
  }

  /** `status -o json`'s "ha": {"mode", "kind", "label", "waiting_for"}. */
  static Map<String, Object> json(ManagerState ms, Map<String, NodeRecord> records) {
    HaMode ha = ms == null ? HaMode.ARMED : ms.ha();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", ha.phase().name().toLowerCase(java.util.Locale.ROOT));
    m.put("kind", ha.kind() == null ? null : ha.kind().label());
    m.put("label", ha.label());
    m.put("waiting_for", List.copyOf(HaMode.waitingFor(ms, records)));
    return m;
  }
}
