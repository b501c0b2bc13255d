package palisade.sim.scenario;

import java.util.SortedSet;
import java.util.function.UnaryOperator;
import palisade.sim.SimNodeFaults;
import palisade.sim.SimWorld;

/** What each action of a scenario does to the world (`@manager` resolved by the runner as the action happens). */
final class ActionRunner implements Action.Visitor<Void> {
  private final SimWorld world;
  private final SortedSet<String> fenceDevices;
  private final UnaryOperator<String> actor;

  ActionRunner(SimWorld world, SortedSet<String> fenceDevices, UnaryOperator<String> actor) {
    this.world = world;
    this.fenceDevices = fenceDevices;
    this.actor = actor;
  }

  @Override
  public Void power(Action.Power a) {
    if (a.on()) world.powerOn(actor.apply(a.node()));
    else world.powerOff(actor.apply(a.node()), "");
    return null;
  }

  @Override
  public Void network(Action.Network a) {
    world.network(actor.apply(a.node()), a.up());
    return null;
  }

  @Override
  public Void partition(Action.Partition a) {
    world.partition(a.sides());
    return null;
  }

  @Override
  public Void heal(Action.Heal a) {
    world.heal();
    return null;
  }

  @Override
  public Void pause(Action.Pause a) {
    SimNodeFaults.pause(world, actor.apply(a.node()), a.durationMs());
    return null;
  }

  @Override
  public Void reboot(Action.Reboot a) {
    world.shutdown(actor.apply(a.node()), true);
    return null;
  }

  @Override
  public Void shutdown(Action.Shutdown a) {
    world.shutdown(actor.apply(a.node()), false);
    return null;
  }

  @Override
  public Void restartDaemon(Action.RestartDaemon a) {
    world.node(actor.apply(a.node())).restartDaemon(a.downMs());
    return null;
  }

  @Override
  public Void hostFault(Action.HostFault a) {
    if (a.kind() == Action.HostFault.Kind.KDUMP) world.kdumps().crash(actor.apply(a.node()));
    else SimNodeFaults.daemon(world, actor.apply(a.node()), a.kind() == Action.HostFault.Kind.DAEMON_HANG);
    return null;
  }

  @Override
  public Void freeze(Action.Freeze a) {
    SimNodeFaults.freeze(world, actor.apply(a.node()), a.durationMs());
    return null;
  }

  @Override
  public Void service(Action.Service a) {
    return OperatorActions.service(world, a, a.node() == null ? null : actor.apply(a.node()));
  }

  @Override
  public Void serviceAdd(Action.ServiceAdd a) {
    return OperatorActions.add(world, a);
  }

  @Override
  public Void serviceDrop(Action.ServiceDrop a) {
    return OperatorActions.drop(world, a);
  }

  @Override
  public Void setTiming(Action.SetTiming a) {
    TimingWords.apply(world, a);
    return null;
  }

  @Override
  public Void usage(Action.Usage a) {
    return OperatorActions.usage(world, a);
  }

  @Override
  public Void maintenance(Action.Maintenance a) {
    return OperatorActions.maintenance(world, actor.apply(a.node()), a.on());
  }

  @Override
  public Void fenceNode(Action.FenceNode a) {
    return OperatorActions.fenceNode(world, actor.apply(a.node()));
  }

  @Override
  public Void spmMove(OperatorWords.SpmMove a) {
    return OperatorActions.spmMove(world, actor.apply(a.node()));
  }

  @Override
  public Void fenceConfirm(Action.FenceConfirm a) {
    return OperatorActions.fenceConfirm(world, actor.apply(a.node()), a.ifOff());
  }

  @Override
  public Void ha(Action.Ha a) {
    return OperatorActions.ha(world, a);
  }

  @Override
  public Void member(OperatorWords.Member a) {
    return MemberActions.apply(world, a, fenceDevices);
  }

  @Override
  public Void fenceDevice(Action.FenceDevice a) {
    world.fenceDevice(a.device(), a.ok(), a.slowMs());
    return null;
  }

  @Override
  public Void dropAcks(Action.DropAcks a) {
    return SimNodeFaults.dropAcks(world, actor.apply(a.node()), a.on());
  }

  @Override
  public Void slowAcks(Action.SlowAcks a) {
    return SimNodeFaults.slowAcks(world, actor.apply(a.node()), a.delayMs());
  }

  @Override
  public Void watchdogDevice(Action.WatchdogDevice a) {
    return SimNodeFaults.watchdogDevice(world, actor.apply(a.node()), a.present());
  }
}
