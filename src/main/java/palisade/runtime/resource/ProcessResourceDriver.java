package palisade.runtime.resource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each resource as a child process, {@code /bin/sh -c <options.command>}. Children stay in
 * the agent's process group and cgroup on purpose: when the watchdog supervisor kills them (a node
 * "reset"), every resource dies with the agent.
 *
 * <p>A resource runs as an unprivileged user: option {@code user}, {@value #DEFAULT_USER} by
 * default, switched to with util-linux {@code setpriv} (real and effective uid and gid, no
 * supplementary groups, no new privileges through setuid programs); {@code user: root} runs it as
 * the daemon's own user and must be asked for. So a resource can reach neither the daemon's files
 * (0700) nor the watchdog supervisor's socket (0600, and the supervisor accepts only the daemon's
 * pid). Its working directory is {@code options.directory}, else {@code /} for a switched user.
 *
 * <p>The command sees {@code PALISADE_RESOURCE}, {@code PALISADE_NODE} and {@code PALISADE_TOKEN},
 * and never {@code PALISADE_WATCHDOG_SOCKET}. Its stdout and stderr are appended to
 * {@code <logDir>/<id>.log}, opened by the daemon, so the user needs no write access there. No
 * descriptor of the daemon leaks to it: the JDK's process launcher closes every descriptor above 2
 * in the child before exec (checked by a test).
 */
public final class ProcessResourceDriver implements ResourceDriver {
  private static final Logger log = LoggerFactory.getLogger(ProcessResourceDriver.class);
  /** Ids become file names, so keep them tame. */
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  static final long KILL_WAIT_MS = 5_000;
  public static final String DEFAULT_USER = "nobody";
  /** The watchdog socket's old environment variable: stripped, whatever the daemon's environment holds. */
  static final String WATCHDOG_SOCKET_ENV = "PALISADE_WATCHDOG_SOCKET";
  private static final Path PASSWD = Path.of("/etc/passwd");

  /** A user from /etc/passwd. */
  record Account(String name, int uid, int gid, String home) {}

  private final Path logDir;
  private final Map<String, Process> processes = new TreeMap<>();

  public ProcessResourceDriver(Path logDir) throws IOException {
    this.logDir = Files.createDirectories(logDir);
    // Logs are the daemon's: resources (another user) write theirs through the descriptor the daemon opens.
    Files.setPosixFilePermissions(logDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
  }

  /** Where the output of resource {@code id} goes. */
  public Path logFile(String id) {
    return logDir.resolve(id + ".log");
  }

  @Override
  public void start(ResourceSpec spec, long token, String node) throws ResourceException {
    String id = spec.id();
    if (!SAFE_ID.matcher(id).matches()) {
      throw new ResourceException("resource " + id + ": id must match " + SAFE_ID.pattern());
    }
    String command = spec.required("command");
    synchronized (this) {
      Process existing = processes.get(id);
      if (existing != null && existing.isAlive()) {
        log.info("resource {}: already running as pid {}, start is a no-op", id, existing.pid());
        return;
      }
      String user = spec.option("user").orElse(DEFAULT_USER);
      List<String> argv = new ArrayList<>();
      Account account = null;
      if (!user.equals("root")) {
        account = account(id, user);
        int self = currentUid();
        if (self == 0) {
          argv.addAll(List.of("setpriv", "--reuid=" + account.uid(), "--regid=" + account.gid(), "--clear-groups",
              "--no-new-privs", "--"));
        } else if (self != account.uid()) {
          throw new ResourceException("resource " + id + ": option user: cannot run as '" + user + "' because the "
              + "daemon runs as uid " + self + ", not root");
        }
      }
      argv.addAll(List.of("/bin/sh", "-c", command));
      ProcessBuilder builder = new ProcessBuilder(argv)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(id).toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Optional<String> directory = spec.option("directory");
      if (directory.isPresent()) {
        builder.directory(new File(directory.get()));
      } else if (account != null) {
        builder.directory(new File("/")); // not the daemon's directory, which that user may not enter
      }
      Map<String, String> env = builder.environment();
      env.remove(WATCHDOG_SOCKET_ENV);
      if (account != null) {
        env.put("USER", account.name());
        env.put("LOGNAME", account.name());
        env.put("HOME", account.home());
      }
      env.put("PALISADE_RESOURCE", id);
      env.put("PALISADE_NODE", node);
      env.put("PALISADE_TOKEN", Long.toString(token));
      try {
        Process process = builder.start();
        processes.put(id, process);
        log.info("resource {}: started pid {} on {} with token {} as user {}", id, process.pid(), node, token, user);
      } catch (IOException e) {
        throw new ResourceException("resource " + id + ": cannot start: " + e.getMessage(), e);
      }
    }
  }

  /** The user from /etc/passwd: a name, not a number, so that the configuration says who it is. */
  static Account account(String id, String user) throws ResourceException {
    List<String> lines;
    try {
      lines = Files.readAllLines(PASSWD);
    } catch (IOException e) {
      throw new ResourceException("resource " + id + ": option user: cannot read " + PASSWD + ": " + e.getMessage());
    }
    for (String line : lines) {
      String[] f = line.split(":", -1);
      if (f.length >= 6 && f[0].equals(user)) {
        try {
          return new Account(user, Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5].isEmpty() ? "/" : f[5]);
        } catch (NumberFormatException e) {
          break;
        }
      }
    }
    throw new ResourceException("resource " + id + ": option user: no user '" + user + "' in " + PASSWD);
  }

  /** The daemon's effective uid: the owner of /proc/self. */
  static int currentUid() throws ResourceException {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      throw new ResourceException("cannot tell the daemon's uid from /proc/self: " + e.getMessage());
    }
  }

  @Override
  public void stop(String id, Duration timeout) throws ResourceException {
    Process process;
    synchronized (this) {
      process = processes.get(id);
    }
    if (process == null || !process.isAlive()) {
      forget(id, process);
      return;
    }
    // Snapshot descendants before the parent dies: afterwards they are reparented and lost.
    List<ProcessHandle> tree = tree(process);
    log.info("resource {}: SIGTERM to pid {} and {} descendants", id, process.pid(), tree.size() - 1);
    tree.forEach(ProcessHandle::destroy);
    if (!waitFor(process, timeout.toMillis())) {
      List<ProcessHandle> now = tree(process);
      now.addAll(tree);
      log.warn("resource {}: still running after {}, SIGKILL", id, timeout);
      now.forEach(ProcessHandle::destroyForcibly);
      if (!waitFor(process, KILL_WAIT_MS)) {
        throw new ResourceException("resource " + id + ": pid " + process.pid() + " survived SIGKILL");
      }
    } else {
      // The parent went on TERM; make sure nothing it left behind lingers.
      tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
    forget(id, process);
    log.info("resource {}: stopped (exit {})", id, process.exitValue());
  }

  @Override
  public synchronized boolean isRunning(String id) {
    Process process = processes.get(id);
    return process != null && process.isAlive();
  }

  @Override
  public synchronized SortedSet<String> running() {
    SortedSet<String> ids = new TreeSet<>();
    processes.forEach((id, p) -> {
      if (p.isAlive()) {
        ids.add(id);
      }
    });
    return ids;
  }

  @Override
  public void killAll() {
    List<ProcessHandle> all = new ArrayList<>();
    List<Process> parents;
    synchronized (this) {
      parents = List.copyOf(processes.values());
      processes.clear();
    }
    parents.forEach(p -> all.addAll(tree(p)));
    all.forEach(ProcessHandle::destroyForcibly); // all signals first, then wait
    log.warn("killAll: SIGKILL sent to {} processes", all.size());
    for (Process p : parents) {
      waitFor(p, KILL_WAIT_MS);
    }
  }

  /** The process itself first, then its descendants. */
  private static List<ProcessHandle> tree(Process process) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(process.toHandle());
    process.descendants().forEach(tree::add);
    return tree;
  }

  private synchronized void forget(String id, Process process) {
    if (process != null && processes.get(id) == process) {
      processes.remove(id);
    }
  }

  private static boolean waitFor(Process process, long timeoutMs) {
    try {
      return process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }
}
