package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import palisade.cli.PalisadeCommand;

/** The CLI, in this JVM, as the lab's admin against a lab cluster's store (what an operator types on a node). */
public final class LabCli {
  private LabCli() {}

  /** ARGS followed by the lab's store, cluster name and admin credential. */
  public static String[] asAdmin(LocalCluster cluster, String... args) {
    String[] all = new String[args.length + 6];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(new String[] {"--store", cluster.connectString(), "--cluster", LocalCluster.CLUSTER,
        "--credential", LocalCluster.adminCredentialDir(cluster.dir()).toString()}, 0, all, args.length, 6);
    return all;
  }

  /** Runs the command; its exit code. */
  public static int run(LocalCluster cluster, String... args) {
    return PalisadeCommand.execute(asAdmin(cluster, args));
  }

  /** Runs a command that must succeed; what it printed (also passed on to this JVM's stdout, for the test log). */
  public static String output(LocalCluster cluster, String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = run(cluster, args);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    System.out.print(out);
    assertThat(rc).as("palisade %s", String.join(" ", args)).isZero();
    return out;
  }
}
