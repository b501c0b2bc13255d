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
}
