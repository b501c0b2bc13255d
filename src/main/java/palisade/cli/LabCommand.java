package palisade.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.lab.LocalCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `palisade lab up|status|power|isolate|heal|down`: a real N-node cluster on loopback (the lab). */
@Command(name = "lab", description = "Run a local N-node cluster on loopback (real processes)",
    subcommands = {LabCommand.Up.class, LabCommand.Status.class, LabCommand.Power.class,
        LabCommand.Isolate.class, LabCommand.Heal.class, LabCommand.Down.class,
        LabCommand.Proxy.class, LabCommand.Bmc.class, LabCommand.Peer.class})
final class LabCommand {
  static final String LAB_DIR_HELP = "the lab's directory (default: $PALISADE_CLUSTER_DIR or a temp dir)";

  static Path dirOr(Path dir) {
    return dir != null ? dir : LocalCluster.defaultDir();
  }

  @Command(name = "up", description = "Start N nodes, each under its process watchdog, with demo resources")
  static final class Up implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "3", description = "number of nodes (1..9, default 3)")
    int nodes;

    @Option(names = "--dir", paramLabel = "DIR", description = "cluster directory")
    Path dir;

    @Option(names = "--resources", defaultValue = "-1", description = "demo resources (default: one per node)")
    int resources;

    @Option(names = "--bmc", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "one Redfish mock BMC per node (HTTPS on 127.0.0.1) as its fence device (default: on)")
    boolean bmc;

    @Option(names = "--firewall", description = "cut nodes with iptables by their cgroups (root, Debian iptables): "
        + "`lab isolate` then cuts every connection, ZooKeeper election connections included")
    boolean firewall;

    @Option(names = "--no-watchdog", paramLabel = "NODE", description = "run NODE with watchdog: none (its BMC "
        + "is its only fence; repeatable)")
    java.util.List<String> noWatchdog = new java.util.ArrayList<>();

    @Option(names = "--witness", description = "one more store peer that is no node (`palisade witness`, at "
        + "127.0.1.N+1): two nodes and a witness (--nodes 2 or 4)")
    boolean witness;

    @Override
    public Integer call() throws Exception {
      if (nodes < 1 || nodes > 9) throw new CliError("--nodes must be 1..9, got " + nodes);
      if (witness && nodes != 2 && nodes != 4) throw new CliError("--witness needs --nodes 2 (or 4), got " + nodes);
      if (witness && firewall) throw new CliError("--witness: the lab's firewall does not cover a witness yet");
      if (!noWatchdog.isEmpty() && !bmc) throw new CliError("--no-watchdog needs the mock BMCs (--bmc)");
      for (String n : noWatchdog) {
        int i = palisade.lab.Layout.index(n);
        if (i < 1 || i > nodes) throw new CliError("--no-watchdog: no node '" + n + "' among " + nodes + " nodes");
      }
      LocalCluster.Options o = new LocalCluster.Options(Map.of(), witness ? nodes + 1 : 0, bmc, java.util.Set.copyOf(noWatchdog), Map.of());
      if (firewall) {
        java.util.Optional<String> why = palisade.lab.Firewall.unavailable();
        if (why.isPresent()) throw new CliError("--firewall: " + why.get());
      }
      LocalCluster c = up(dirOr(dir), nodes, resources < 0 ? nodes : resources, o, firewall, System.out);
      System.out.println("lab up: " + nodes + " nodes" + (witness ? " and a witness" : "") + " in " + c.dir()
          + " (store " + c.connectString() + ")");
      System.out.println("store credentials in " + c.credentialsDir() + "; the CLI acts as "
          + LocalCluster.ADMIN_OPERATOR + " (" + LocalCluster.adminCredentialDir(c.dir()) + ") with --dir "
          + c.dir());
      return 0;
    }
  }

  /** Creates, starts and seeds a local cluster; on failure stops whatever it started. */
  static LocalCluster up(Path dir, int nodes, int resources, Map<String, String> timing, java.io.PrintStream out)
      throws Exception {
    return up(dir, nodes, resources, new LocalCluster.Options(timing, 0, false, java.util.Set.of(), Map.of()), out);
  }

  static LocalCluster up(Path dir, int nodes, int resources, LocalCluster.Options options, java.io.PrintStream out)
      throws Exception {
    return up(dir, nodes, resources, options, false, out);
  }

  static LocalCluster up(Path dir, int nodes, int resources, LocalCluster.Options options, boolean firewall,
      java.io.PrintStream out) throws Exception {
    LocalCluster c = LocalCluster.create(dir, nodes, options);
    try {
      if (firewall) c.useFirewall(); // before any node: their connections must carry their initiator's stamp
      c.startProxyProcess();
      c.startBmcs();
      for (String n : c.nodeNames()) {
        if (c.bmcPort(n) > 0) {
          out.println("  " + n + ": mock BMC https://127.0.0.1:" + c.bmcPort(n) + " (password in "
              + c.bmcPasswordFile(n) + ")" + (options.noWatchdog().contains(n) ? ", no watchdog" : ""));
        }
      }
      if (c.layout().witness()) {
        out.println("  " + palisade.lab.Layout.WITNESS + ": store peer pid " + c.powerOn(palisade.lab.Layout.WITNESS)
            + ", log " + c.witnessLog());
      }
      for (String n : c.nodeNames()) {
        long pid = c.powerOn(n);
        out.println("  " + n + ": supervisor pid " + pid + ", log " + c.nodeLog(n));
      }
      try (Admin admin = c.admin()) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (admin.read(StorePaths.CONFIG) == null) {
          if (System.nanoTime() > deadline) throw new CliError("the cluster did not form within 60s", 1);
          Thread.sleep(200);
        }
        if (resources > 0) c.addDemoResources(admin, resources);
      }
      return c;
    } catch (Exception | Error e) {
      c.down();
      throw e;
    }
  }

  @Command(name = "status", description = "Processes of the local cluster (see also: palisade status)")
  static final class Status implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", description = LAB_DIR_HELP)
    Path dir;

    @Override
    public Integer call() throws Exception {
      LocalCluster c = LocalCluster.open(dirOr(dir));
      System.out.println("local cluster in " + c.dir() + ", store " + c.connectString() + ", isolated "
          + c.isolatedNow());
      for (String n : c.nodeNames()) {
        System.out.println("  " + n + ": " + (c.powered(n) ? "on, daemon pid " + c.daemonPid(n).map(String::valueOf)
            .orElse("(restarting)") : "off"));
      }
      if (c.layout().witness()) {
        System.out.println("  " + palisade.lab.Layout.WITNESS + ": " + c.witnessPid().map(p -> "on, store peer pid "
            + p).orElse("off"));
      }
      palisade.runtime.store.Admin admin = c.admin();
      return new StatusCommand().show(admin, LocalCluster.CLUSTER, StoreProbe.probe(c.connectString(),
          c.adminCredential(), true), System.out, StatusSummary.read(admin, false, false));
    }
  }

  @Command(name = "power", description = "power NODE off (SIGKILL its process group) or on (start it again); "
      + "shutdown or reboot: a clean host shutdown as systemd starts one (queued job, SIGTERM to the daemon)")
  static final class Power implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NODE", description = "the lab node, e.g. node2, or the witness (off "
        + "and on only)")
    String node;

    @Parameters(index = "1", description = "off, on, shutdown or reboot")
    String action;

    @Option(names = "--dir", paramLabel = "DIR", description = LAB_DIR_HELP)
    Path dir;

    @Override
    public Integer call() throws Exception {
      LocalCluster c = LocalCluster.open(dirOr(dir));
      switch (action) {
        case "off" -> {
          c.powerOff(node);
          System.out.println(node + ": powered off");
        }
        case "on" -> System.out.println(node + ": powered on, " + (c.isWitness(node) ? "store peer" : "supervisor")
            + " pid " + c.powerOn(node));
        case "shutdown", "reboot" -> {
          c.hostShutdown(node, action.equals("reboot"));
          System.out.println(node + ": host " + action + " started (follow it with: palisade events)");
        }
        default -> throw new CliError("power: action must be off, on, shutdown or reboot, got '" + action + "'");
      }
      return 0;
    }
  }

  @Command(name = "isolate", description = "Cut NODE off from every other node (iptables with up --firewall, "
      + "else the fault proxy)")
  static final class Isolate implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NODE", description = "the lab node to cut off")
    String node;

    @Option(names = "--dir", paramLabel = "DIR", description = LAB_DIR_HELP)
    Path dir;

    @Override
    public Integer call() throws Exception {
      LocalCluster c = LocalCluster.open(dirOr(dir));
      c.isolate(node);
      System.out.println(node + ": isolated");
      return 0;
    }
  }

  @Command(name = "heal", description = "Heal every link")
  static final class Heal implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", description = LAB_DIR_HELP)
    Path dir;

    @Override
    public Integer call() throws Exception {
      LocalCluster.open(dirOr(dir)).heal();
      System.out.println("network healed");
      return 0;
    }
  }

  @Command(name = "down", description = "Stop every process the cluster started (by PID)")
  static final class Down implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", description = LAB_DIR_HELP)
    Path dir;

    @Override
    public Integer call() throws Exception {
      LocalCluster c = LocalCluster.open(dirOr(dir));
      c.down();
      System.out.println("lab down (logs kept in " + c.dir() + ")");
      return 0;
    }
  }

  @Command(name = "bmc", hidden = true, description = "A local cluster node's mock BMC process (Redfish, HTTPS)")
  static final class Bmc implements Callable<Integer> {
    @Option(names = "--dir", required = true)
    Path dir;

    @Option(names = "--node", required = true)
    String node;

    @Override
    public Integer call() throws Exception {
      palisade.lab.LabMains.serveBmc(dir, node);
      return 0;
    }
  }

  @Command(name = "peer", hidden = true, description = "A local cluster node's store peer process")
  static final class Peer implements Callable<Integer> {
    @Option(names = "--dir", required = true)
    Path dir;

    @Option(names = "--node", required = true)
    String node;

    @Override
    public Integer call() throws Exception {
      palisade.lab.LabMains.servePeer(dir, node);
      return 0;
    }
  }

  @Command(name = "proxy", hidden = true, description = "The local cluster's fault proxy process")
  static final class Proxy implements Callable<Integer> {
    @Option(names = "--dir", required = true)
    Path dir;

    @Override
    public Integer call() throws Exception {
      palisade.lab.LabMains.serveProxy(dir);
      return 0;
    }
  }
}
