package palisade.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade credentials init-ca|node|operator|revoke|show`: the store's certificate authorities and the credentials
 * they sign (docs/SECURITY.md). Files are 0600 in 0700 directories; nothing secret is printed.
 */
@Command(name = "credentials", description = "Make the store's certificate authorities and credentials",
    subcommands = {CredentialsCommand.InitCa.class, CredentialsCommand.Node.class, CredentialsCommand.Operator.class,
        CredentialsCommand.Revoke.class, CredentialsCommand.Show.class})
final class CredentialsCommand {
  private CredentialsCommand() {}

  static final String DIR_HELP = "credentials directory (default: ${DEFAULT-VALUE})";

  @Command(name = "init-ca", description = "Create the cluster's two authorities (members, operators) in DIR/ca")
  static final class InitCa implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "/etc/palisade/credentials", description = DIR_HELP)
    Path dir;

    @Option(names = "--cluster", defaultValue = "local", description = "cluster name (default: ${DEFAULT-VALUE})")
    String cluster;

    @Override
    public Integer call() throws Exception {
      Credentials.initCa(dir, cluster);
      System.out.println("certificate authorities of cluster " + cluster + " in " + Credentials.caDir(dir)
          + " (keep the .key files offline once every credential is made)");
      return 0;
    }
  }

  @Command(name = "node", description = "A node's credential (role member) in DIR/nodes/NAME; copy it to the node "
      + "and name it in its YAML as store.credential")
  static final class Node implements Callable<Integer> {
    @Parameters(index = "0", description = "node name, as in the daemon YAML")
    String name;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "/etc/palisade/credentials", description = DIR_HELP)
    Path dir;

    @Option(names = "--days", defaultValue = "" + Credentials.NODE_DAYS_DEFAULT,
        description = "validity in days (default: ${DEFAULT-VALUE})")
    int days;

    @Option(names = "--address", paramLabel = "ADDRESS", description = "an IP address or DNS name the node's web "
        + "server is reached at (repeatable; HTTPS clients check it): its http.address or nodes[].address")
    List<String> addresses = List.of();

    @Override
    public Integer call() throws Exception {
      print(Credentials.issueNode(dir, name, days, addresses));
      return 0;
    }
  }

  @Command(name = "operator", description = "A person's credential with a role in DIR/operators/NAME; give it to "
      + "that person only (palisade ... --credential DIR)")
  static final class Operator implements Callable<Integer> {
    @Parameters(index = "0", description = "the person's name")
    String name;

    @Option(names = "--role", required = true, description = "admin (every change) or viewer (reads only)")
    String role;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "/etc/palisade/credentials", description = DIR_HELP)
    Path dir;

    @Option(names = "--days", defaultValue = "" + Credentials.OPERATOR_DAYS_DEFAULT,
        description = "validity in days (default: ${DEFAULT-VALUE})")
    int days;

    @Override
    public Integer call() throws Exception {
      Credential.Role r = Credential.Role.parse(role, "--role");
      if (r == Credential.Role.MEMBER) throw new CliError("--role: must be admin or viewer");
      print(Credentials.issueOperator(dir, name, r, days));
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revoke a credential: its serial goes to DIR/ca/revoked and to every node "
      + "credential under DIR (copy their revoked file to the nodes)")
  static final class Revoke implements Callable<Integer> {
    @Parameters(index = "0", description = "the credential directory to revoke")
    Path credential;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "/etc/palisade/credentials", description = DIR_HELP)
    Path dir;

    @Override
    public Integer call() throws Exception {
      Credential c = Credential.load(credential);
      List<Path> updated = Credentials.revoke(dir, credential);
      System.out.println("revoked " + c.who() + " (serial " + c.serial() + "); revocation list updated in "
          + Credentials.caDir(dir) + (updated.isEmpty() ? "" : " and " + updated));
      System.out.println("peers refuse it from its next connection; copy each node's 'revoked' file to the node");
      return 0;
    }
  }

  @Command(name = "show", description = "Who a credential is: name, role, serial, expiry")
  static final class Show implements Callable<Integer> {
    @Parameters(index = "0", description = "a credential directory")
    Path credential;

    @Override
    public Integer call() {
      print(credential);
      return 0;
    }
  }

  static void print(Path dir) {
    Credential c = Credential.load(dir);
    List<String> names = c.alternativeNames();
    System.out.println(dir + ": " + c.who() + ", serial " + c.serial() + ", valid until " + c.notAfter()
        + (names.isEmpty() ? "" : ", names " + String.join(" ", names)));
  }
}
