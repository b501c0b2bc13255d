package palisade.core;

/** The cluster's event log; the host stamps the time. Messages read like `vm:101: started -> fence`. */
@FunctionalInterface
public interface EventLog {
  void event(String source, String message);
}
