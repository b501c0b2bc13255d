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

  /**
   * The history with more lines at its end, keeping the last {@link #KEEP}. Of the periodic device checks only the
   * newest line of each device stays: checks every few minutes must not push the fences out of the history.
   */
  public FenceHistory append(List<FenceEntry> more) {
    List<FenceEntry> all = new ArrayList<>(entries);
    all.addAll(more);
    java.util.TreeSet<String> checked = new java.util.TreeSet<>();
    List<FenceEntry> kept = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0; i--) {
      FenceEntry e = all.get(i);
      if (!e.action().equals(FenceEntry.CHECK) || checked.add(e.device())) kept.add(e);
    }
    java.util.Collections.reverse(kept);
    return new FenceHistory(kept.subList(Math.max(0, kept.size() - KEEP), kept.size()));
  }

  /** The newest periodic check line of device, or null. */
  public FenceEntry lastCheck(String device) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      FenceEntry e = entries.get(i);
      if (e.action().equals(FenceEntry.CHECK) && e.device().equals(device)) return e;
    }
    return null;
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

  /** The newest power saving summary line a proxy wrote for target (any order), or null. */
  public FenceEntry lastSaving(String target) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      FenceEntry e = entries.get(i);
      if (e.level() > 0 && e.target().equals(target) && e.action().equals(FenceEntry.SAVING)) return e;
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

  /** The newest line of target of this kind (watchdog, power, manual, kdump or soft), or null. */
  public FenceEntry lastOfKind(String target, String kind) {
    for (int i = entries.size() - 1; i >= 0; i--) {
      FenceEntry e = entries.get(i);
      if (e.target().equals(target) && e.kind().equals(kind)) return e;
    }
    return null;
  }
}
