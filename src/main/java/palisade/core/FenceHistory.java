package palisade.core;

import java.util.ArrayList;
import java.util.List;

/** The fence history record: the last {@link #KEEP} operations, oldest first. */
public record FenceHistory(List<FenceEntry> entries) {
  public static final int KEEP = 500;

  public FenceHistory {
    entries = List.copyOf(entries);
    Check.that(entries.size() <= KEEP, "fence history over its bound: %s", entries.size());
  }

  public static FenceHistory empty() {
    return new FenceHistory(List.of());
  }

  public FenceHistory append(List<FenceEntry> more) {
    List<FenceEntry> all = new ArrayList<>(entries);
    all.addAll(more);
    return new FenceHistory(all.subList(Math.max(0, all.size() - KEEP), all.size()));
  }

  /**
   * Did any proxy already act on this attempt (a proxy restarting must not run it again)? The manager's own lines
   * (level 0) count generations, not attempts: they never match.
   */
  public boolean touched(String target, long attempt) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      FenceEntry e = entries.get(i);
      if (e.level() > 0 && e.target().equals(target) && e.attempt() == attempt) return true;
    }
    return false;
  }

  /**
   * The newest summary line (of a fence or a repair cycle) a proxy wrote for this target's attempt, or null. A result
   * with a note in parentheses counts as the result: {@link FenceEntry#OFF_ALREADY} is an off confirmed.
   */
  public FenceEntry summary(String target, long attempt, String result) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      FenceEntry e = entries.get(i);
      if (e.level() > 0 && e.target().equals(target) && e.attempt() == attempt && (e.result().equals(result)
          || e.result().startsWith(result + " ("))
          && (e.action().equals(FenceEntry.SUMMARY) || e.action().equals(FenceEntry.CYCLE))) {
        return e;
      }
    }
    return null;
  }

  /** Was a repair of target ordered for this fence generation (the manager's `cycle` line)? Once per generation. */
  public boolean repairOrdered(String target, long generation) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      FenceEntry e = entries.get(i);
      if (e.level() == 0 && e.target().equals(target) && e.attempt() == generation
          && e.action().equals(FenceEntry.CYCLE)) {
        return true;
      }
    }
    return false;
  }

  /** The newest line of target of this kind (watchdog, power or manual), or null. */
  public FenceEntry lastOfKind(String target, String kind) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      FenceEntry e = entries.get(i);
      if (e.target().equals(target) && e.kind().equals(kind)) return e;
    }
    return null;
  }
}
