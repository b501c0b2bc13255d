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
import java.util.SortedMap;
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
 * {@code PALISADE_DISKS} (its disks, comma-separated, empty for none) and, when the node configures shared storage,
 * {@code PALISADE_STORAGE} (the directory: write through {@code palisade storage write} or
 * {@link palisade.storage.SharedDirStorage} under the token); never {@code PALISADE_WATCHDOG_SOCKET}. Its stdout and stderr are appended to
 * {@code <logDir>/<id>.log}, opened by the daemon, so the user needs no write access there. No
 * descriptor of the daemon leaks to it: the JDK's process launcher closes every descriptor above 2
 * in the child before exec (checked by a test).
 *
 * <p>A daemon restart (an upgrade, under the watchdog's restart hold) leaves the processes running. Every start and
 * stop is recorded in {@code <logDir>/processes.state} ({@link ProcessStateFile}); a new driver adopts each recorded
 * process whose pid is alive and started at the recorded instant, with its token, and watches it like its own.
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

  /** One resource's process: started here (process set) or adopted from an earlier daemon (process null). */
  private record Child(ProcessHandle handle, Process process, long token, long startMs) {
    /**
     * Whether it runs: a child's Process knows without a system call (the JDK's reaper tells it); a handle asks
     * /proc each time, and the agent asks about every resource several times a tick.
     */
    boolean alive() {
      return process != null ? process.isAlive() : handle.isAlive();
    }
  }

  private final Path logDir;
  private final Path storageDir;
  private final Map<String, Child> processes = new TreeMap<>();
  private final ProcessStateFile state;

  public ProcessResourceDriver(Path logDir) throws IOException {
    this(logDir, null);
  }

  /** @param storageDir the shared storage directory resources get as PALISADE_STORAGE, or null */
  public ProcessResourceDriver(Path logDir, Path storageDir) throws IOException {
    this.storageDir = storageDir;
    this.logDir = Files.createDirectories(logDir);
    // Logs are the daemon's: resources (another user) write theirs through the descriptor the daemon opens.
    Files.setPosixFilePermissions(logDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    this.state = new ProcessStateFile(logDir.resolve("processes.state"));
    adopt();
  }

  /**
   * Takes over the processes an earlier daemon started that still run: same pid, same start time (a pid reused by
   * another process started later). Whatever else the table names is gone and forgotten.
   */
  private synchronized void adopt() throws IOException {
    for (var e : state.load(log::warn).entrySet()) {
      ProcessStateFile.Entry rec = e.getValue();
      Optional<ProcessHandle> h = ProcessHandle.of(rec.pid()).filter(ProcessHandle::isAlive);
      if (h.isPresent() && ProcessStateFile.startMs(h.get()).equals(Optional.of(rec.startMs()))) {
        processes.put(e.getKey(), new Child(h.get(), null, rec.token(), rec.startMs()));
        log.info("resource {}: adopted pid {} (token {}) from an earlier daemon", e.getKey(), rec.pid(), rec.token());
      } else {
        log.info("resource {}: pid {} of an earlier daemon is gone", e.getKey(), rec.pid());
      }
    }
    record();
  }

  /** Writes the table of what runs now; called under the lock after every change. */
  private void record() throws IOException {
    Map<String, ProcessStateFile.Entry> table = new TreeMap<>();
    processes.forEach((id, c) -> table.put(id, new ProcessStateFile.Entry(c.handle().pid(), c.startMs(),
        c.token())));
    state.save(table);
  }

  private void recordQuietly() {
    try {
      record();
    } catch (IOException e) {
      unrecorded(e);
    }
  }

  private void unrecorded(IOException e) {
    log.warn("cannot write {}: {} (a daemon restart would not adopt what runs)", state.path(), e.getMessage());
  }

  /** What this driver adopted from an earlier daemon and still runs: "pid N, token T" by id. */
  public synchronized SortedMap<String, String> adopted() {
    SortedMap<String, String> out = new TreeMap<>();
    processes.forEach((id, c) -> {
      if (c.process() == null && c.alive()) out.put(id, "pid " + c.handle().pid() + ", token " + c.token());
    });
    return out;
  }

  /** The token the running process of id was started with, or -1 when it does not run here. */
  public synchronized long token(String id) {
    Child c = processes.get(id);
    return c != null && c.alive() ? c.token() : -1;
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
      Child existing = processes.get(id);
      if (existing != null && existing.alive()) {
        log.info("resource {}: already running as pid {}, start is a no-op", id, existing.handle().pid());
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
      env.put("PALISADE_DISKS", String.join(",", spec.disks()));
      if (storageDir != null) env.put("PALISADE_STORAGE", storageDir.toString());
      else env.remove("PALISADE_STORAGE");
      try {
        Process process = builder.start();
        long startMs = ProcessStateFile.startMs(process.toHandle()).orElse(-1L);
        processes.put(id, new Child(process.toHandle(), process, token, startMs));
        log.info("resource {}: started pid {} on {} with token {} as user {}", id, process.pid(), node, token, user);
      } catch (IOException e) {
        throw new ResourceException("resource " + id + ": cannot start: " + e.getMessage(), e);
      }
      try {
        Child c = processes.get(id);
        if (state.append(id, new ProcessStateFile.Entry(c.handle().pid(), c.startMs(), c.token()), processes.size())) {
          record();
        }
      } catch (IOException e) {
        // Unrecorded, a daemon restart would not adopt it and might start it twice on this node: not run at all.
        Child c = processes.remove(id);
        tree(c).forEach(ProcessHandle::destroyForcibly);
        throw new ResourceException("resource " + id + ": cannot record it in " + state.path() + ": "
            + e.getMessage() + "; killed");
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
    Child process;
    synchronized (this) {
      process = processes.get(id);
    }
    if (process == null || !process.alive()) {
      forget(id, process);
      return;
    }
    // Snapshot descendants before the parent dies: afterwards they are reparented and lost.
    List<ProcessHandle> tree = tree(process);
    log.info("resource {}: SIGTERM to pid {} and {} descendants", id, process.handle().pid(), tree.size() - 1);
    tree.forEach(ProcessHandle::destroy);
    if (!waitFor(process, timeout.toMillis())) {
      List<ProcessHandle> now = tree(process);
      now.addAll(tree);
      log.warn("resource {}: still running after {}, SIGKILL", id, timeout);
      now.forEach(ProcessHandle::destroyForcibly);
      if (!waitFor(process, KILL_WAIT_MS)) {
        throw new ResourceException("resource " + id + ": pid " + process.handle().pid() + " survived SIGKILL");
      }
    } else {
      // The parent went on TERM; make sure nothing it left behind lingers.
      tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
    forget(id, process);
    log.info("resource {}: stopped (exit {})", id, process.process() == null ? "unknown, adopted"
        : process.process().exitValue());
  }

  @Override
  public synchronized boolean isRunning(String id) {
    Child process = processes.get(id);
    return process != null && process.alive();
  }

  @Override
  public synchronized SortedSet<String> running() {
    SortedSet<String> ids = new TreeSet<>();
    processes.forEach((id, p) -> {
      if (p.alive()) {
        ids.add(id);
      }
    });
    return ids;
  }

  /**
   * The CPU time and resident memory of each running resource: its process and every descendant, read from /proc
   * (a daemonised child that left the tree is not counted: the watchdog's cgroup still holds it, the figure not).
   */
  @Override
  public SortedMap<String, ResourceSample> samples() {
    TreeMap<String, Child> now;
    synchronized (this) {
      now = new TreeMap<>(processes);
    }
    SortedMap<String, ResourceSample> out = new TreeMap<>();
    ProcTable table = ProcTable.read(); // one pass over /proc for every resource
    now.forEach((id, c) -> {
      List<Long> tree = table.tree(c.handle().pid());
      if (tree.isEmpty() || !c.alive()) return; // exited (a zombie has a /proc entry still)
      long ticks = 0;
      long rss = 0;
      for (long pid : tree) {
        ticks += table.cpuTicks(pid);
        rss += ProcStat.rssBytes(pid);
      }
      out.put(id, new ResourceSample(ticks * (1_000_000_000L / ProcStat.USER_HZ), rss));
    });
    return out;
  }

  @Override
  public void killAll() {
    List<ProcessHandle> all = new ArrayList<>();
    List<Child> parents;
    synchronized (this) {
      parents = List.copyOf(processes.values());
      processes.clear();
      recordQuietly();
    }
    // One pass over /proc for every tree: a descendants() call per resource scans it each time, and with 1,000
    // resources the last SIGKILL left about 15 s after the first.
    ProcTable table = ProcTable.read();
    parents.forEach(p -> all.addAll(tree(p, table)));
    all.forEach(ProcessHandle::destroyForcibly); // all signals first, then wait
    log.warn("killAll: SIGKILL sent to {} processes", all.size());
    for (Child p : parents) {
      waitFor(p, KILL_WAIT_MS);
    }
  }

  /** The process itself first, then its descendants as table read them. */
  private static List<ProcessHandle> tree(Child process, ProcTable table) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(process.handle());
    for (long pid : table.tree(process.handle().pid())) {
      if (pid != process.handle().pid()) ProcessHandle.of(pid).ifPresent(tree::add);
    }
    return tree;
  }

  /** The process itself first, then its descendants. */
  private static List<ProcessHandle> tree(Child process) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(process.handle());
    process.handle().descendants().forEach(tree::add);
    return tree;
  }

  private synchronized void forget(String id, Child process) {
    if (process != null && processes.get(id) == process) {
      processes.remove(id);
      try {
        if (state.append(id, null, processes.size())) record();
      } catch (IOException e) {
        unrecorded(e);
      }
    }
  }

  /** Waits for the exit: of a child through its Process, of an adopted process through its handle. */
  private static boolean waitFor(Child c, long timeoutMs) {
    try {
      if (c.process() != null) return c.process().waitFor(timeoutMs, TimeUnit.MILLISECONDS);
      c.handle().onExit().get(timeoutMs, TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return !c.handle().isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !c.handle().isAlive();
    }
  }
}
