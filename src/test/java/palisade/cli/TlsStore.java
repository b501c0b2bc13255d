package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;
import palisade.runtime.store.EmbeddedPeer;

/**
 * A standalone TLS store inside the test JVM for CLI tests: one peer on a loopback address of its own, a cluster CA
 * with node {@code node1}, admin {@code alice} and viewer {@code victor}; {@link #palisade} runs the command line
 * against it as one of them and captures what it prints.
 */
public final class TlsStore implements AutoCloseable {
  public static final String NODE = "node1";
  public static final String ADMIN = "alice";
  public static final String VIEWER = "victor";

  public final Path creds;
  public final String cluster;
  public final String connect;
  final AtomicInteger fatal = new AtomicInteger(-1);
  private final EmbeddedPeer peer;

  /** What a command line returned and printed. */
  record Run(int exit, String out, String err) {}

  /**
   * @param basePort the first of this test class's port range (the pid picks 3 ports in the next 5000), distinct per
   *     class so that classes run one after another never meet a port in TIME_WAIT
   */
  public TlsStore(Path dir, String cluster, String address, int basePort) throws Exception {
    this.cluster = cluster;
    creds = dir.resolve("credentials");
    Credentials.initCa(creds, cluster);
    Credential node = Credential.load(Credentials.issueNode(creds, NODE, 1));
    Credentials.issueOperator(creds, ADMIN, Credential.Role.ADMIN, 1);
    Credentials.issueOperator(creds, VIEWER, Credential.Role.VIEWER, 1);
    int port = basePort + (int) (ProcessHandle.current().pid() % 5_000);
    peer = EmbeddedPeer.start(dir.resolve("zk"), 1, List.of(new EmbeddedPeer.Member(1, address, port, port + 1,
        port + 2)), node, fatal::set);
    connect = address + ":" + port;
  }

  /** `palisade ARGS --store ... --cluster ... --credential OPERATOR`, its exit code, stdout and stderr. */
  Run palisade(String operator, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--store", connect, "--cluster", cluster, "--credential",
        Credentials.operatorDir(creds, operator).toString()));
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = PalisadeCommand.execute(all.toArray(String[]::new));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  /** A connected store client as the admin. */
  public Admin admin() throws Exception {
    return connected(Credentials.operatorDir(creds, ADMIN));
  }

  /** A connected store client as the node (it may write what only daemons write: the manager's state, the history). */
  public Admin node() throws Exception {
    return connected(Credentials.nodeDir(creds, NODE));
  }

  private Admin connected(Path credential) throws Exception {
    Admin a = new Admin(connect, cluster, Credential.load(credential));
    assertThat(a.connect(15_000)).as("connects as %s", credential.getFileName()).isTrue();
    return a;
  }

  @Override
  public void close() {
    peer.close();
  }
}
