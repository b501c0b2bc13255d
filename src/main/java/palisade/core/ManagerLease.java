package palisade.core;

/** The manager lease: renewed like a node lease by its holder; taken over (epoch + 1) after silence L. */
public record ManagerLease(String holder, long epoch, long counter) {
  public ManagerLease renewed() {
    return new ManagerLease(holder, epoch, counter + 1);
  }
}
