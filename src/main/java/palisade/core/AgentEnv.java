package palisade.core;

/** Everything the agent may touch; the runtime and the simulator each plug one in. */
public interface AgentEnv {
  String node();

  StoreClient store();

  Watchdog watchdog();

  LocalResources resources();

  EventLog log();

  /** Whether this machine acts as SPM; the agent switches it. */
  SpmDuty spm();

  /** Power-fence devices, for when this node is a fence proxy. */
  default FenceDriver fences() {
    return FenceDriver.NONE;
  }

  /** The kdump listener, for when this node is the fence proxy of a node with kdump=yes. */
  default KdumpDriver kdump() {
    return KdumpDriver.NONE;
  }

  /** Restarts another node's daemon over SSH, for when this node is the proxy of its soft fence. */
  default SoftFenceDriver softFences() {
    return SoftFenceDriver.NONE;
  }
}
