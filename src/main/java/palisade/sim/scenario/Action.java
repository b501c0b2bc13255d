package palisade.sim.scenario;

import java.util.List;
import java.util.Locale;
import palisade.core.Check;
import palisade.core.Durations;

/**
 * One timed action of a scenario (`at TIME ACTION`): a fault of the world or an operator's act. A NODE may be
 * {@code @manager}, the node holding the manager lease when the action runs. Parsed once from a line by
 * {@link Grammar}; built directly by {@link Fuzz}; {@link #words()} prints it back in the words the parser reads.
 */
public sealed interface Action permits
    Action.Ha, Action.Power, Action.Network, Action.Partition, Action.Heal, Action.Pause, Action.Reboot,
    Action.Shutdown, Action.RestartDaemon, Action.Service, Action.ServiceAdd, Action.ServiceDrop, Action.Usage,
    Action.SetTiming, Action.Maintenance, Action.FenceNode, Action.FenceConfirm, Action.FenceDevice, Action.DropAcks,
    Action.SlowAcks, Action.WatchdogDevice, Action.HostFault, OperatorWords.Member, OperatorWords.SpmMove {
  /**
   * Java 17 has no switch over record patterns: a visitor is the exhaustive switch, with no default. A new kind of
   * action breaks the build in every visitor until each says what it does with it.
   */
  interface Visitor<R> {
    R power(Power x);
    R network(Network x);
    R partition(Partition x);
    R heal(Heal x);
    R pause(Pause x);
    R reboot(Reboot x);
    R shutdown(Shutdown x);
    R restartDaemon(RestartDaemon x);
    R member(OperatorWords.Member x);
    R service(Service x);
    R maintenance(Maintenance x);
    R fenceConfirm(FenceConfirm x);
    R fenceNode(FenceNode x);
    R spmMove(OperatorWords.SpmMove x);
    R fenceDevice(FenceDevice x);
    R dropAcks(DropAcks x);
    R slowAcks(SlowAcks x);
    R watchdogDevice(WatchdogDevice x);
    R hostFault(HostFault x);
    R serviceAdd(ServiceAdd x);
    R serviceDrop(ServiceDrop x);
    R usage(Usage x);
    R setTiming(SetTiming x);
    R ha(Ha x);
  }

  /** Calls the visitor's method for this kind. */
  <R> R accept(Visitor<R> v);

  /** The action as a scenario file spells it (without `at TIME`). */
  String words();

  /** `disarm freeze|ignore` (disarm non-null) or `arm`: the operator's HA disarm and arm (DESIGN "HA disarm"). */
  record Ha(palisade.core.HaMode.Kind disarm) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.ha(this);
    }

    @Override
    public String words() {
      return disarm == null ? "arm" : "disarm " + disarm.label();
    }
  }

  /** `power NODE on|off`: the machine's power. */
  record Power(String node, boolean on) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.power(this);
    }

    @Override
    public String words() {
      return "power " + node + " " + onOff(on);
    }
  }

  /** `network NODE on|off`: every link of the machine. */
  record Network(String node, boolean up) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.network(this);
    }

    @Override
    public String words() {
      return "network " + node + " " + onOff(up);
    }
  }

  /** `partition A,B | C`: sides that hear only themselves; a node named on no side is a side of its own. */
  record Partition(List<List<String>> sides) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.partition(this);
    }

    public Partition {
      sides = sides.stream().map(List::copyOf).toList();
      Check.that(!sides.isEmpty(), "a partition needs a side");
    }

    @Override
    public String words() {
      return "partition " + String.join(" | ", sides.stream().map(s -> String.join(",", s)).toList());
    }
  }

  /** `heal`: every partition ends. */
  record Heal() implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.heal(this);
    }

    @Override
    public String words() {
      return "heal";
    }
  }

  /** `pause NODE DURATION`: the node's processes freeze (its watchdog too). */
  record Pause(String node, long durationMs) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.pause(this);
    }

    @Override
    public String words() {
      return "pause " + node + " " + Durations.format(durationMs);
    }
  }

  /** `reboot NODE`: a clean reboot, through the shutdown policy. */
  record Reboot(String node) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.reboot(this);
    }

    @Override
    public String words() {
      return "reboot " + node;
    }
  }

  /** `shutdown NODE`: a clean power-off, through the shutdown policy. */
  record Shutdown(String node) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.shutdown(this);
    }

    @Override
    public String words() {
      return "shutdown " + node;
    }
  }

  /**
   * `node NODE restart-daemon [for DURATION]`: the daemon alone stops (SIGTERM, as for a package upgrade) and starts
   * again DURATION after it exited (default {@link #DEFAULT_DAEMON_DOWN_MS}); the host and its resources keep running.
   */
  record RestartDaemon(String node, long downMs) implements Action {
    /** A JVM daemon restarted by its supervisor is back within a few seconds. */
    static final long DEFAULT_DAEMON_DOWN_MS = 2_000;

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.restartDaemon(this);
    }

    @Override
    public String words() {
      return "node " + node + " restart-daemon for " + Durations.format(downMs);
    }
  }

  /** What `service ID ...` asks for. */
  enum ServiceCommand {
    MIGRATE, RELOCATE, STOP, START, DISABLE, ENABLE, CLEANUP;

    /** migrate and relocate name a target node; the others take none. */
    boolean takesNode() {
      return this == MIGRATE || this == RELOCATE;
    }

    String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    static ServiceCommand parse(String word) {
      for (ServiceCommand c : values()) {
        if (c.word().equals(word)) return c;
      }
      return null;
    }
  }

  /**
   * `service ID migrate|relocate NODE` or `service ID stop [TIMEOUT]|start|disable|enable|cleanup`: no node for the
   * latter. timeoutMs (stop only; -1: none given) is Proxmox's stop timeout, 0 a hard stop: the core's stop has no
   * timeout (the driver stops as it stops, in the simulator after `stop_time`), so it is read and printed back only.
   */
  record Service(String id, ServiceCommand command, String node, long timeoutMs) implements Action {
    Service(String id, ServiceCommand command, String node) {
      this(id, command, node, -1);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.service(this);
    }

    public Service {
      Check.that(command.takesNode() == (node != null), "service %s: target node given wrongly", command);
      Check.that(timeoutMs == -1 || (command == ServiceCommand.STOP && timeoutMs >= 0), "service %s: timeout",
          command);
    }

    @Override
    public String words() {
      return "service " + id + " " + command.word() + (node == null ? "" : " " + node)
          + (timeoutMs < 0 ? "" : " " + Durations.format(timeoutMs));
    }
  }

  /** `service ID add node=NODE [state=...] [group=G] [cpu=N] [mem=SIZE]`: the operator adds a resource. */
  record ServiceAdd(String id, String node, palisade.core.RequestState state, String group,
      palisade.core.Capacity demand) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.serviceAdd(this);
    }

    @Override
    public String words() {
      return "service " + id + " add node=" + node + " state=" + state.name().toLowerCase(Locale.ROOT)
          + (group == null ? "" : " group=" + group) + (demand == null ? "" : " cpu=" + demand.cpu() + " mem="
          + demand.memBytes());
    }
  }

  /** `service ID delete` (removed from the configuration) or `service ID ignore` (left unmanaged). */
  record ServiceDrop(String id, boolean delete) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.serviceDrop(this);
    }

    @Override
    public String words() {
      return "service " + id + (delete ? " delete" : " ignore");
    }
  }

  /** `usage ID cpu=X mem=SIZE`: what the running resource is measured using from now on (crs=dynamic's input). */
  record Usage(String id, palisade.core.Capacity used) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.usage(this);
    }

    @Override
    public String words() {
      return "usage " + id + " cpu=" + used.cpu() + " mem=" + used.memBytes();
    }
  }

  /**
   * `timing renew=D ack=D watchdog=D lease=D` (any subset; 0 here: unchanged): the operator's live timing change
   * (DESIGN "Changing timings live"), refused with the reason when the target breaks the inequality.
   */
  record SetTiming(long renewMs, long ackMs, long watchdogMs, long leaseMs) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.setTiming(this);
    }

    @Override
    public String words() {
      return "timing" + TimingWords.words(this);
    }
  }

  /** `maintenance NODE on|off`: the operator's maintenance mode. */
  record Maintenance(String node, boolean on) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.maintenance(this);
    }

    @Override
    public String words() {
      return "maintenance " + node + " " + onOff(on);
    }
  }

  /** `fence node NODE`: the operator asks to fence it now (`palisade fence node`). */
  record FenceNode(String node) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.fenceNode(this);
    }

    @Override
    public String words() {
      return "fence node " + node;
    }
  }

  /**
   * `fence confirm NODE [if-off]`: the operator confirms the node is off. Without if-off the operator is taken at
   * their word (lies included); with it they look first and send nothing while the node is powered, as an honest
   * operator in a random history does.
   */
  record FenceConfirm(String node, boolean ifOff) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.fenceConfirm(this);
    }

    @Override
    public String words() {
      return "fence confirm " + node + (ifOff ? " if-off" : "");
    }
  }

  /**
   * `fence-device DEV fail|ok|slow DURATION`: a power switch stops answering, answers normally again, or answers
   * only after slowMs from now on (slowMs 0: not slow).
   */
  record FenceDevice(String device, boolean ok, long slowMs) implements Action {
    public FenceDevice {
      Check.that(slowMs >= 0 && (ok || slowMs == 0), "fence-device %s: slow %s while failing", device, slowMs);
    }

    /** fail or ok. */
    public FenceDevice(String device, boolean ok) {
      this(device, ok, 0);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.fenceDevice(this);
    }

    @Override
    public String words() {
      return "fence-device " + device + " " + (!ok ? "fail" : slowMs > 0 ? "slow " + Durations.format(slowMs) : "ok");
    }
  }

  /** `drop-acks NODE on|off`: the store's acknowledgements to the node are lost (its writes still commit). */
  record DropAcks(String node, boolean on) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.dropAcks(this);
    }

    @Override
    public String words() {
      return "drop-acks " + node + " " + onOff(on);
    }
  }

  /** `slow-acks NODE DURATION`: the store's acknowledgements to the node arrive that much later. */
  record SlowAcks(String node, long delayMs) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.slowAcks(this);
    }

    @Override
    public String words() {
      return "slow-acks " + node + " " + Durations.format(delayMs);
    }
  }

  /**
   * `watchdog NODE missing|ok`: from the machine's next boot on, it runs without (or again with) a working watchdog,
   * whatever the configuration says (a driver not loaded, a firmware setting). The running incarnation keeps what it
   * has. Its agent's plug tells the truth: kind none.
   */
  record WatchdogDevice(String node, boolean present) implements Action {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.watchdogDevice(this);
    }

    @Override
    public String words() {
      return "watchdog " + node + " " + (present ? "ok" : "missing");
    }
  }

  /** `kdump NODE` (the kernel crashed and dumps) or `daemon NODE hang|ok` (the daemon alone freezes, or runs again). */
  record HostFault(String node, HostFault.Kind kind) implements Action {
    /** Which fault. */
    public enum Kind {
      /** The node's kernel crashed: its processes die, kdump runs, then it reboots. */
      KDUMP,
      /** The daemon stops renewing; the host, its resources and SSH still answer. */
      DAEMON_HANG,
      /** A hung daemon runs again. */
      DAEMON_OK
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.hostFault(this);
    }

    @Override
    public String words() {
      return switch (kind) {
        case KDUMP -> "kdump " + node;
        case DAEMON_HANG -> "daemon " + node + " hang";
        case DAEMON_OK -> "daemon " + node + " ok";
      };
    }
  }

  private static String onOff(boolean on) {
    return on ? "on" : "off";
  }
}
