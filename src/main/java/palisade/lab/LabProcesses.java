package palisade.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starting and signalling the local cluster's processes. Every process is recognised by its command line, which
 * names the cluster dir (passed as -Dpalisade.cluster.dir), before any signal reaches it.
 */
final class LabProcesses {
  private final Path dir;

  LabProcesses(Path dir) {
    this.dir = dir;
  }

  /** Live processes in group pgid that belong to this cluster (their command line names its directory). */
  List<ProcessHandle> groupMembers(long pgid) {
    List<ProcessHandle> out = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(h -> {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (Long.parseLong(f[2]) == pgid && commandLine(h.pid()).contains(dir.toString())) out.add(h);
      } catch (IOException | RuntimeException e) {
        // gone meanwhile
      }
    });
    return out;
  }

  /** A safety check before any signal: the PID still belongs to a process we started for this cluster. */
  boolean commandMentions(ProcessHandle h, String text) {
    String cmd = commandLine(h.pid());
    return cmd.contains(text) && cmd.contains(dir.toString());
  }

  /** The full command line from /proc (ProcessHandle.Info may leave the arguments out). */
  static String commandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }

  /** Signals a process group, only if it still has members that belong to this cluster. */
  void signalGroup(long pgid, String signal) throws IOException {
    List<ProcessHandle> members = groupMembers(pgid);
    if (members.isEmpty()) return;
    run(List.of("kill", "-" + signal, "--", "-" + pgid));
  }

  static void run(List<String> argv) throws IOException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    try {
      p.getInputStream().readAllBytes();
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGSTOP (true) or SIGCONT (false) to one process. */
  static void stopOrContinue(long pid, boolean stop) throws IOException {
    run(List.of("kill", stop ? "-STOP" : "-CONT", Long.toString(pid)));
  }

  static void awaitExit(ProcessHandle h) {
    try {
      h.onExit().get(LocalCluster.PROCESS_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // reported by the caller's next check
    }
  }

  Process launch(List<String> mainAndArgs, String heap, Path log) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.addAll(javaCommand(heap));
    argv.addAll(mainAndArgs);
    return launchArgv(argv, log);
  }

  /** Starts argv in a session of its own (setsid), output appended to log. */
  Process launchArgv(List<String> command, Path log) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add("setsid");
    argv.addAll(command);
    ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    b.environment().remove("PALISADE_WATCHDOG_SOCKET");
    return b.start();
  }

  List<String> javaCommand(String heap) {
    return javaCommand(heap, List.of("-cp", classPath()), true);
  }

  /**
   * As above with classPath as the class path's arguments (or an argument file, {@code @FILE}, the JVM reads at
   * start). quick: the serial collector and the quick JIT alone (a lab of many JVMs on a small machine); otherwise
   * the JVM's own defaults, as the launcher runs a daemon in production (the large-lab benchmark measures those).
   */
  List<String> javaCommand(String heap, List<String> classPath, boolean quick) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> argv = new ArrayList<>(List.of(java, "-Xmx" + heap));
    if (quick) argv.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    argv.addAll(List.of("-Xss512k", "-Dpalisade.cluster.dir=" + dir));
    argv.addAll(classPath);
    return argv;
  }

  /** Our class path; under Maven Surefire the real test class path (java.class.path may be a manifest jar). */
  static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
