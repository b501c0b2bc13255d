package palisade.lab;

import java.io.IOException;

/**
 * Brings a lab cluster down if this JVM exits before it is closed (Ctrl-C or SIGTERM of a demo or a bench): without
 * it the daemons, peers and BMCs the lab started would outlive it. Close it once {@link LocalCluster#down} ran.
 */
public final class DownOnExit implements AutoCloseable {
  private final Thread hook;

  public DownOnExit(LocalCluster c) {
    hook = new Thread(() -> {
      try {
        c.down();
      } catch (IOException | RuntimeException e) {
        System.err.println("palisade: bringing the lab at " + c.dir() + " down failed: " + e.getMessage());
      }
    }, "palisade-lab-down");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) { // exiting: the hook runs or ran
    }
  }
}
