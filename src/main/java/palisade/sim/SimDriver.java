package palisade.sim;

import java.util.List;
import java.util.SortedSet;
import palisade.core.Callback;
import palisade.core.LocalResources;
import palisade.core.ResourceConfig;

/**
 * A simulated node's resource driver: starts, stops and migrations land after the options' delays, as events of
 * the node's host (held while it is frozen), against the world's physical resources.
 */
final class SimDriver implements LocalResources {
  private final SimNode node;
  private final SimWorld world;

  SimDriver(SimNode node) {
    this.node = node;
    this.world = node.world;
  }

  @Override
  public void start(ResourceConfig rc, long token, Callback<DriverResult> done) {
    String id = rc.id();
    List<String> disks = rc.disks();
    long inc = node.incarnation;
    long orderedMs = world.now();
    world.atHost(node, world.now() + world.options().startMs, () -> {
      if (inc != node.incarnation) return;
      // A start the node froze in lands on resume, a resumed process like its running ones.
      boolean held = node.freeze.frozeSince(orderedMs);
      DriverResult r = world.physical().start(id, node, token, disks, held);
      node.deliver(world.now(), done, r);
    });
  }

  @Override
  public void stop(String id, Callback<DriverResult> done) {
    long inc = node.incarnation;
    world.atHost(node, world.now() + world.options().stopMs, () -> {
      if (inc != node.incarnation) return;
      node.deliver(world.now(), done, world.physical().driverStop(id, node));
    });
  }

  @Override
  public void migrate(ResourceConfig rc, String target, long token, Callback<DriverResult> done) {
    String id = rc.id();
    List<String> disks = rc.disks();
    long inc = node.incarnation;
    world.atHost(node, world.now() + world.options().migrateMs, () -> {
      if (inc != node.incarnation) return;
      node.deliver(world.now(), done, world.physical().migrate(id, node, target, token, disks));
    });
  }

  @Override
  public SortedSet<String> running() {
    return world.physical().runningOn(node.name);
  }

  @Override
  public void killAll() {
    world.physical().killAll(node, "killed by its agent");
  }
}
