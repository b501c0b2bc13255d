package palisade.core;

import java.util.ArrayList;
import java.util.List;

/** The operator command queue, one store record; the manager applies commands with seq above its last. */
public record Commands(long lastSeq, List<Command> pending) {
  /** Bound on queued commands: older ones the manager has applied are dropped first. */
  public static final int KEEP_MAX = 200;

  public Commands {
    pending = List.copyOf(pending);
  }

  public static Commands empty() {
    return new Commands(0, List.of());
  }

  /** Appends a command built for the next sequence number, dropping commands the manager applied already. */
  public Commands append(java.util.function.LongFunction<Command> make, long appliedSeq) {
    List<Command> kept = new ArrayList<>();
    for (Command c : pending) {
      if (c.seq() > appliedSeq) kept.add(c);
    }
    while (kept.size() >= KEEP_MAX) kept.remove(0);
    Command c = make.apply(lastSeq + 1);
    Check.that(c.seq() == lastSeq + 1, "command numbered %d, expected %d", c.seq(), lastSeq + 1);
    kept.add(c);
    return new Commands(lastSeq + 1, kept);
  }
}
