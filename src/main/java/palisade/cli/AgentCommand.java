package palisade.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import palisade.core.ConfigException;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.daemon.NodeDaemon;
import palisade.runtime.daemon.Telemetry;
import palisade.web.WebServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `palisade agent --config FILE`: runs one node (agent, standby manager, embedded store peer) until killed. */
@Command(name = "agent", description = "Run one node: agent + standby manager (+ embedded ZooKeeper peer)")
final class AgentCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "the node's YAML configuration")
  Path config;

  @Override
  public Integer call() throws Exception {
    DaemonConfig dc;
    try {
      dc = DaemonConfig.load(config);
    } catch (ConfigException e) {
      System.err.println("palisade: " + e.getMessage());
      return 2;
    }
    Telemetry telemetry = WebServer.telemetry(dc);
    NodeDaemon daemon = new NodeDaemon(dc, telemetry);
    WebServer web;
    try {
      daemon.start();
      // health, readiness and metrics: after the daemon, so /healthz never answers for a loop that is not running
      web = WebServer.start(dc, telemetry);
    } catch (ConfigException e) {
      System.err.println("palisade: " + e.getMessage());
      daemon.close();
      return 2;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM/SIGINT to the daemon alone (an upgrade): leave resources running under the restart hold. A host
      // shutdown or reboot is a different decision (its policy), made here before this call once it exists.
      daemon.stopForRestart();
      if (web != null) web.close();
      daemon.close();
    }, "palisade-shutdown"));
    Thread.currentThread().join(); // the event loop thread keeps running; killed by signal
    return 0;
  }
}
