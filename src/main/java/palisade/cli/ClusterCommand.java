package palisade.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import palisade.runtime.daemon.DaemonConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * `palisade cluster init|join`: from bare hosts to a configured cluster (docs/INSTALL.md). Init, on the first host,
 * makes the cluster's authorities and credentials and a join bundle per host, and installs its own; join installs a
 * bundle on another host. The loopback test cluster that was `palisade cluster` is `palisade lab`: its subcommands
 * answer with the new name.
 */
@Command(name = "cluster", description = "Set up a real cluster: init on the first host, join on the others; "
    + "disarm and arm HA for cluster-wide maintenance",
    subcommands = {ClusterCommand.Init.class, ClusterCommand.Join.class, HaCommand.Disarm.class, HaCommand.Arm.class})
final class ClusterCommand implements Callable<Integer> {
  /** What `palisade cluster` did before `palisade lab` took it over. */
  static final Set<String> LAB_SUBCOMMANDS = Set.of("up", "down", "status", "power", "isolate", "heal", "bmc", "peer",
      "proxy");

  @Unmatched
  List<String> rest;

  @Override
  public Integer call() {
    List<String> rest = this.rest == null ? List.of() : this.rest;
    if (!rest.isEmpty() && LAB_SUBCOMMANDS.contains(rest.get(0))) {
      throw new CliError("`palisade cluster " + rest.get(0) + "` is now `palisade lab " + rest.get(0) + "` (the "
          + "loopback test cluster; same options); `palisade cluster` sets up real hosts: init, join");
    }
    throw new CliError(rest.isEmpty() ? "cluster: name a subcommand: init (first host), join (the others), disarm or "
        + "arm; see palisade cluster --help" : "cluster: unknown subcommand '" + rest.get(0) + "' (init, join, disarm "
        + "or arm)");
  }

  static final String CONFIG = "/etc/palisade/palisade.yaml";

  @Command(name = "init", description = "On the first host: write the cluster's credentials, this host's "
      + "configuration and a join bundle for every other host")
  static final class Init implements Callable<Integer> {
    @Option(names = "--name", paramLabel = "NAME", required = true,
        description = "the cluster's name (lower-case letters, digits, _ -)")
    String name;

    @Option(names = "--node", required = true, paramLabel = "NAME=ADDRESS", description = "every host, in order, "
        + "this one included: its node name and the address the others reach it at (the first 3, or 5 from five "
        + "hosts, run the store's peers)")
    List<String> nodes;

    @Option(names = "--self", paramLabel = "NAME", description = "which node this host is (default: the first)")
    String self;

    @Option(names = "--watchdog", paramLabel = "DRIVER", defaultValue = "linux", description = "linux "
        + "(/dev/watchdog: hardware or softdog) or process (the supervisor; unit palisade-process-watchdog) "
        + "(default: ${DEFAULT-VALUE})")
    String watchdog;

    @Option(names = "--config", paramLabel = "FILE", defaultValue = CONFIG, description = "this host's "
        + "configuration file; the credentials go next to it (default: ${DEFAULT-VALUE})")
    Path config;

    @Option(names = "--credentials", paramLabel = "DIR", defaultValue = "/etc/palisade/credentials", description =
        "where the cluster's certificate authorities, every credential and the join bundles go (default: "
        + "${DEFAULT-VALUE})")
    Path credentials;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = ClusterPlan.UNIT_DATA_DIR, description =
        "every host's data dir (default: ${DEFAULT-VALUE})")
    String dataDir;

    @Option(names = "--libvirt", paramLabel = "TRANSPORT", defaultValue = "none", description = "none, or how each "
        + "host's libvirtd reaches the others' for live migration: ssh (qemu+ssh://ADDRESS/system) or tls "
        + "(qemu+tls://ADDRESS/system); a host's own is qemu:///system (default: ${DEFAULT-VALUE})")
    String libvirt;

    @Option(names = "--operator", paramLabel = "NAME", defaultValue = "admin", description = "name of the hosts' "
        + "admin credential (default: ${DEFAULT-VALUE})")
    String operator;

    @Option(names = "--client-port", paramLabel = "PORT", defaultValue = "2181", description = "store client port "
        + "(default: ${DEFAULT-VALUE})")
    int clientPort;

    @Option(names = "--peer-port", paramLabel = "PORT", defaultValue = "2888", description = "store peer port "
        + "(default: ${DEFAULT-VALUE})")
    int peerPort;

    @Option(names = "--election-port", paramLabel = "PORT", defaultValue = "3888", description = "store election "
        + "port (default: ${DEFAULT-VALUE})")
    int electionPort;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "" + DaemonConfig.DEFAULT_HTTP_PORT,
        description = "HTTPS port: health, metrics, API, dashboard (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Override
    public Integer call() throws Exception {
      ClusterPlan plan = ClusterPlan.of(name, nodes, clientPort, peerPort, electionPort, httpPort, watchdog, dataDir,
          libvirt);
      String me = self != null ? self : plan.nodes().get(0).name();
      if (!plan.names().contains(me)) throw new CliError("--self: '" + me + "' is not one of the --node names");
      if (!ClusterPlan.NAME.matcher(operator).matches()) {
        throw new CliError("--operator: '" + operator + "' is not a name (lower-case letters, digits, _ and -)");
      }
      if (Files.exists(credentials) && !isEmptyDir(credentials)) {
        throw new CliError("--credentials: " + credentials + " is not empty: a cluster was initialised here? (choose "
            + "another directory, or add a host to the cluster with palisade credentials node)");
      }
      Path bundles = credentials.resolve("join");
      checkFree(config, "--config");
      Path dir = config.toAbsolutePath().getParent();
      for (String f : List.of(ClusterBundle.CREDENTIAL, ClusterBundle.OPERATOR, ClusterBundle.API_TOKENS)) {
        checkFree(dir.resolve(f), "--config");
      }
      boolean done = false;
      boolean fresh = !Files.exists(credentials);
      try {
        ClusterBundle.make(plan, credentials, bundles, operator);
        ClusterBundle.install(ClusterBundle.read(bundles.resolve(me)), plan, config);
        done = true;
        report(plan, me, bundles);
      } finally {
        if (!done) { // nothing half-made stays behind: a second init must find the place as the first one did
          if (fresh) {
            ClusterBundle.deleteTree(credentials);
          } else {
            try (var made = Files.list(credentials)) {
              made.forEach(ClusterBundle::deleteTree);
            }
          }
        }
      }
      return 0;
    }

    private void report(ClusterPlan plan, String me, Path bundles) {
      Path dir = config.toAbsolutePath().getParent();
      System.out.println("cluster " + plan.cluster() + ": " + plan.nodes().size() + " nodes, store peers on "
          + String.join(", ", plan.names().subList(0, plan.peers())) + " (" + plan.connectString() + ")");
      if (plan.nodes().size() < 3) {
        System.out.println("warning: with " + plan.nodes().size() + " hosts the store has one peer (on "
            + plan.names().get(0) + "): when it is down, every node is cut off; use three hosts, or add a witness "
            + "(docs/INSTALL.md, \"Two nodes and a witness\")");
      }
      System.out.println(me + " (this host): " + config + " written, credential in " + dir.resolve("credential")
          + ", admin credential in " + dir.resolve("operator"));
      System.out.println("certificate authorities and every credential: " + credentials + " (keep the ca/*.key "
          + "files offline once every host has joined)");
      System.out.println("API admin token (dashboard): " + credentials.resolve(ClusterBundle.API_ADMIN_TOKEN));
      System.out.println("join bundles (secret: copy over a trusted channel, delete the copies once joined):");
      for (ClusterPlan.Host h : plan.nodes()) {
        if (h.name().equals(me)) continue;
        System.out.println("  " + h.name() + ": scp -rp " + bundles.resolve(h.name()) + " root@" + h.address()
            + ":palisade-join && ssh root@" + h.address() + " palisade cluster join palisade-join");
      }
      System.out.println("then, with the fence devices in every host's file: " + plan.startHint() + " on every "
          + "host (docs/INSTALL.md)");
    }
  }

  @Command(name = "join", description = "On another host: install the join bundle `cluster init` made for it")
  static final class Join implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BUNDLE", description = "the host's bundle directory, copied from the "
        + "first host (CREDENTIALS/join/NAME)")
    Path bundle;

    @Option(names = "--config", paramLabel = "FILE", defaultValue = CONFIG, description = "this host's "
        + "configuration file; the credentials go next to it (default: ${DEFAULT-VALUE})")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "this host's data dir (default: the one init chose)")
    String dataDir;

    @Override
    public Integer call() throws Exception {
      ClusterBundle.Read b = ClusterBundle.read(bundle);
      ClusterPlan plan = dataDir == null ? b.plan() : b.plan().withDataDir(dataDir);
      checkFree(config, "--config");
      DaemonConfig dc = ClusterBundle.install(b, plan, config);
      System.out.println(dc.node() + " joined cluster " + dc.cluster() + ": " + config + " written, credential in "
          + config.toAbsolutePath().getParent().resolve("credential") + ", data dir " + dc.dataDir());
      System.out.println("next: " + plan.startHint() + "; then palisade status; delete the bundle copy (" + bundle
          + ")");
      return 0;
    }
  }

  private static boolean isEmptyDir(Path dir) throws java.io.IOException {
    if (!Files.isDirectory(dir)) return false;
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  static void checkFree(Path p, String option) {
    if (Files.exists(p)) {
      throw new CliError(option + ": " + p + " exists already (this host is configured; remove it to start anew)");
    }
  }
}
