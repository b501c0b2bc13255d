package palisade.core;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs the manager's power-fence orders that name this node as proxy (RHEV's flow): for each level in order, all
 * of its devices together: status first (look before you cut: when every device already reports off, that confirms
 * the fence without an off), else off, then poll status until every one reports off (bounded), which confirms the
 * fence; then on, only once every device of the level is confirmed off, and poll until on. A level with any failure
 * falls through to the next; when all fail, that is reported and the manager retries with backoff. Every device
 * call is written to the fence history.
 *
 * <p>No I/O, threads or clocks: driven by the agent's ticks and the fence driver's callbacks.
 */
public final class Fencer {

  /** Where one fence run stands. */
  enum Phase {
    /** Asking every device of the level for its status before any off: a node already off is not cut again. */
    PRE_STATUS,
    /** Waiting for every device of the level to acknowledge off. */
    OFF,
    /** Polling status until every device reports off. */
    POLL_OFF,
    /** Waiting for every device of the level to acknowledge on. */
    ON,
    /** Polling status until every device reports on. */
    POLL_ON,
    /** Finished: confirmed and powered on, left off, or every level failed. */
    DONE;

    Set<Phase> predecessors() {
      return switch (this) {
        case PRE_STATUS -> EnumSet.of(OFF, POLL_OFF); // the next level starts by looking too
        case OFF -> EnumSet.of(PRE_STATUS);
        case POLL_OFF -> EnumSet.of(OFF, POLL_OFF);
        case ON -> EnumSet.of(PRE_STATUS, POLL_OFF);
        case POLL_ON -> EnumSet.of(ON, POLL_ON);
        // a power saving off ends at off (PRE_STATUS: already off), without powering on
        case DONE -> EnumSet.of(PRE_STATUS, OFF, POLL_OFF, ON, POLL_ON);
      };
    }
  }

  /** One fence run: a task being executed. */
  private final class Run {
    final FenceTask task;
    Phase phase = Phase.PRE_STATUS;
    int level;
    int outstanding;
    boolean levelFailed;
    boolean allMatch;
    int polls;
    long nextPollMs;
    long lastEndMs;
    /** The history's proxy line (who runs this order and why) is written with the first answer's times. */
    boolean proxyNoted;

    Run(FenceTask task) {
      this.task = task;
    }

    List<String> devices() {
      return task.levels().get(level);
    }
  }

  private final AgentEnv env;
  private final FencePolicy policy;
  private final String me;
  private final String source;
  private final TreeMap<String, Run> runs = new TreeMap<>();
  /** Attempts this node finished or abandoned, so a lingering order is not run twice. */
  private final TreeMap<String, Long> finished = new TreeMap<>();
  /**
   * History lines not yet in the store, oldest first. The history keeps only its last {@link FenceHistory#KEEP}
   * lines, so older unsent ones would be cut by the append anyway: that is the bound here too.
   */
  private final List<FenceEntry> unsent = new ArrayList<>();
  private boolean historyPending;
  private long historySentMs;
  private final long ackMs;
  private final SoftFencer soft;
  /** The newest device check order this node ran (DESIGN "Fence devices known to work"). */
  private long checkedToken;

  public Fencer(AgentEnv env, FencePolicy policy, Timing timing) {
    this.env = env;
    this.policy = policy;
    this.me = env.node();
    this.source = me + "/fencer";
    this.ackMs = timing.ackMs();
    this.soft = new SoftFencer(env, this::note);
  }

  /** Starts orders addressed to this node, drops runs whose order is gone, advances polls, flushes history. */
  public void tick(ManagerState ms, long nowMs) {
    if (ms != null) {
      Versioned<FenceHistory> h = env.store().view().get(StorePaths.FENCE_HISTORY, FenceHistory.class);
      for (FenceTask t : ms.fencing().values()) {
        boolean done = finished.getOrDefault(t.target(), -1L) >= t.attempt() || (h != null && h.value().touched(
            t.target(), t.attempt()));
        Run r = runs.get(t.target());
        if (me.equals(t.proxy()) && !done && (r == null || r.task.attempt() < t.attempt()) && stillValid(t, ms)) {
          start(t);
        }
      }
      for (String target : List.copyOf(runs.keySet())) {
        FenceTask t = ms.fencing().get(target);
        Run r = runs.get(target);
        if (t == null || t.attempt() != r.task.attempt() || !me.equals(t.proxy())) {
          env.log().event(source, target + ": fence order " + r.task.attempt() + " withdrawn");
          finish(r);
        }
      }
      checkDevices(ms.deviceCheck());
      // An attempt finished here matters only while its order stands: a later order carries a newer attempt.
      finished.keySet().retainAll(ms.fencing().keySet());
      soft.tick(ms, h == null ? null : h.value());
      Check.that(runs.size() <= ms.fencing().size(), "%s: %s runs for %s orders", source, runs.size(),
          ms.fencing().size());
    }
    for (Run r : List.copyOf(runs.values())) {
      if ((r.phase == Phase.POLL_OFF || r.phase == Phase.POLL_ON) && r.outstanding == 0 && nowMs >= r.nextPollMs) {
        sendAll(r, PowerAction.STATUS);
      }
    }
    flushHistory(nowMs);
  }

  /**
   * Runs a device check order naming this node, once: a status call to every device, each answer a `check` line.
   * One device at a time, so that a check holds at most one of the host's fence workers and a real fence never
   * waits behind it. A check never switches power; a node restarting in the middle runs the order again (harmless).
   */
  private void checkDevices(DeviceCheckOrder o) {
    if (o == null || !me.equals(o.proxy()) || o.token() <= checkedToken) return;
    checkedToken = o.token();
    env.log().event(source, "fence device check " + o.token() + ": " + o.devices().size() + " device(s)");
    checkNext(o, List.copyOf(o.devices().keySet()), 0);
  }

  private void checkNext(DeviceCheckOrder o, List<String> devices, int i) {
    if (i >= devices.size() || o.token() != checkedToken) return; // done, or a newer order took over
    String device = devices.get(i);
    String target = o.devices().get(device);
    env.fences().run(device, target, PowerAction.STATUS, (a, t) -> {
      String result = a.ok() ? "ok (" + (a.poweredOn() ? "on" : "off") + ")" : "error: " + a.detail();
      unsent.add(new FenceEntry(target, o.token(), 1, device, FenceEntry.CHECK, result, me, a.startedMs(),
          a.endedMs()));
      if (unsent.size() > FenceHistory.KEEP) unsent.remove(0);
      checkNext(o, devices, i + 1);
    });
  }

  /**
   * Power off only a node whose lease still shows the fence this order belongs to: an order outliving its episode
   * (the node rejoined, this proxy restarted, the manager is gone) must never power-cycle a live node.
   */
  private boolean stillValid(FenceTask t, ManagerState ms) {
    if (t.saving() != null) { // power saving: only a node the manager holds in standby (emptied, taking nothing)
      NodeStatus st = ms.nodes().get(t.target());
      return st != null && st.state() == NodeState.STANDBY;
    }
    Versioned<NodeRecord> rec = env.store().view().get(StorePaths.node(t.target()), NodeRecord.class);
    return rec != null && rec.value().fenced() && rec.value().generation() == t.generation();
  }

  private void start(FenceTask t) {
    Check.that(me.equals(t.proxy()), "%s: runs an order for proxy %s", source, t.proxy());
    Run old = runs.get(t.target());
    Check.that(old == null || old.task.attempt() < t.attempt(), "%s: order %s started again", source, t.attempt());
    Run r = new Run(t);
    runs.put(t.target(), r);
    env.log().event(source, t.target() + ": " + (t.saving() != null ? "power saving: power " + t.saving().label()
        : t.repair() ? "repair power cycle" : "power fencing") + ", attempt "
        + t.attempt() + ", " + t.levels().size() + " level(s)");
    beginLevel(r);
  }

  /**
   * A level starts: the kdump level listens for the target's dump message (its "off"), a power level first asks its
   * devices for status (look before you cut).
   */
  private void beginLevel(Run r) {
    Check.that(r.phase == Phase.PRE_STATUS, "%s: level %s of %s begins in %s", source, r.level + 1,
        r.task.target(), r.phase);
    if (r.task.saving() == PowerAction.ON) { // power saving's power on: nothing to look at first
      to(r, Phase.ON);
      sendAll(r, PowerAction.ON);
      return;
    }
    if (!KdumpLevel.is(r.devices())) {
      sendAll(r, PowerAction.STATUS);
      return;
    }
    to(r, Phase.OFF);
    r.outstanding = 1;
    env.kdump().listen(r.task.target(), KdumpLevel.WAIT_MS, (o, t) -> kdumpAnswered(r, o));
  }

  private void kdumpAnswered(Run r, KdumpDriver.Outcome o) {
    if (runs.get(r.task.target()) != r) return; // withdrawn or superseded
    Check.that(r.outstanding == 1 && r.phase == Phase.OFF && KdumpLevel.is(r.devices()), "%s: kdump answer for %s "
        + "out of turn", source, r.task.target());
    r.outstanding = 0;
    record(r, KdumpLevel.DEVICE, "listen", o.received() ? "message" : "error: " + o.detail(), o.startedMs(),
        o.endedMs());
    r.lastEndMs = Math.max(r.lastEndMs, o.endedMs());
    if (!o.received()) {
      nextLevel(r, o.detail());
      return;
    }
    summary(r, FenceEntry.KDUMP_CONFIRMED);
    env.log().event(source, r.task.target() + ": kdump message received: the node is dumping (no power off)");
    to(r, Phase.DONE);
    finish(r);
  }

  private void sendAll(Run r, PowerAction action) {
    Check.that(r.level < r.task.levels().size() && !r.devices().isEmpty() && r.outstanding == 0,
        "%s: level %s of %s sent while busy or empty", source, r.level + 1, r.task.target());
    r.outstanding = r.devices().size();
    r.levelFailed = false;
    r.allMatch = true;
    for (String d : r.devices()) {
      env.fences().run(d, r.task.target(), action, (o, t) -> answered(r, d, action, o, t));
    }
  }

  private void answered(Run r, String device, PowerAction action, FenceDriver.Outcome o, long nowMs) {
    if (runs.get(r.task.target()) != r) return; // withdrawn or superseded
    Check.that(r.outstanding > 0 && r.phase != Phase.DONE, "%s: answer from %s for %s with none outstanding",
        source, device, r.task.target());
    if (!r.proxyNoted && r.task.proxyReason() != null) {
      record(r, "-", FenceEntry.PROXY, "via " + me + " (" + r.task.proxyReason() + ")", o.startedMs(), o.startedMs());
    }
    r.proxyNoted = true;
    String result = !o.ok() ? "error: " + o.detail()
        : action == PowerAction.STATUS ? (o.poweredOn() ? "on" : "off") : "ok";
    record(r, device, action.label(), result, o.startedMs(), o.endedMs());
    r.lastEndMs = Math.max(r.lastEndMs, o.endedMs());
    if (!o.ok()) r.levelFailed = true;
    if (action == PowerAction.STATUS) {
      boolean want = r.phase == Phase.POLL_ON; // PRE_STATUS and POLL_OFF look for off
      if (!o.ok() || o.poweredOn() != want) r.allMatch = false;
    }
    if (--r.outstanding > 0) return;
    switch (r.phase) {
      case PRE_STATUS -> {
        if (r.allMatch) {
          offConfirmed(r, FenceEntry.OFF_ALREADY, "already off, no off sent: ");
        } else {
          to(r, Phase.OFF); // on, or a status that failed: cut as without the look
          sendAll(r, PowerAction.OFF);
        }
      }
      case OFF -> {
        if (r.levelFailed) nextLevel(r, "off failed");
        else startPolling(r, Phase.POLL_OFF, nowMs);
      }
      case POLL_OFF -> {
        if (r.allMatch) {
          offConfirmed(r, FenceEntry.OFF_CONFIRMED, "");
        } else if (++r.polls >= policy.pollMax()) {
          nextLevel(r, "still not off after " + r.polls + " polls");
        } else {
          r.nextPollMs = nowMs + policy.pollIntervalMs();
        }
      }
      case ON -> {
        if (r.levelFailed) powerOnFailed(r, "on failed");
        else startPolling(r, Phase.POLL_ON, nowMs);
      }
      case POLL_ON -> {
        if (r.allMatch) {
          summary(r, r.task.saving() != null ? FenceEntry.SAVING_ON : FenceEntry.ON_CONFIRMED);
          env.log().event(source, r.task.target() + (r.task.saving() != null ? ": powered on for power saving"
              : ": powered on again"));
          to(r, Phase.DONE);
          finish(r);
        } else if (++r.polls >= policy.pollMax()) {
          powerOnFailed(r, "still not on after " + r.polls + " polls");
        } else {
          r.nextPollMs = nowMs + policy.pollIntervalMs();
        }
      }
      case DONE -> { }
    }
  }

  /** Every device of the level reports off: the fence is confirmed; then, and only then, power on. */
  private void offConfirmed(Run r, String result, String how) {
    if (r.task.saving() != null) { // power saving: the node stays off until the manager wants it again
      summary(r, FenceEntry.SAVING_OFF);
      env.log().event(source, r.task.target() + ": powered off for power saving (" + how + String.join("+",
          r.devices()) + " off)");
      to(r, Phase.DONE);
      finish(r);
      return;
    }
    summary(r, result);
    env.log().event(source, r.task.target() + ": power off confirmed (" + how + String.join("+", r.devices())
        + " off)");
    to(r, Phase.ON);
    sendAll(r, PowerAction.ON);
  }

  private void startPolling(Run r, Phase phase, long nowMs) {
    to(r, phase);
    r.polls = 0;
    r.nextPollMs = nowMs; // the first status call right away, on the next tick
  }

  private void nextLevel(Run r, String why) {
    env.log().event(source, r.task.target() + ": level " + (r.level + 1) + " failed (" + why + ")");
    if (r.level + 1 < r.task.levels().size()) {
      r.level++;
      to(r, Phase.PRE_STATUS);
      beginLevel(r);
      return;
    }
    summary(r, FenceEntry.ALL_FAILED);
    env.log().event(source, r.task.target() + ": every fence level failed (attempt " + r.task.attempt() + ")");
    to(r, Phase.DONE);
    finish(r);
  }

  private void powerOnFailed(Run r, String why) {
    summary(r, FenceEntry.ON_FAILED);
    env.log().event(source, r.task.target() + ": power-on failed (" + why + "): node left off");
    to(r, Phase.DONE);
    finish(r);
  }

  private void finish(Run r) {
    runs.remove(r.task.target());
    finished.merge(r.task.target(), r.task.attempt(), Math::max);
  }

  private void to(Run r, Phase next) {
    Check.that(next.predecessors().contains(r.phase), "fence run %s: illegal %s -> %s", r.task.target(), r.phase,
        next);
    r.phase = next;
  }

  // ---- history ---------------------------------------------------------------------------------------------------

  private void summary(Run r, String result) {
    record(r, String.join("+", r.devices()), r.task.saving() != null ? FenceEntry.SAVING
        : r.task.repair() ? FenceEntry.CYCLE : FenceEntry.SUMMARY, result,
        r.lastEndMs, r.lastEndMs);
  }

  private void record(Run r, String device, String action, String result, long startedMs, long endedMs) {
    unsent.add(new FenceEntry(r.task.target(), r.task.attempt(), r.level + 1, device, action, result, me,
        startedMs, endedMs));
    if (unsent.size() > FenceHistory.KEEP) unsent.remove(0);
    Check.that(unsent.size() <= FenceHistory.KEEP, "%s: %s unsent history lines", source, unsent.size());
  }

  /** A line of another fencing action run here (a soft fence), sent with the fence lines. */
  private void note(FenceEntry e) {
    unsent.add(e);
    if (unsent.size() > FenceHistory.KEEP) unsent.remove(0);
  }

  /**
   * Appends unsent entries by compare-and-set; a conflict (another proxy appended) is retried next tick. A write
   * whose acknowledgement was lost may have committed: entries the history already holds are not sent again.
   */
  private void flushHistory(long nowMs) {
    if (historyPending && nowMs - historySentMs > 2 * ackMs) historyPending = false;
    if (historyPending || unsent.isEmpty() || !env.store().synced()) return;
    Versioned<FenceHistory> h = env.store().view().get(StorePaths.FENCE_HISTORY, FenceHistory.class);
    if (h != null) unsent.removeAll(h.value().entries());
    if (unsent.isEmpty()) return;
    List<FenceEntry> batch = List.copyOf(unsent);
    FenceHistory next = (h == null ? FenceHistory.empty() : h.value()).append(batch);
    historyPending = true;
    historySentMs = nowMs;
    env.store().submit(Txn.of(new Op.Put(StorePaths.FENCE_HISTORY, h == null ? Op.ABSENT : h.version(), next)),
        (result, t) -> {
          historyPending = false;
          if (result instanceof TxnResult.Committed) unsent.removeAll(batch); // a late reply may find fewer
        });
  }
}
