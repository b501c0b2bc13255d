package palisade.runtime.watchdog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A software watchdog in the spirit of Proxmox's watchdog-mux, for nodes without a hardware
 * watchdog and for tests with real processes.
 *
 * <p>It starts the node agent (the child command) as the leader of a new process group inside a cgroup v2 of its
 * own ({@code --cgroup}), and listens on a Unix socket ({@code --socket}; the agent is told the same path by its
 * own configuration, never by its environment) for {@code ARM <ms>}, {@code FEED}, {@code DISARM} (the magic
 * close), {@code STATUS} and {@code CGROUP}, one per line, each answered with one line. Only the current child may
 * talk to it: every connection's peer pid (SO_PEERCRED) must be the child's, others are logged and closed. When
 * armed and not fed within the timeout it SIGKILLs the whole cgroup and process group (agent and every process it
 * started, including ones that called setsid or double-forked) as a reset would, then restarts the child after a
 * delay, at most {@code restartsMax} times within {@code restartWindow}. A child that dies while armed is left to
 * the timer, as with a hardware watchdog, unless it held the watchdog for a restart ({@code HOLD <ms>}, see
 * {@link WatchdogTimer}): then the next child starts at once, nothing is killed, and the countdown keeps running
 * until that child arms. A child that exits while disarmed ends the supervisor with its exit
 * code. SIGTERM to the supervisor stops the group (TERM, then KILL after a grace period) and exits.
 *
 * <p>Without cgroup v2 the supervisor refuses to start unless {@code --process-group-only} accepts that a resource
 * calling setsid survives a reset.
 *
 * <p>Every action is logged on stdout with a timestamp. The child's stdout and stderr go to the
 * supervisor's.
 */
public final class WatchdogSupervisor {
  /** Once the socket's path; now only stripped from every child's environment (it is no capability any more). */
  public static final String SOCKET_ENV = "PALISADE_WATCHDOG_SOCKET";
  /** Exit code of the cgroup wrapper when the child cannot enter its cgroup: it never runs uncovered. */
  static final int EXIT_NO_CGROUP = 97;
  static final int ACCEPT_POLL_MS = 200;
  public static final long ARM_TIMEOUT_MAX_MS = 3_600_000;
  static final int EXIT_RESTARTS_EXHAUSTED = 3;
  static final int EXIT_USAGE = 2;

  private final SupervisorConfig config;
  private final Set<UnixServer.Connection> clients = new HashSet<>();
  private UnixServer server;
  private Cgroup cgroup;
  private Path cgroupRoot;
  private final RestartBudget budget;
  /** Tests only: one more pid allowed to connect (an in-process supervisor's test JVM). */
  private long testPeer = -1;
  private ProcessGroup group;
  private final WatchdogTimer timer = new WatchdogTimer();
  private boolean stopRequested;
  private boolean finished;
  private boolean announcedDeath;
  private int restarts;

  WatchdogSupervisor(SupervisorConfig config) {
    this.config = config;
    this.budget = new RestartBudget(config.restartsMax(), config.restartWindow().toNanos());
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
    cgroupRoot = config.processGroupOnly() ? null : SupervisorCgroup.root();
    cgroup = SupervisorCgroup.prepare(config, cgroupRoot);
    try {
      listen();
      startChild(false);
      return loop();
    } finally {
      closeServer();
      SupervisorCgroup.remove(cgroup);
      synchronized (this) {
        finished = true;
      }
    }
  }

  /** Tests only: lets one more pid (an in-process test's own JVM) speak to this supervisor. */
  synchronized void allowPeerForTest(long pid) {
    testPeer = pid;
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
    Integer exit = null;
    while (exit == null) exit = step();
    return exit;
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
    if (timer.expired(now)) {
      log("watchdog expired: no feed for " + timer.sinceFeedMs(now) + " ms (timeout " + timer.timeoutMs()
          + " ms" + (timer.held() ? ", held for a restart" : "") + "); SIGKILL to process group " + group.pgid());
      killGroup();
      if (!budget.tryRestart(now)) {
        log("restart limit " + config.restartsMax() + " per " + config.restartWindow().toMillis()
            + " ms reached; giving up");
        return EXIT_RESTARTS_EXHAUSTED;
      }
      restarts++;
      log("restarting child in " + config.restartDelay().toMillis() + " ms (restart " + restarts + ", at most "
          + config.restartsMax() + " per " + config.restartWindow().toMillis() + " ms)");
      if (!pause(config.restartDelay().toMillis())) {
        return 0;
      }
      try {
        startChild(false);
      } catch (IOException e) {
        log("cannot restart child: " + e.getMessage());
        return 1;
      }
      return null;
    }
    Process leader = group.leader();
    if (!leader.isAlive() && timer.held() && !announcedDeath) {
      return restartHeld(leader, now);
    }
    if (!leader.isAlive()) {
      if (!timer.armed()) {
        return disarmedExit(leader);
      }
      if (!announcedDeath) {
        announcedDeath = true;
        log("child " + leader.pid() + " exited with code " + leader.exitValue()
            + " while armed; the watchdog will fire");
      }
    }
    return null;
  }

  /** The child ended disarmed (a clean shutdown): the supervisor ends with it, or boots it again for a reboot. */
  private Integer disarmedExit(Process leader) {
    boolean reboot = config.rebootExitCode() >= 0 && leader.exitValue() == config.rebootExitCode();
    log("child " + leader.pid() + " exited with code " + leader.exitValue() + " while disarmed; "
        + (reboot ? "clean reboot: emptying its cgroup and starting it again" : "exiting"));
    killGroup(); // anything it left behind
    if (!reboot) return leader.exitValue();
    if (!pause(config.restartDelay().toMillis())) return 0;
    try {
      startChild(false);
    } catch (IOException e) {
      log("cannot start child after its reboot: " + e.getMessage());
      return 1;
    }
    return null;
  }

  /**
   * The child exited while held for a daemon restart: start the next one at once, without a reset (its resources
   * keep running) and without stopping the countdown, which the new child must end by arming. Counted in the restart
   * budget; with the budget spent the hold is left to run out, as for any dead child.
   */
  private Integer restartHeld(Process leader, long now) {
    if (!budget.tryRestart(now)) {
      log("child " + leader.pid() + " exited while held, but the restart limit " + config.restartsMax() + " per "
          + config.restartWindow().toMillis() + " ms is reached: the watchdog will fire");
      announcedDeath = true;
      return null;
    }
    restarts++;
    log("child " + leader.pid() + " exited with code " + leader.exitValue() + " while held for a restart: "
        + "restarting it now, resources untouched, the watchdog still counting (restart " + restarts + ")");
    dropClients(); // the old child's connections must not speak for the new one
    try {
      startChild(true);
    } catch (IOException e) {
      log("cannot restart child: " + e.getMessage() + "; the watchdog will fire");
      return null;
    }
    return null;
  }

  /** Waits (releasing the monitor); false if a stop was requested meanwhile. */
  private boolean pause(long ms) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    while (!stopRequested) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return true;
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** held: the successor of a child that exited held for a restart; the countdown keeps running for it. */
  private void startChild(boolean held) throws IOException {
    if (!held) timer.reset();
    announcedDeath = false;
    List<String> argv = new ArrayList<>();
    if (cgroup != null) {
      // The child enters its cgroup before it runs anything, then execs the command (same pid): nothing it
      // starts is ever outside. It refuses to run at all if it cannot enter.
      argv.addAll(List.of("/bin/sh", "-c", "echo $$ > \"$1\" || exit " + EXIT_NO_CGROUP + "; shift; exec \"$@\"",
          "palisade-cgroup-enter", cgroup.dir().resolve("cgroup.procs").toString()));
    }
    argv.addAll(config.command());
    group = ProcessGroup.start(argv);
    log("started child " + group.leader().pid() + " as process group " + group.pgid()
        + (cgroup != null ? " in cgroup " + cgroup : "") + ": " + brief(config.command()));
  }

  /** The command as a log line: a class path (kilobytes of jar names) shortened to its entry count. */
  static String brief(List<String> command) {
    List<String> out = new java.util.ArrayList<>(command);
    for (int i = 0; i + 1 < out.size(); i++) {
      if (out.get(i).equals("-cp") || out.get(i).equals("-classpath") || out.get(i).equals("--class-path")) {
        out.set(i + 1, "<" + out.get(i + 1).split(java.io.File.pathSeparator, -1).length + " class path entries>");
      }
    }
    return String.join(" ", out);
  }

  /**
   * SIGKILL to the cgroup (everything the child started, wherever it went) and to the group, plus any member found
   * by scanning; then waits until all are dead.
   */
  private void killGroup() {
    timer.reset();
    dropClients(); // the old generation's connections must not feed the next one
    List<ProcessHandle> members = group.members();
    if (cgroup != null) {
      try {
        log("cgroup " + cgroup + " killed (" + cgroup.kill() + " processes)");
      } catch (IOException e) {
        log("cgroup kill failed: " + e.getMessage());
      }
    }
    group.signal(LibC.SIGKILL);
    members.forEach(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!group.members().isEmpty() && System.nanoTime() < deadline) {
      ProcessGroup.sleepQuietly(10);
    }
    log("process group " + group.pgid() + " killed (" + members.size() + " processes)");
  }

  /**
   * Graceful stop on SIGTERM: TERM to the group, KILL whatever is left after the grace period. With
   * --term-child-first the child alone is told first and may take the grace period; the loop's lock is released
   * while it does, so it can still disarm or hold through the socket.
   */
  private void stopGroup() {
    long deadline = System.nanoTime() + config.stopGrace().toNanos();
    Process leader = group.leader();
    if (config.termChildFirst() && leader.isAlive()) {
      log("stopping: SIGTERM to child " + leader.pid() + " alone; it has " + config.stopGrace().toMillis() + " ms");
      LibC.INSTANCE.kill((int) leader.pid(), LibC.SIGTERM);
      while (leader.isAlive() && System.nanoTime() < deadline) waitQuietly(10);
    }
    log("stopping: SIGTERM to process group " + group.pgid());
    group.signal(LibC.SIGTERM);
    while (!group.members().isEmpty() && System.nanoTime() < deadline) waitQuietly(10);
    killGroup();
    log("stopped");
  }

  /**
   * Waits on this supervisor's monitor (callers hold it), letting socket threads in meanwhile. An interrupt is
   * dropped: the stop it would ask for is already under way, bounded by its grace period.
   */
  private void waitQuietly(long ms) {
    try {
      wait(ms);
    } catch (InterruptedException e) {
      // see above
    }
  }

  // ---- socket side: one thread per client connection ----

  private void listen() throws IOException {
    Path socket = config.socket().toAbsolutePath();
    Path parent = socket.getParent();
    if (!Files.isDirectory(parent)) {
      Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
          "rwx------")));
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(parent);
    if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IOException("socket directory " + parent + " is writable by group or others ("
          + PosixFilePermissions.toString(perms) + "): another user could replace the socket; use a 0700 directory");
    }
    Files.deleteIfExists(socket);
    server = UnixServer.bind(socket);
    // Only our user may even connect (connect(2) needs write permission); the peer check below does the rest.
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    Thread acceptor = new Thread(this::acceptLoop, "watchdog-supervisor-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log("listening on " + socket + " (only the child's pid may connect)");
  }

  private void acceptLoop() {
    while (true) {
      UnixServer.Connection client;
      try {
        client = server.accept(ACCEPT_POLL_MS);
      } catch (IOException e) {
        return; // server closed
      }
      if (client == null) {
        continue;
      }
      synchronized (this) {
        long child = group == null ? -1 : group.leader().pid();
        int peer = client.peer().pid();
        if (peer != child && peer != testPeer) {
          log("refused connection from " + client.peer() + ": only the child (pid " + child + ") may feed");
          client.close();
          continue;
        }
        clients.add(client);
      }
      Thread t = new Thread(() -> serve(client), "watchdog-supervisor-client");
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(UnixServer.Connection client) {
    try (client) {
      String line;
      while ((line = client.readLine()) != null) {
        client.writeLine(handle(client, line.trim()));
      }
    } catch (IOException e) {
      // client went away or was dropped; an armed watchdog stays armed
    } finally {
      synchronized (this) {
        clients.remove(client);
      }
    }
  }

  synchronized String handle(UnixServer.Connection client, String line) {
    if (!clients.contains(client)) {
      return "ERR stale connection";
    }
    String[] words = line.split(" ");
    if (words[0].equals("CGROUP")) {
      return "CGROUP " + (cgroup == null ? "-" : cgroup.path(cgroupRoot));
    }
    if (words[0].equals("HOLD") && cgroup == null) {
      // A held child's resources stay in its process group, which the next child's reset would not reach.
      return "ERR no cgroup (--process-group-only): a reset after a held restart could not reach the old group";
    }
    return timer.command(words, System.nanoTime());
  }

  private void dropClients() {
    clients.forEach(UnixServer.Connection::shutdown); // each serving thread then closes its own descriptor
    clients.clear();
  }

  private void closeServer() {
    if (server == null) {
      return; // never listened
    }
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
