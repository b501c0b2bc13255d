package palisade.core;

import java.util.TreeMap;

/**
 * Runs the manager's soft-fence orders that name this node as proxy: asks the soft-fence driver to restart the
 * target's daemon, once per order, and writes the result to the event log and the fence history (action `soft`,
 * result ok or error). A restart is never a confirmation of anything: the manager's lease timer still decides.
 *
 * <p>No I/O, threads or clocks: driven by the fencer's ticks and the driver's callbacks.
 */
final class SoftFencer {
  private final AgentEnv env;
  private final String me;
  private final String source;
  /** Where the history lines go: the fencer's own unsent list, flushed with its lines. */
  private final java.util.function.Consumer<FenceEntry> history;
  /** Orders started here, by target: each attempt runs once (bounded by the targets of standing orders). */
  private final TreeMap<String, Long> started = new TreeMap<>();

  SoftFencer(AgentEnv env, java.util.function.Consumer<FenceEntry> history) {
    this.env = env;
    this.me = env.node();
    this.source = me + "/fencer";
    this.history = history;
  }

  void tick(ManagerState ms, FenceHistory h) {
    for (SoftFenceOrder o : ms.softFences().values()) {
      if (!me.equals(o.proxy()) || started.getOrDefault(o.target(), -1L) >= o.attempt() || ran(h, o)) continue;
      started.put(o.target(), o.attempt());
      env.log().event(source, o.target() + ": soft fence, restarting its daemon (attempt " + o.attempt() + ")");
      env.softFences().restart(o.target(), (out, t) -> answered(o, out));
    }
    started.keySet().retainAll(ms.softFences().keySet());
    Check.that(started.size() <= ms.softFences().size(), "%s: %s soft fences remembered for %s orders", source,
        started.size(), ms.softFences().size());
  }

  /** A proxy that restarted since it ran this order finds its line in the history: never twice. */
  private static boolean ran(FenceHistory h, SoftFenceOrder o) {
    if (h == null) return false;
    for (FenceEntry e : h.entries()) {
      if (e.level() == 0 && e.action().equals(FenceEntry.SOFT) && e.target().equals(o.target())
          && e.attempt() == o.attempt()) {
        return true;
      }
    }
    return false;
  }

  private void answered(SoftFenceOrder o, SoftFenceDriver.Outcome out) {
    String result = out.ok() ? "ok" : "error: " + out.detail();
    env.log().event(source, o.target() + ": soft fence " + (out.ok() ? "done: its daemon was restarted"
        : "failed (" + out.detail() + ")") + "; the lease still decides");
    history.accept(new FenceEntry(o.target(), o.attempt(), 0, "ssh", FenceEntry.SOFT, result, me, out.startedMs(),
        out.endedMs()));
  }
}
