package palisade.runtime.watchdog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Stand-in node agent for supervisor tests, run as the supervisor's child. It starts a resource
 * grandchild ({@code sleep}) in its process group, writes "pid grandchildPid" to
 * {@code DIR/agent-<pid>.pids}, arms the watchdog, feeds it FEEDS times, then either stops
 * feeding ("stop-feeding") or disarms ("disarm", then writes {@code agent-<pid>.disarmed}), and
 * sleeps until killed.
 *
 * <p>Usage: FeedingAgent DIR MODE TIMEOUT_MS FEEDS
 */
public final class FeedingAgent {
  private FeedingAgent() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String mode = args[1];
    long timeoutMs = Long.parseLong(args[2]);
    int feeds = Integer.parseInt(args[3]);
    long pid = ProcessHandle.current().pid();
    Process grandchild = new ProcessBuilder("sleep", "600").inheritIO().start();
    Path tmp = dir.resolve("agent-" + pid + ".tmp");
    Files.writeString(tmp, pid + " " + grandchild.pid() + "\n");
    Files.move(tmp, dir.resolve("agent-" + pid + ".pids"), StandardCopyOption.ATOMIC_MOVE);

    ProcessWatchdogClient watchdog = ProcessWatchdogClient.fromEnvironment();
    watchdog.arm(Duration.ofMillis(timeoutMs));
    for (int i = 0; i < feeds; i++) {
      Thread.sleep(timeoutMs / 4);
      watchdog.feed();
    }
    if (mode.equals("disarm")) {
      watchdog.disarm();
      Files.writeString(dir.resolve("agent-" + pid + ".disarmed"), "yes\n");
    }
    System.out.println("agent " + pid + ": done feeding (" + mode + ")");
    Thread.sleep(Long.MAX_VALUE);
  }
}
