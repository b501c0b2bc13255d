package palisade.runtime.resource;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each resource as a child process, {@code /bin/sh -c <options.command>}. Children stay in
 * the agent's process group on purpose: when the watchdog supervisor kills that group (a node
 * "reset"), every resource dies with the agent.
 *
 * <p>The command sees {@code PALISADE_RESOURCE}, {@code PALISADE_NODE} and {@code PALISADE_TOKEN};
 * its stdout and stderr are appended to {@code <logDir>/<id>.log}.
 */
public final class ProcessResourceDriver implements ResourceDriver {
  private static final Logger log = LoggerFactory.getLogger(ProcessResourceDriver.class);
  /** Ids become file names, so keep them tame. */
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  static final long KILL_WAIT_MS = 5_000;

  private final Path logDir;
  private final Map<String, Process> processes = new TreeMap<>();

  public ProcessResourceDriver(Path logDir) throws IOException {
    this.logDir = Files.createDirectories(logDir);
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
      ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(id).toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      spec.option("directory").ifPresent(dir -> builder.directory(new File(dir)));
      Map<String, String> env = builder.environment();
      env.put("PALISADE_RESOURCE", id);
      env.put("PALISADE_NODE", node);
      env.put("PALISADE_TOKEN", Long.toString(token));
      try {
        Process process = builder.start();
        processes.put(id, process);
        log.info("resource {}: started pid {} on {} with token {}", id, process.pid(), node, token);
      } catch (IOException e) {
        throw new ResourceException("resource " + id + ": cannot start: " + e.getMessage(), e);
      }
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
