package palisade.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;
import palisade.runtime.store.EmbeddedPeer;

/**
 * The benchmark's store: embedded ZooKeeper peers on loopback addresses of their own, each in a child JVM (so that
 * the agents' heap and threads are measured without them), authenticated as a real cluster's are: mutual TLS with
 * node credentials of a cluster CA generated into a private directory. Stopped by PID.
 */
final class BenchPeers implements AutoCloseable {
  static final int CLIENT_PORT = 2181;
  private final List<Process> processes = new ArrayList<>();
  private final List<EmbeddedPeer.Member> members = new ArrayList<>();
  private final Path creds;
  private Thread hook;

  /** A peer's heap: it holds the whole store, /config and /manager/state included. */
  private static final String PEER_HEAP = "-Xmx512m";

  private BenchPeers(Path creds) {
    this.creds = creds;
  }

  /**
   * Starts {@code count} peers in {@code dir} (0700) with the cluster CA in {@code creds}; returns once each answers
   * as leader or follower over TLS.
   */
  static BenchPeers start(Path dir, Path creds, int count, String subnet, long timeoutMs) throws Exception {
    BenchPeers p = new BenchPeers(creds);
    try {
      for (int i = 1; i <= count; i++) {
        p.members.add(new EmbeddedPeer.Member(i, subnet + "." + i, CLIENT_PORT, 2888, 3888));
      }
      for (EmbeddedPeer.Member m : p.members) {
        Path cred = Credentials.issueNode(creds, "peer" + m.id(), 1);
        Path pdir = EmbeddedPeer.privateDir(dir.resolve("peer" + m.id()));
        List<String> argv = new ArrayList<>(List.of(javaBin(), PEER_HEAP, "-cp", System.getProperty("java.class.path"),
            BenchPeers.class.getName(), pdir.toString(), Integer.toString(m.id()), cred.toString(), p.spec(),
            Long.toString(ProcessHandle.current().pid())));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
            .redirectOutput(pdir.resolve("peer.log").toFile());
        p.processes.add(pb.start());
      }
      // Interrupted (Ctrl-C, SIGTERM): the peers stop with the bench, not later.
      p.hook = new Thread(p::close, "bench-peers-stop");
      Runtime.getRuntime().addShutdownHook(p.hook);
      p.awaitQuorum(Credential.load(Credentials.nodeDir(creds, "peer1")), timeoutMs);
      return p;
    } catch (Exception e) {
      p.close();
      throw e;
    }
  }

  /** The client connect string: every peer. */
  String connectString() {
    return String.join(",", members.stream().map(m -> m.host() + ":" + m.clientPort()).toList());
  }

  /** The PIDs of the peer processes. */
  List<Long> pids() {
    return processes.stream().map(Process::pid).toList();
  }

  private String spec() {
    return String.join(",", members.stream().map(m -> m.id() + "@" + m.host()).toList());
  }

  private void awaitQuorum(Credential cred, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (true) {
      int ready = 0;
      for (EmbeddedPeer.Member m : members) {
        String mode = EmbeddedPeer.mode(m.host(), m.clientPort(), cred);
        if ("leader".equals(mode) || "follower".equals(mode) || "standalone".equals(mode)) ready++;
      }
      if (ready == members.size()) return;
      for (Process pr : processes) {
        if (!pr.isAlive()) throw new IOException("store peer (pid " + pr.pid() + ") exited with " + pr.exitValue());
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the store peers formed no quorum within " + timeoutMs / 1000 + "s");
      }
      Thread.sleep(200);
    }
  }

  private static String javaBin() {
    return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString());
  }

  /** Stops every peer process by its PID (SIGKILL after a grace period) and waits for it. */
  @Override
  public void close() {
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is exiting: the hook runs this too
      }
    }
    for (Process pr : processes) pr.destroy();
    for (Process pr : processes) {
      try {
        if (!pr.waitFor(5, TimeUnit.SECONDS)) {
          pr.destroyForcibly();
          pr.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        pr.destroyForcibly();
      }
    }
  }

  /**
   * Child process: {@code DIR ID CREDENTIAL_DIR ID@HOST,... BENCH_PID}; runs one peer until killed, or until the bench
   * process is gone (killed by the kernel's OOM killer or SIGKILL, it cannot stop its peers itself).
   */
  public static void main(String[] args) throws Exception {
    java.util.Optional<ProcessHandle> bench = ProcessHandle.of(Long.parseLong(args[4]));
    if (bench.isEmpty()) return;
    bench.get().onExit().thenRun(() -> Runtime.getRuntime().halt(0));
    List<EmbeddedPeer.Member> ms = new ArrayList<>();
    for (String s : args[3].split(",")) {
      String[] f = s.split("@");
      ms.add(new EmbeddedPeer.Member(Integer.parseInt(f[0]), f[1], CLIENT_PORT, 2888, 3888));
    }
    EmbeddedPeer peer = EmbeddedPeer.start(Path.of(args[0]), Integer.parseInt(args[1]), ms,
        Credential.load(Path.of(args[2])), code -> Runtime.getRuntime().halt(code), false, 0); // agents: one address
    // The bench reads ZooKeeper's own figures (mntr) from its peers; a cluster's peers answer srvr, ruok, stat only.
    System.setProperty("zookeeper.4lw.commands.whitelist", "srvr,ruok,stat,mntr");
    org.apache.zookeeper.server.command.FourLetterCommands.resetWhiteList();
    Runtime.getRuntime().addShutdownHook(new Thread(peer::close));
    System.out.println("peer " + args[1] + " started");
    Thread.sleep(Long.MAX_VALUE);
  }
}
