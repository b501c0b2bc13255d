package palisade.core;

/** Everything the manager may touch; the runtime and the simulator each plug one in. */
public interface ManagerEnv {
  String node();

  StoreClient store();

  EventLog log();
}
