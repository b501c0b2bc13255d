package palisade.core;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What an agent reads of the manager's state and of the configuration: its own node's part. The agent acts on the
 * resources placed on its node or heading to it, and needs the configuration of those only; every other resource's
 * status and configuration, and the placement rules, are the manager's business. The agent reads through this
 * projection in the simulator and the runtime alike, so the simulator's invariants and fuzz cover an agent that
 * never sees the rest, and a store view may hold only this part (DESIGN "What an agent reads").
 *
 * <p>A projection of a projection is itself: a view that already holds only the part is read unchanged.
 */
public final class NodePart {
  private final String node;
  private ManagerState stateIn;
  private ManagerState stateOut;
  private ClusterConfig configIn;
  private ManagerState configFor;
  private ClusterConfig configOut;

  public NodePart(String node) {
    this.node = node;
  }

  /** Whether a resource's status concerns node: placed there, or with node as its target (migration, recovery). */
  public static boolean concerns(ServiceStatus ss, String node) {
    return node.equals(ss.node()) || node.equals(ss.target());
  }

  /** The manager's state with only the services that concern node; everything else as it is. */
  public static ManagerState stateOf(ManagerState ms, String node) {
    TreeMap<String, ServiceStatus> mine = new TreeMap<>();
    for (var e : ms.services().entrySet()) {
      if (concerns(e.getValue(), node)) mine.put(e.getKey(), e.getValue());
    }
    if (mine.size() == ms.services().size()) return ms;
    return new ManagerState(ms.epoch(), ms.nextToken(), ms.commandSeq(), ms.nodes(), mine, ms.fencing(), ms.spm(),
        ms.maintenance(), ms.softFences(), ms.deviceCheck(), ms.ha(), ms.disks());
  }

  /**
   * The configuration with only the resources of part's services (those present), and without the placement rules
   * and the resources' demands; nodes, groups, timing and the other settings as they are.
   */
  public static ClusterConfig configOf(ClusterConfig config, ManagerState part) {
    TreeMap<String, ResourceConfig> mine = new TreeMap<>();
    SortedMap<String, ResourceConfig> all = config.resources();
    for (String id : part == null ? java.util.Set.<String>of() : part.services().keySet()) {
      ResourceConfig rc = all.get(id);
      if (rc != null) mine.put(id, rc);
    }
    PlacementConfig placement = config.placement().withoutResourceRules();
    if (mine.size() == all.size() && config.placement().equals(placement)) return config;
    return new ClusterConfig(config.nodes(), config.groups(), mine, config.shutdownPolicy(), config.timing(),
        config.repairAfterMs(), config.fence(), placement);
  }

  /**
   * {@link #stateOf} of ms for this part's node, taken once per state (a state is immutable). Given its own answer
   * back, it returns it as it is and keeps what it holds: the part was taken once per state, not once per call.
   */
  public ManagerState state(ManagerState ms) {
    if (ms == null) return null;
    if (ms == stateOut) return stateOut;
    if (ms != stateIn) {
      stateOut = stateOf(ms, node);
      stateIn = ms;
    }
    return stateOut;
  }

  /** {@link #configOf} of config for the part of ms (the state as stored), taken once per pair. */
  public ClusterConfig config(ClusterConfig config, ManagerState ms) {
    if (config == null) return null;
    ManagerState part = state(ms);
    if (config != configIn || part != configFor) {
      configOut = configOf(config, part);
      configIn = config;
      configFor = part;
    }
    return configOut;
  }
}
