package palisade.core;

/** Result of a request the agent executed for the manager. */
public enum RequestOutcome {
  STARTED, START_FAILED, STOPPED, STOP_FAILED, MIGRATED, MIGRATE_FAILED
}
