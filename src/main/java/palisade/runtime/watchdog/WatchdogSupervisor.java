package palisade.runtime.watchdog;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A software watchdog in the spirit of Proxmox's watchdog-mux, for nodes without a hardware
 * watchdog and for tests with real processes.
 *
 * <p>It starts the node agent (the child command) as the leader of a new process group, and
 * listens on a Unix socket, passed to the child in {@value #SOCKET_ENV}, for {@code ARM <ms>},
 * {@code FEED}, {@code DISARM} (the magic close) and {@code STATUS}, one per line, each answered
 * with one line. When armed and not fed within the timeout it SIGKILLs the whole group (agent and
 * every resource it started) as a reset would, then restarts the child after a delay, at most
 * {@code restartsMax} times. A child that dies while armed is left to the timer, as with a
 * hardware watchdog. A child that exits while disarmed ends the supervisor with its exit code.
 * SIGTERM to the supervisor stops the group (TERM, then KILL after a grace period) and exits.
 *
 * <p>Every action is logged on stdout with a timestamp. The child's stdout and stderr go to the
 * supervisor's.
 */
public final class WatchdogSupervisor {
  public static final String SOCKET_ENV = "PALISADE_WATCHDOG_SOCKET";
  static final long ARM_TIMEOUT_MAX_MS = 3_600_000;
  static final int EXIT_RESTARTS_EXHAUSTED = 3;
  static final int EXIT_USAGE = 2;

  private final SupervisorConfig config;
  private final Set<SocketChannel> clients = new HashSet<>();
  private ServerSocketChannel server;
  private ProcessGroup group;
  private boolean armed;
  private long timeoutNanos;
  private long lastFeedNanos;
  private boolean stopRequested;
  private boolean finished;
  private boolean announcedDeath;
  private int restarts;

  WatchdogSupervisor(SupervisorConfig config) {
    this.config = config;
  }

  public static void main(String[] args) {
    SupervisorConfig config;
    try {
      config = SupervisorConfig.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(EXIT_USAGE);
      return;
    }
    WatchdogSupervisor supervisor = new WatchdogSupervisor(config);
    Thread main = Thread.currentThread();
    // SIGTERM runs shutdown hooks; the hook asks the loop to stop the group and waits for it.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (!supervisor.requestStop()) {
        return; // the loop already ended (we are inside System.exit)
      }
      try {
        main.join(config.stopGrace().toMillis() + 5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "watchdog-supervisor-shutdown"));
    int code;
    try {
      code = supervisor.run();
    } catch (IOException e) {
      log("failed: " + e);
      code = 1;
    }
    // On SIGTERM the JVM is already exiting (the hook waits for us); exit() would block forever.
    if (!supervisor.stopRequested()) {
      System.exit(code);
    }
  }

  static void log(String message) {
    System.out.println(Instant.now() + " palisade-watchdog[" + ProcessHandle.current().pid() + "]: " + message);
    System.out.flush();
  }

  /** Runs until the child exits disarmed, the restart limit is hit, or a stop is requested. */
  int run() throws IOException {
    listen();
    try {
      startChild();
      return loop();
    } finally {
      closeServer();
      synchronized (this) {
        finished = true;
      }
    }
  }

  /** Asks the loop to stop the group and end; false if it has ended already. */
  synchronized boolean requestStop() {
    stopRequested = true;
    notifyAll();
    return !finished;
  }

  /** The current child's pid (for tests), -1 before the first start. */
  synchronized long childPid() {
    return group == null ? -1 : group.leader().pid();
  }

  synchronized boolean stopRequested() {
    return stopRequested;
  }

  private int loop() {
    while (true) {
      Integer exit = step();
      if (exit != null) {
        return exit;
      }
    }
  }

  /** One turn of the loop; an exit code ends the supervisor. */
  private synchronized Integer step() {
    try {
      wait(SupervisorConfig.POLL_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopRequested = true;
    }
    if (stopRequested) {
      stopGroup();
      return 0;
    }
    long now = System.nanoTime();
    if (armed && now - lastFeedNanos > timeoutNanos) {
      log("watchdog expired: no feed for " + TimeUnit.NANOSECONDS.toMillis(now - lastFeedNanos)
          + " ms (timeout " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms); SIGKILL to process group "
          + group.pgid());
      killGroup();
      if (restarts >= config.restartsMax()) {
        log("restart limit " + config.restartsMax() + " reached; giving up");
        return EXIT_RESTARTS_EXHAUSTED;
      }
      restarts++;
      log("restarting child in " + config.restartDelay().toMillis() + " ms (restart " + restarts + " of "
          + config.restartsMax() + ")");
      if (!pause(config.restartDelay().toMillis())) {
        return 0;
      }
      try {
        startChild();
      } catch (IOException e) {
        log("cannot restart child: " + e.getMessage());
        return 1;
      }
      return null;
    }
    Process leader = group.leader();
    if (!leader.isAlive()) {
      if (!armed) {
        log("child " + leader.pid() + " exited with code " + leader.exitValue() + " while disarmed; exiting");
        killGroup(); // anything it left behind
        return leader.exitValue();
      }
      if (!announcedDeath) {
        announcedDeath = true;
        log("child " + leader.pid() + " exited with code " + leader.exitValue()
            + " while armed; the watchdog will fire");
      }
    }
    return null;
  }

  /** Waits (releasing the monitor); false if a stop was requested meanwhile. */
  private boolean pause(long ms) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (!stopRequested) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return true;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private void startChild() throws IOException {
    armed = false;
    announcedDeath = false;
    group = ProcessGroup.start(config.command(), Map.of(SOCKET_ENV, config.socket().toString()));
    log("started child " + group.leader().pid() + " as process group " + group.pgid() + ": "
        + String.join(" ", config.command()));
  }

  /** SIGKILL to the group, plus any member found by scanning; then waits until all are dead. */
  private void killGroup() {
    armed = false;
    dropClients(); // the old generation's connections must not feed the next one
    List<ProcessHandle> members = group.members();
    group.signal(LibC.SIGKILL);
    members.forEach(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!group.members().isEmpty() && System.nanoTime() < deadline) {
      ProcessGroup.sleepQuietly(10);
    }
    log("process group " + group.pgid() + " killed (" + members.size() + " processes)");
  }

  /** Graceful stop on SIGTERM: TERM to the group, KILL whatever is left after the grace period. */
  private void stopGroup() {
    log("stopping: SIGTERM to process group " + group.pgid());
    group.signal(LibC.SIGTERM);
    long deadline = System.nanoTime() + config.stopGrace().toNanos();
    while (!group.members().isEmpty() && System.nanoTime() < deadline) {
      ProcessGroup.sleepQuietly(10);
    }
    killGroup();
    log("stopped");
  }

  // ---- socket side: one thread per client connection ----

  private void listen() throws IOException {
    Files.deleteIfExists(config.socket());
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(config.socket()));
    // Only our user may feed the watchdog.
    Files.setPosixFilePermissions(config.socket(), PosixFilePermissions.fromString("rw-------"));
    Thread acceptor = new Thread(this::acceptLoop, "watchdog-supervisor-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log("listening on " + config.socket());
  }

  private void acceptLoop() {
    while (true) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // server closed
      }
      synchronized (this) {
        clients.add(client);
      }
      Thread t = new Thread(() -> serve(client), "watchdog-supervisor-client");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(SocketChannel client) {
    try (client) {
      BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
          StandardCharsets.US_ASCII));
      OutputStream out = Channels.newOutputStream(client);
      String line;
      while ((line = in.readLine()) != null) {
        String reply = handle(client, line.trim());
        out.write((reply + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } catch (IOException e) {
      // client went away or was dropped; an armed watchdog stays armed
    } finally {
      synchronized (this) {
        clients.remove(client);
      }
    }
  }

  synchronized String handle(SocketChannel client, String line) {
    if (!clients.contains(client)) {
      return "ERR stale connection";
    }
    String[] words = line.split(" ");
    switch (words[0]) {
      case "ARM" -> {
        long ms;
        try {
          ms = Long.parseLong(words.length == 2 ? words[1] : "");
        } catch (NumberFormatException e) {
          return "ERR usage: ARM <milliseconds>";
        }
        if (ms <= 0 || ms > ARM_TIMEOUT_MAX_MS) {
          return "ERR timeout out of range 1.." + ARM_TIMEOUT_MAX_MS + " ms";
        }
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(ms);
        lastFeedNanos = System.nanoTime();
        if (!armed) {
          log("armed, timeout " + ms + " ms");
        }
        armed = true;
        return "OK";
      }
      case "FEED" -> {
        if (!armed) {
          return "ERR not armed";
        }
        lastFeedNanos = System.nanoTime();
        return "OK";
      }
      case "DISARM" -> {
        if (armed) {
          log("disarmed (magic close)");
        }
        armed = false;
        return "OK";
      }
      case "STATUS" -> {
        return armed ? "ARMED " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) : "DISARMED";
      }
      default -> {
        return "ERR unknown command";
      }
    }
  }

  private void dropClients() {
    for (SocketChannel c : clients) {
      try {
        c.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    clients.clear();
  }

  private void closeServer() {
    try {
      server.close();
      Files.deleteIfExists(config.socket());
    } catch (IOException e) {
      log("cannot remove socket " + config.socket() + ": " + e.getMessage());
    }
    synchronized (this) {
      dropClients();
    }
  }
}
