package palisade.sim;

import java.util.function.LongConsumer;
import palisade.core.SpmDuty;

/**
 * A simulated node's SPM duty. Its token is physical truth for invariant 3: the token this machine acts as SPM
 * under, 0 when it does not (a halt or a daemon exit ends it as the process dies).
 */
final class SimSpm implements SpmDuty {
  /** Tells the world (its SPM checks) before the role is taken. */
  private final LongConsumer onActivate;
  private long token;

  SimSpm(LongConsumer onActivate) {
    this.onActivate = onActivate;
  }

  @Override
  public long activeToken() {
    return token;
  }

  @Override
  public void activate(long t) {
    onActivate.accept(t);
    token = t;
  }

  @Override
  public void deactivate() {
    token = 0;
  }
}
