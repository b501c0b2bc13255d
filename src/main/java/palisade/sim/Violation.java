package palisade.sim;

/** A failed expectation or invariant: the message names the scenario line or the invariant, the time and facts. */
public final class Violation extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public Violation(String message) {
    super(message);
  }
}
