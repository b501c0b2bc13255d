package palisade.core;

import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The agent's lease and watchdog (DESIGN "Leases, watchdog and the safety inequality"): it renews the node record
 * by compare-and-set every R, counts a renewal only when its acknowledgement came within X of sending, and feeds
 * the watchdog only then. It keeps the record as last committed: the next renewal names its version. What an
 * acknowledgement means for the agent's lifecycle (created, rejoined, fenced, down) is the {@link Agent}'s call.
 */
final class AgentLease {
  /** One record write, remembered for its acknowledgement. */
  record Write(long seq, boolean rejoin, long sentMs, NodeRecord next, boolean idleAtSend) {}

  /** Hears every acknowledgement of a record write, after the lease has booked it. */
  interface Listener {
    void acknowledged(Write write, TxnResult result, long nowMs);
  }

  private final AgentEnv env;
  /** The timings this agent claims and runs its renewals under, and the W its watchdog counts (live changes). */
  private final AgentTiming times;
  /** The W this agent last set on its watchdog device (at first: the one the host built it with). */
  private long deviceMs;
  private final String path;
  private final String source;
  private final Listener listener;

  /** Our record as last committed, and its version: the next renewal's compare-and-set names it. */
  private NodeRecord written;
  private long writtenVersion = Op.ABSENT;
  private boolean writePending;
  private long writeSentMs;
  private long writeSeq;
  private long lastWriteSentMs = Long.MIN_VALUE / 2;
  /** Send time of the last renewal acknowledged within X: the watchdog was fed then. */
  private long lastGoodRenewalMs = Long.MIN_VALUE / 2;
  private boolean leaseOk;
  /**
   * This daemon found a restart hold in its record at boot: the watchdog may still count H from the previous daemon's
   * hold, so every write keeps the hold (the manager keeps waiting L_H) until this daemon has armed it at W.
   */
  private boolean holdCarried;
  /**
   * The cluster is disarmed and this agent lets its watchdog go (DESIGN "HA disarm"). Set before any write says so;
   * the watchdog is released only once a write saying so was acknowledged in time, and this is cleared only after
   * the watchdog is armed again, so a record that says "not released" never hides an unprotected node.
   */
  private boolean released;

  AgentLease(AgentEnv env, Timing timing, String source, Listener listener) {
    this.env = env;
    this.times = new AgentTiming(timing);
    this.deviceMs = timing.watchdogMs();
    this.path = StorePaths.node(env.node());
    this.source = source;
    this.listener = listener;
  }

  AgentTiming times() {
    return times;
  }

  NodeRecord written() {
    return written;
  }

  long writtenVersion() {
    return writtenVersion;
  }

  /** Renewals acknowledged in time recently: the agent may start things and act on the manager's view. */
  boolean ok() {
    return leaseOk;
  }

  /** No write in flight and the store synced: the agent may read its record and write the next one. */
  boolean canWrite() {
    return !writePending && env.store().synced();
  }

  boolean writePending() {
    return writePending;
  }

  /** Our own record as the store view shows it, or null. */
  Versioned<NodeRecord> own() {
    return env.store().view().get(path, NodeRecord.class);
  }

  /** Continues from rec: what the store holds is the truth (booting, rejoining, or a lost acknowledgement). */
  void adopt(Versioned<NodeRecord> rec) {
    Check.that(rec.value().node().equals(env.node()), "%s: adopts the record of %s", source, rec.value().node());
    written = rec.value();
    writtenVersion = rec.version();
    released = written.released(); // what we (or our previous incarnation) last told the cluster
    // A hold in any record we continue from (at boot, or found after a conflict because our view lagged behind the
    // previous daemon's last write) may still be counting in the watchdog: carry it until we have armed at W.
    if (written.holdMs() > 0 && !holdCarried && !env.watchdog().armed()) carryHold();
  }

  /** A write unanswered for X counts as lost; it may have committed unseen: continue from what the store shows. */
  void expireLostWrite(long nowMs) {
    if (writePending && nowMs - writeSentMs > times.claim().ackMs()) {
      writePending = false; // a late acknowledgement only updates the version
      adoptOwnVersion();
    }
  }

  /** Continues from our own record as the view shows it, when only the acknowledgement went missing. */
  private void adoptOwnVersion() {
    Versioned<NodeRecord> rec = own();
    if (rec == null || written == null || rec.version() <= writtenVersion) return;
    NodeRecord r = rec.value();
    if (!r.fenced() && r.generation() == written.generation() && r.counter() >= written.counter()) {
      adopt(rec);
    }
  }

  /** The record we continue from carries a restart hold: keep it until the watchdog is armed at W here. */
  private void carryHold() {
    holdCarried = true;
    env.log().event(source, "found its restart hold of " + Durations.format(written.holdMs())
        + ": keeping what still runs here, the hold stays until the watchdog is armed again");
  }

  boolean holdCarried() {
    return holdCarried;
  }

  /** Fenced: whatever was renewed before counts for nothing now. */
  void lost() {
    leaseOk = false;
  }

  void track(long nowMs) {
    boolean ok = nowMs - lastGoodRenewalMs <= 2 * times.claim().renewMs() + times.claim().ackMs();
    if (ok != leaseOk) {
      leaseOk = ok;
      env.log().event(source, ok ? "lease renewed" : "lease renewal failed");
    }
  }

  /**
   * Renews every R, or sooner (one tick) when the record has news. idle says, at sending, that nothing runs or is
   * assigned here: an acknowledgement of that write may disarm the watchdog. It is asked only when a write goes out.
   */
  void maybeRenew(long nowMs, AgentMode mode, SortedMap<String, ResourceResult> results, long spmReleased,
      BooleanSupplier idle) {
    if (writePending) return;
    Check.that(written != null, "%s: renewal without a record", source);
    boolean armed = env.watchdog().armed();
    long hold = holdCarried ? written.holdMs() : 0;
    boolean news = !results.equals(written.results()) || mode != written.mode() || armed != written.armed()
        || leaseOk != written.inTime() || spmReleased != written.spmReleased() || !claims(written)
        || hold != written.holdMs() || released != written.released();
    boolean due = nowMs - lastWriteSentMs >= times.claim().renewMs();
    if (!due && !(news && nowMs - lastWriteSentMs >= times.claim().tickMs())) return;
    NodeRecord next = claimed(written.renewed(mode, new TreeMap<>(results), armed, leaseOk, spmReleased).held(hold))
        .releasedAs(released);
    submit(writtenVersion, next, nowMs, idle.getAsBoolean(), false);
  }

  /**
   * rec as this agent writes it: naming the watchdog it really has and the timings it runs under, whatever an
   * earlier incarnation claimed. Every write of ours carries the claim, so the version a fence write names always
   * tells the manager what the agent that wrote it could rely on (DESIGN "Fence confirmation").
   */
  NodeRecord claimed(NodeRecord rec) {
    return rec.under(env.watchdog().kind(), times.claim());
  }

  /** Whether rec already carries this agent's claim. */
  private boolean claims(NodeRecord rec) {
    return env.watchdog().kind().equals(rec.watchdog()) && times.claim().equals(rec.timing());
  }

  /** One compare-and-set of our record at expectedVersion; rejoin marks the write that acknowledges a fence. */
  Write submit(long expectedVersion, NodeRecord next, long nowMs, boolean idleAtSend, boolean rejoin) {
    Check.that(!writePending, "%s: a second record write while one is in flight", source);
    Write write = new Write(++writeSeq, rejoin, nowMs, next, idleAtSend);
    writePending = true;
    writeSentMs = nowMs;
    lastWriteSentMs = nowMs;
    env.store().submit(Txn.of(new Op.Put(path, expectedVersion, next)), (result, t) -> {
      if (write.seq() == writeSeq) writePending = false;
      listener.acknowledged(write, result, t);
    });
    return write;
  }

  /** Books a committed write; false for an older write acknowledged after a newer one. */
  boolean committed(NodeRecord next, long version) {
    if (version <= writtenVersion && written != null) return false;
    written = next;
    writtenVersion = version;
    return true;
  }

  /** Was the write sent at sentMs acknowledged within X? Only then does it count, and feed the watchdog. */
  boolean inTime(long sentMs, long nowMs) {
    if (nowMs - sentMs > times.claim().ackMs()) {
      env.log().event(source, "renewal acknowledged late (" + (nowMs - sentMs) + "ms > X): watchdog not fed");
      return false;
    }
    lastGoodRenewalMs = Math.max(lastGoodRenewalMs, sentMs);
    return true;
  }

  /** The store knows the node is down: nothing runs, nothing is protected any more. */
  void disarm() {
    Watchdog wd = env.watchdog();
    if (wd.armed()) {
      wd.disarm();
      env.log().event(source, "watchdog disarmed");
    }
  }

  boolean released() {
    return released;
  }

  /** The cluster is disarming: the next write says this agent lets its watchdog go; the release follows its ack. */
  void release() {
    Check.that(!released, "%s: released twice", source);
    released = true;
    env.log().event(source, "the cluster is disarming: releasing the watchdog once the store knows");
  }

  /**
   * After an in-time renewal: arm the watchdog when something here needs it, disarm it only when nothing does and
   * the store knew so before we stop feeding (idleAtSend), else feed it. While the cluster is disarmed
   * (releaseWanted) a released agent lets the watchdog go once a write saying so was acknowledged (releaseWritten);
   * when it is armed again the watchdog is armed first, and only the writes after that say "not released".
   */
  void guard(boolean needed, boolean idleAtSend, boolean releaseWanted, boolean releaseWritten) {
    Watchdog wd = env.watchdog();
    if (released && releaseWanted) {
      if (holdCarried) {
        wd.disarm(); // the previous daemon armed it only to hold across its restart
        holdCarried = false;
        env.log().event(source, "restart hold released: the watchdog is released again (the cluster is disarmed)");
      } else if (wd.armed() && releaseWritten) {
        wd.disarm(); // a clean close, as for a clean shutdown: the device will not reset the host
        env.log().event(source, "watchdog released for the cluster's disarm");
      } else if (wd.armed()) {
        wd.feed();
      }
      return;
    }
    if (released) {
      released = false;
      env.log().event(source, "the cluster is arming or armed: the watchdog is armed again before the store is told");
    }
    if (needed || wd.armed()) retimeWatchdog(wd);
    if (needed && !wd.armed()) {
      wd.arm();
      env.log().event(source, "watchdog armed");
      if (holdCarried) env.log().event(source, "restart hold released: the watchdog counts W again");
      holdCarried = false;
    } else if (wd.armed() && !needed && idleAtSend) {
      wd.disarm(); // nothing runs here, and the store knew it before we stopped feeding
      env.log().event(source, "watchdog disarmed");
    } else if (wd.armed()) {
      wd.feed();
    }
  }

  /** Just before an allowed arm or feed: the W the device counts from it on (AgentTiming's order). */
  private void retimeWatchdog(Watchdog wd) {
    long w = times.atFeed(written == null ? null : written.timing());
    boolean taken = w == deviceMs || wd.timeout(w);
    if (taken) deviceMs = w;
    String event = times.fed(taken ? w : deviceMs, w, taken);
    if (event != null) env.log().event(source, event);
  }
}
