package palisade.core;

import java.util.ArrayList;
import java.util.List;

/** The operator command queue, one store record; the manager applies commands with seq above its last. */
public record Commands(long lastSeq, List<Command> pending) {
  /**
   * Bound on queued commands the manager has not applied yet. Applied ones are dropped; an unapplied one never is:
   * appending to a full queue is refused ({@link Full}), so an operator is never told "queued" for a lost command.
   */
  public static final int KEEP_MAX = 200;

  /** The queue holds {@link #KEEP_MAX} commands the manager has not applied: nothing was appended. */
  public static final class Full extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Full(int waiting, long appliedSeq) {
      super("the command queue is full: " + waiting + " commands wait for the manager (it applied up to command "
          + appliedSeq + "; is a manager running?); nothing was queued, try again once it catches up");
    }
  }

  public Commands {
    pending = List.copyOf(pending);
  }

  public static Commands empty() {
    return new Commands(0, List.of());
  }

  /**
   * Appends a command built for the next sequence number, dropping commands the manager applied already.
   *
   * @throws Full when {@link #KEEP_MAX} unapplied commands wait already
   */
  public Commands append(java.util.function.LongFunction<Command> make, long appliedSeq) {
    List<Command> kept = new ArrayList<>();
    for (Command c : pending) {
      if (c.seq() > appliedSeq) kept.add(c);
    }
    if (kept.size() >= KEEP_MAX) throw new Full(kept.size(), appliedSeq);
    Command c = make.apply(lastSeq + 1);
    Check.that(c.seq() == lastSeq + 1, "command numbered %d, expected %d", c.seq(), lastSeq + 1);
    kept.add(c);
    return new Commands(lastSeq + 1, kept);
  }
}
