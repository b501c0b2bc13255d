package palisade.runtime.watchdog;

import com.sun.jna.LastErrorException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child command running as the leader of its own process group (and session), started through
 * util-linux {@code setsid}. Everything the child starts inherits the group, so signalling the
 * group reaches the agent and every resource process, and never the supervisor or its parent,
 * which stay in their own group.
 */
final class ProcessGroup {
  static final long LEADER_WAIT_MS = 5_000;
  private final Process leader;
  private final int pgid;

  private ProcessGroup(Process leader, int pgid) {
    this.leader = leader;
    this.pgid = pgid;
  }

  /**
   * Starts {@code setsid command...}. A JVM child is not a group leader, so setsid does not fork:
   * the process we get is the command itself, and its pid becomes the group id.
   */
  static ProcessGroup start(List<String> command) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add("setsid");
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    // The feeding channel is no capability to hand down: not in any child's environment.
    builder.environment().remove(WatchdogSupervisor.SOCKET_ENV);
    Process process = builder.start();
    int pid = Math.toIntExact(process.pid());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEADER_WAIT_MS);
    // setsid(2) happens just after exec; wait until the child leads its group.
    while (pgidOf(pid) != pid) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IOException("child " + pid + " did not become a process group leader: " + command);
      }
      sleepQuietly(5);
    }
    return new ProcessGroup(process, pid);
  }

  Process leader() {
    return leader;
  }

  int pgid() {
    return pgid;
  }

  /** Signals the whole group. Returns false if the group no longer exists. */
  boolean signal(int signal) {
    // Never signal our own group: that would take the supervisor and its parent (a test JVM) along.
    int own = pgidOf(Math.toIntExact(ProcessHandle.current().pid()));
    if (pgid <= 1 || pgid == own) {
      throw new IllegalStateException("refusing to signal process group " + pgid + " (own group " + own + ")");
    }
    try {
      LibC.INSTANCE.kill(-pgid, signal);
      return true;
    } catch (LastErrorException e) {
      if (e.getErrorCode() == LibC.ESRCH) {
        return false;
      }
      throw new IllegalStateException("kill(-" + pgid + ", " + signal + ") failed: errno " + e.getErrorCode(), e);
    }
  }

  /** Members of the group still running (zombies count as dead), found through /proc. */
  List<ProcessHandle> members() {
    List<ProcessHandle> members = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> {
      if (pgidOf(Math.toIntExact(p.pid())) == pgid && runnable(p.pid())) {
        members.add(p);
      }
    });
    return members;
  }

  /** The process group of a pid from /proc/PID/stat, or -1 if it is gone. */
  static int pgidOf(int pid) {
    String stat = stat(pid);
    if (stat == null) {
      return -1;
    }
    // Fields after "comm" (which may hold spaces): state ppid pgrp ...
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(fields[2]);
  }

  /** Alive and not a zombie. */
  static boolean runnable(long pid) {
    String stat = stat(pid);
    if (stat == null) {
      return false;
    }
    char state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state != 'Z' && state != 'X';
  }

  private static String stat(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/stat"));
    } catch (IOException e) {
      return null;
    }
  }

  static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
