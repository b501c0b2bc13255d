package palisade.cli;

import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.ShutdownRequest;

/**
 * `--wait`: polls the store every {@link #POLL_MS} until a {@link WaitGoal} says done (exit 0, one line with the
 * time it took), failed, the manager refused the queued command (its event `command SEQ refused: why`), or the
 * timeout passed (exit 1 naming the state now). The one waiting loop of the CLI; the decisions are in WaitGoal.
 */
final class Waiter {
  static final long POLL_MS = 300;
  /** After a goal failed, how long a refusal event may still arrive (belt and braces: see the loop's ordering). */
  static final long REFUSAL_GRACE_MS = 1_500;
  /** Events read on the first look (the refusal may come before it: the manager acts within milliseconds). */
  static final int FIRST_EVENTS_MAX = 100;

  private final Admin admin;
  private final long commandSeq;
  private String lastEvent;
  private boolean eventsRead;

  /** commandSeq: the queued command to watch for a refusal (0: a config edit, nothing queued). */
  Waiter(Admin admin, long commandSeq) {
    this.admin = admin;
    this.commandSeq = commandSeq;
  }

  /** Waits; returns the line to print, or throws a CliError (exit 1) saying why it failed or where it stands. */
  String await(WaitGoal goal, long timeoutMs, String change) throws Exception {
    long startNs = System.nanoTime();
    long deadlineNs = startNs + timeoutMs * 1_000_000L;
    while (true) {
      WaitGoal.Snapshot snap = snapshot(goal);
      // Read after the state: the manager logs a refusal before it writes the state that applies the command, on
      // the same session, so once the state shows the command applied its refusal (if any) is in the log too.
      refusal(change);
      WaitGoal.Verdict v = goal.check(snap);
      if (v instanceof WaitGoal.Done && !snap.applied()) {
        // e.g. a cleanup of a resource that runs fine: done only once the manager took the command (or refused it)
        v = new WaitGoal.Waiting("the manager has not applied command " + commandSeq + " yet");
      }
      if (v instanceof WaitGoal.Done d) return d.text() + " (after " + took(startNs) + ")";
      if (v instanceof WaitGoal.Failed f) {
        if (commandSeq > 0) graceForRefusal(change);
        throw new CliError(change + ": failed after " + took(startNs) + ": " + f.text(), 1);
      }
      long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
      if (leftMs <= 0) {
        throw new CliError(change + ": timed out after " + took(startNs) + " (the change stands and may still "
            + "take effect): " + v.text(), 1);
      }
      Thread.sleep(Math.min(POLL_MS, leftMs)); // the CLI's edge: a modest poll of the store
    }
  }

  private void graceForRefusal(String change) throws Exception {
    long endNs = System.nanoTime() + REFUSAL_GRACE_MS * 1_000_000L;
    while (System.nanoTime() < endNs) {
      Thread.sleep(POLL_MS);
      refusal(change);
    }
  }

  /** Throws when the manager refused the queued command. */
  private void refusal(String change) throws Exception {
    if (commandSeq <= 0) return;
    List<Admin.Event> events = admin.events(eventsRead ? lastEvent : null, FIRST_EVENTS_MAX);
    eventsRead = true;
    String prefix = "command " + commandSeq + " refused: ";
    for (Admin.Event e : events) {
      lastEvent = e.id();
      if (e.message().startsWith(prefix) && "manager".equals(e.source())) {
        throw new CliError(change + ": the manager refused command " + commandSeq + ": "
            + e.message().substring(prefix.length()), 1);
      }
    }
  }

  private WaitGoal.Snapshot snapshot(WaitGoal goal) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    TreeMap<String, NodeRecord> records = new TreeMap<>();
    if (ms != null) {
      for (String n : ms.nodes().keySet()) {
        NodeRecord r = admin.value(StorePaths.node(n), NodeRecord.class);
        if (r != null) records.put(n, r);
      }
    }
    ShutdownRequest req = goal.shutdownOf() == null ? null
        : admin.value(ShutdownRequest.path(goal.shutdownOf()), ShutdownRequest.class);
    boolean applied = commandSeq <= 0 || (ms != null && ms.commandSeq() >= commandSeq);
    return new WaitGoal.Snapshot(admin.value(StorePaths.CONFIG, ClusterConfig.class), ms, records, req, applied);
  }

  private static String took(long startNs) {
    long ms = (System.nanoTime() - startNs) / 1_000_000L;
    return ms < 1_000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
