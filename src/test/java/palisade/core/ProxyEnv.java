package palisade.core;

/**
 * A fence proxy's agent environment for the fencer's tests: node1 with a store, a log and whatever fence drivers a
 * test overrides. The fencer never touches the watchdog, resources or the SPM role: each of those fails the test.
 */
class ProxyEnv implements AgentEnv {
  private final StoreClient store;
  private final EventLog log;

  ProxyEnv(StoreClient store, EventLog log) {
    this.store = store;
    this.log = log;
  }

  @Override
  public String node() {
    return "node1";
  }

  @Override
  public StoreClient store() {
    return store;
  }

  @Override
  public Watchdog watchdog() {
    throw new AssertionError("the fencer never touches the watchdog");
  }

  @Override
  public LocalResources resources() {
    throw new AssertionError("the fencer never touches resources");
  }

  @Override
  public EventLog log() {
    return log;
  }

  @Override
  public SpmDuty spm() {
    throw new AssertionError("the fencer never touches the SPM role");
  }
}
