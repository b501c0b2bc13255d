package palisade.core;

import java.util.Locale;

/**
 * One line of fence history: target, level, device, action, result, who executed it, start and end times.
 * Summary lines have action {@value #SUMMARY} (a fence) or {@value #CYCLE} (a repair power cycle) and name the
 * level's devices: `off confirmed`, `all levels failed`, `on confirmed`, `power-on failed`.
 *
 * <p>Lines of level 0 are the manager's own, written with its state: `watchdog confirm`, `manual confirm` and a
 * repair's `ordered` line. Their attempt is the fence generation they belong to, not an order's token; their times
 * are the manager's wall clock (its host's, never used for a decision).
 */
public record FenceEntry(String target, long attempt, int level, String device, String action, String result,
    String executor, long startedMs, long endedMs) {

  public static final String SUMMARY = "fence";
  public static final String OFF_CONFIRMED = "off confirmed";
  /** A summary that confirms like {@link #OFF_CONFIRMED}: the status before off found every device off already. */
  public static final String OFF_ALREADY = OFF_CONFIRMED + " (already off)";
  /** The action of a proxy's first line of an order: which node runs it and why (its result). */
  public static final String PROXY = "proxy";
  /**
   * The action of a periodic device check's line (DESIGN "Fence devices known to work"): a status call, result `ok
   * (on)`, `ok (off)` or `error: ...`; its attempt is the check order's token. The history keeps only the newest
   * check line of each device.
   */
  public static final String CHECK = "check";
  public static final String ALL_FAILED = "all levels failed";
  public static final String ON_CONFIRMED = "on confirmed";
  public static final String ON_FAILED = "power-on failed";
  public static final String MANUAL = "manual confirm";
  public static final String WATCHDOG = "watchdog confirm";
  /** The manager's line for an operator's fence that the node's own agent acknowledged ({@link ConfirmKind#AGENT}). */
  public static final String AGENT = "agent confirm";
  /** The action of a repair's lines: a power cycle of a node already fenced (DESIGN "Repair after a fence"). */
  public static final String CYCLE = "cycle";
  /** The summary of a kdump level: the node's crashing kernel reported its dump (DESIGN "Fence confirmation"). */
  public static final String KDUMP_CONFIRMED = "kdump confirmed";
  /**
   * The action of a soft fence's line (a proxy restarted the node's daemon over SSH): never a confirmation. Its level
   * is 0 and its attempt the soft-fence order's token.
   */
  public static final String SOFT = "soft";
  /**
   * The action of a power saving order's summary line ({@link PowerSaving}): results {@value #SAVING_OFF}, {@value
   * #SAVING_ON}, {@link #ALL_FAILED} or {@link #ON_FAILED}. A power action, never a fence.
   */
  public static final String SAVING = "power saving";
  public static final String SAVING_OFF = "power off (power saving)";
  public static final String SAVING_ON = "power on (power saving)";

  /**
   * How the line's node was handled: `watchdog`, `manual`, `agent` or `kdump` (a confirmation), `soft` (a daemon restart,
   * never a confirmation), `check` (a device's periodic status check, no fence), else `power` (a device).
   */
  public String kind() {
    if (level == 0 && result.equals(WATCHDOG)) return "watchdog";
    if (level == 0 && result.equals(MANUAL)) return "manual";
    if (level == 0 && result.equals(AGENT)) return "agent";
    if (level == 0 && action.equals(SOFT)) return "soft";
    if (KdumpLevel.DEVICE.equals(device)) return "kdump";
    if (action.equals(CHECK)) return "check";
    return "power";
  }

  /** A check line whose device answered its status call. */
  public boolean checkOk() {
    return action.equals(CHECK) && result.startsWith("ok");
  }

  public String describe() {
    return String.format(Locale.ROOT, "%s attempt %d level %d %s %s: %s (by %s)", target, attempt, level,
        device == null ? "-" : device, action, result, executor);
  }
}
