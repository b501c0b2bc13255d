package palisade.runtime.watchdog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Stand-in node agent for supervisor tests, run as the supervisor's child. It starts a resource
 * grandchild ({@code sleep}) in its process group and one that escapes it (setsid after a double
 * fork: its own session and group, reparented away from the agent), writes "pid grandchildPid
 * escapedPid" to {@code DIR/agent-<pid>.pids}, arms the watchdog, feeds it FEEDS times, then either
 * stops feeding ("stop-feeding") or disarms ("disarm", then writes {@code agent-<pid>.disarmed}),
 * and sleeps until killed. Mode "hold": the first generation holds the watchdog for 8 s (a daemon restart) and
 * exits at once, leaving its resources running; later generations behave as "stop-feeding". Mode "hold-silent":
 * the same first generation, and later ones never arm.
 *
 * <p>Usage: FeedingAgent DIR MODE TIMEOUT_MS FEEDS SOCKET
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
    // sh backgrounds setsid (not a group leader, so it does not fork again) and exits: the sleep is orphaned in
    // a session of its own.
    Process escape = new ProcessBuilder("sh", "-c", "setsid sleep 600 </dev/null >/dev/null 2>&1 & echo $!").start();
    String escaped = new String(escape.getInputStream().readAllBytes()).trim();
    escape.waitFor();
    Path tmp = dir.resolve("agent-" + pid + ".tmp");
    Files.writeString(tmp, pid + " " + grandchild.pid() + " " + escaped + "\n");
    Files.move(tmp, dir.resolve("agent-" + pid + ".pids"), StandardCopyOption.ATOMIC_MOVE);

    if (System.getenv(WatchdogSupervisor.SOCKET_ENV) != null) {
      throw new IllegalStateException(WatchdogSupervisor.SOCKET_ENV + " must not be in a child's environment");
    }
    ProcessWatchdogClient watchdog = new ProcessWatchdogClient(Path.of(args[4]), Duration.ofSeconds(2));
    if (mode.equals("hold-silent") && Files.exists(dir.resolve("held"))) {
      System.out.println("agent " + pid + ": never arms (a daemon that does not come back)");
      Thread.sleep(Long.MAX_VALUE);
    }
    watchdog.arm(Duration.ofMillis(timeoutMs));
    for (int i = 0; i < feeds; i++) {
      Thread.sleep(timeoutMs / 4);
      watchdog.feed();
    }
    if (mode.startsWith("hold") && !Files.exists(dir.resolve("held"))) {
      Files.writeString(dir.resolve("held"), pid + "\n");
      watchdog.hold(Duration.ofMillis(8_000));
      System.out.println("agent " + pid + ": held for a restart, exiting");
      System.exit(0);
    }
    if (mode.equals("disarm")) {
      watchdog.disarm();
      Files.writeString(dir.resolve("agent-" + pid + ".disarmed"), "yes\n");
    }
    System.out.println("agent " + pid + ": done feeding (" + mode + ")");
    Thread.sleep(Long.MAX_VALUE);
  }
}
