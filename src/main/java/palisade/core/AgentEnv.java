package palisade.core;

/** Everything the agent may touch; the runtime and the simulator each plug one in. */
public interface AgentEnv {
  String node();

  StoreClient store();

  Watchdog watchdog();

  ResourceDriver resources();

  EventLog log();

  /** Power-fence devices, for when this node is a fence proxy. */
  default FenceDriver fences() {
    return FenceDriver.NONE;
  }
}
