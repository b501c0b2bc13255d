package palisade.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;

/**
 * Notices a recovery that finds no node: a resource the manager keeps in recovery because no node can take it (the
 * core retries it every round without a log line, so its event log stays as it is). Once a resource has stayed in
 * recovery for {@link #AFTER_MS}, one ALERT line is due for it; another only after it left recovery and came back.
 * Pure: the caller gives the services and the time, and writes the lines.
 */
final class RecoveryWatch {
  /** A recovery normally places the resource within a round or two; this long means no node can take it. */
  static final long AFTER_MS = 15_000;
  private final SortedMap<String, Long> since = new TreeMap<>();
  private final java.util.Set<String> alerted = new java.util.TreeSet<>();

  /** The ALERT lines due now for these services (sorted by resource id). */
  List<String> observe(Map<String, ServiceStatus> services, long nowMs) {
    since.keySet().removeIf(id -> !inRecovery(services.get(id)));
    alerted.removeIf(id -> !since.containsKey(id));
    List<String> due = new ArrayList<>();
    for (Map.Entry<String, ServiceStatus> e : new TreeMap<>(services).entrySet()) {
      if (!inRecovery(e.getValue())) continue;
      long t0 = since.computeIfAbsent(e.getKey(), k -> nowMs);
      if (nowMs - t0 >= AFTER_MS && alerted.add(e.getKey())) {
        due.add("ALERT: recovery of " + e.getKey() + " from " + e.getValue().node() + " finds no node to take it ("
            + (nowMs - t0) / 1000 + "s in recovery)");
      }
    }
    return due;
  }

  private static boolean inRecovery(ServiceStatus s) {
    return s != null && s.state() == ServiceState.RECOVERY;
  }
}
