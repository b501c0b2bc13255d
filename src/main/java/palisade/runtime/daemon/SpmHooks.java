package palisade.runtime.daemon;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import palisade.core.Check;
import palisade.core.SpmDuty;
import palisade.runtime.watchdog.WatchdogSupervisor;

/**
 * The node's SPM duty on a real host: the role runs {@code spm.start_command} and ends with {@code
 * spm.stop_command} ({@link SpmSection}). Each hook runs as {@code setsid /bin/sh -c COMMAND}, the leader of a
 * process group of its own, with PALISADE_SPM_TOKEN, PALISADE_NODE (and PALISADE_STORAGE when storage is
 * configured). The start command may exit (a one-shot hook) or keep running (an SPM service). Giving the role back
 * runs the stop command, then SIGTERM and, after {@link #KILL_WAIT_MS}, SIGKILL to the start command's group.
 *
 * <p>The agent switches the duty on the event loop and never waits: hooks start and stop on one worker thread, in
 * the order asked; their output goes to the daemon log at info, a hook exiting non-zero is an event. A hook stays
 * in the daemon's cgroup, so the process watchdog's reset kills it with everything else (as a Linux watchdog's
 * machine reset does); {@link #killNow} is for the daemon's own last resort, {@link #close} for its exit. A start hook's pid is
 * kept in {@code <data_dir>/spm-hook.pid} while it may run: a daemon that died without ending it (SIGKILL) has
 * its next incarnation kill that group first, since the restarted agent never acts under the old token again.
 */
final class SpmHooks implements SpmDuty {
  /** How long a stop command may run before its group is killed and the start command's group is ended anyway. */
  static final long STOP_TIMEOUT_MS = 30_000;
  /** How long an exiting daemon lets queued hooks finish. */
  static final long EXIT_WAIT_MS = 10_000;
  /** Between SIGTERM and SIGKILL to the start command's group. */
  static final long KILL_WAIT_MS = 5_000;

  private final String node;
  private final SpmSection hooks;
  private final Path storage;
  private final BiConsumer<String, String> event;
  /** Where the start hook's pid and start time are kept while it may run, or null (tests). */
  private final Path pidFile;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "spm-hooks");
    t.setDaemon(true);
    return t;
  });
  /** The token this node acts as SPM under: kept until the stop hook and the start hook's group are over. */
  private volatile long token;
  /** A deactivation is under way on the worker. */
  private volatile boolean ending;
  /** The start command's process (its pid is its group), while it may have left something running. */
  private volatile Process started;
  private volatile Process stopping;
  /** Hooks this duty signalled itself: their exit by that signal is no failure (no event). */
  private final java.util.Set<Long> signalled = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * @param storage the shared storage directory, or null
   * @param event an event for the cluster log, posted from any thread
   */
  SpmHooks(String node, SpmSection hooks, Path storage, BiConsumer<String, String> event) {
    this(node, hooks, storage, event, null);
  }

  SpmHooks(String node, SpmSection hooks, Path storage, BiConsumer<String, String> event, Path pidFile) {
    this.node = node;
    this.hooks = hooks;
    this.storage = storage;
    this.event = event;
    this.pidFile = pidFile;
    killLeftover();
  }

  /** The duty for this daemon: hooks when configured, else one that only remembers its token (as before). */
  static SpmDuty of(DaemonConfig config, BiConsumer<String, String> event) {
    if (config.spm() == null || !config.spm().configured()) return SpmDuty.inMemory();
    return new SpmHooks(config.node(), config.spm(), config.storage() == null ? null : config.storage().path(),
        event, config.dataDir().resolve("spm-hook.pid"));
  }

  @Override
  public long activeToken() {
    return token;
  }

  @Override
  public void activate(long t) {
    Check.that(t > 0, "SPM activation without a token");
    token = t;
    if (hooks.startCommand() != null) worker.execute(() -> start(t));
  }

  @Override
  public void deactivate() {
    long t = token;
    if (t == 0 || ending) return;
    ending = true;
    worker.execute(() -> {
      try {
        stop(t);
      } finally {
        // Only now is the role given back: the agent reports it released, and the manager may name another holder.
        token = 0;
        ending = false;
      }
    });
  }

  @Override
  public boolean stopping() {
    return ending;
  }

  /** SIGKILL to every hook's group at once, on any thread: the daemon is about to halt without its watchdog. */
  void killNow() {
    for (Process p : new Process[] {started, stopping}) {
      if (p != null) end(p, CLib.SIGKILL);
    }
  }

  /**
   * The daemon exits: lets the hooks asked for so far finish (a clean shutdown's stop hook) for at most waitMs, then
   * kills whatever still runs; a restarted agent never acts under the old token again.
   */
  void close(long waitMs) {
    worker.shutdown();
    try {
      worker.awaitTermination(waitMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      killNow();
    }
  }

  private void start(long t) {
    try {
      Process p = launch("start", hooks.startCommand(), t);
      started = p;
      if (pidFile != null) {
        long since = p.toHandle().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
        java.nio.file.Files.writeString(pidFile, p.pid() + " " + since + "\n");
      }
    } catch (IOException e) {
      event.accept(node, "spm start hook could not start: " + e.getMessage());
    }
  }

  private void stop(long t) {
    try {
      if (hooks.stopCommand() != null) {
        Process p = launch("stop", hooks.stopCommand(), t);
        stopping = p;
        if (!p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
          event.accept(node, "spm stop hook still running after " + STOP_TIMEOUT_MS / 1000 + " s: killed");
          end(p, CLib.SIGKILL);
        }
        stopping = null;
      }
      Process s = started;
      if (s != null && groupAlive(s)) {
        end(s, CLib.SIGTERM);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MS);
        while (groupAlive(s) && System.nanoTime() < deadline) Thread.sleep(20);
        if (groupAlive(s)) {
          end(s, CLib.SIGKILL);
          DaemonLog.info("spm start hook: process group " + s.pid() + " killed (still running " + KILL_WAIT_MS
              + " ms after SIGTERM)");
        }
      }
      started = null;
      if (pidFile != null) java.nio.file.Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      event.accept(node, "spm stop hook could not start: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts `setsid /bin/sh -c command` with the SPM environment; a thread copies its output to the log. */
  private Process launch(String which, String command, long t) throws IOException {
    ProcessBuilder b = new ProcessBuilder(List.of("setsid", "/bin/sh", "-c", command)).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    var env = b.environment();
    env.remove(WatchdogSupervisor.SOCKET_ENV); // the feeding channel is no capability to hand down
    env.put("PALISADE_SPM_TOKEN", Long.toString(t));
    env.put("PALISADE_NODE", node);
    if (storage != null) env.put("PALISADE_STORAGE", storage.toString());
    Process p = b.start();
    DaemonLog.info("spm " + which + " hook: started pid " + p.pid() + " with token " + t);
    Thread reader = new Thread(() -> copyOutput(which, p), "spm-" + which + "-hook-output");
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  private void copyOutput(String which, Process p) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        DaemonLog.info("spm " + which + " hook: " + line);
      }
      int code = p.waitFor();
      DaemonLog.info("spm " + which + " hook: pid " + p.pid() + " exited " + code);
      if (code != 0 && !signalled.remove(p.pid())) event.accept(node, "spm " + which + " hook exited " + code);
    } catch (IOException e) {
      DaemonLog.info("spm " + which + " hook: output lost: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether anything of the hook's group still runs (the leader may have exited, leaving children behind). */
  private static boolean groupAlive(Process p) {
    try {
      CLib.INSTANCE.kill(-Math.toIntExact(p.pid()), 0);
      return true;
    } catch (LastErrorException e) {
      return p.isAlive();
    }
  }

  /** SIGKILL to the group of a start hook an earlier daemon left running (same pid, same start time). */
  private void killLeftover() {
    if (pidFile == null || !java.nio.file.Files.exists(pidFile)) return;
    try {
      String[] w = java.nio.file.Files.readString(pidFile).trim().split(" ");
      long pid = Long.parseLong(w[0]);
      long since = Long.parseLong(w[1]);
      var h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
      if (h.isPresent() && h.get().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-2L) == since) {
        try {
          CLib.INSTANCE.kill(-Math.toIntExact(pid), CLib.SIGKILL);
        } catch (LastErrorException e) {
          h.get().destroyForcibly();
        }
        DaemonLog.info("spm start hook: killed process group " + pid + " that an earlier daemon left running");
      }
      java.nio.file.Files.deleteIfExists(pidFile);
    } catch (IOException | RuntimeException e) {
      DaemonLog.info("spm start hook: " + pidFile + " not understood (" + e.getMessage() + "); ignored");
    }
  }

  private void end(Process p, int signal) {
    signalled.add(p.pid());
    signalGroup(p, signal);
  }

  /** The group whose leader the hook is; the hook alone if setsid has not run yet (just after exec). */
  private static void signalGroup(Process p, int signal) {
    int pid = Math.toIntExact(p.pid());
    try {
      CLib.INSTANCE.kill(-pid, signal);
    } catch (LastErrorException e) {
      try {
        CLib.INSTANCE.kill(pid, signal);
      } catch (LastErrorException gone) {
        // nothing left to signal
      }
    }
  }

  /** kill(2): Java signals processes, not process groups. */
  private interface CLib extends Library {
    CLib INSTANCE = Native.load("c", CLib.class);
    int SIGKILL = 9;
    int SIGTERM = 15;

    int kill(int pid, int signal) throws LastErrorException;
  }
}
