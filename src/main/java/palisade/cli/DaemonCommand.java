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

/** `palisade daemon --config FILE`: runs one node (agent, standby manager, embedded store peer) until killed. */
@Command(name = "daemon", description = "Run one node: agent + standby manager (+ embedded ZooKeeper peer)")
final class DaemonCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "the node's YAML configuration")
  Path config;

  @Override
  public Integer call() throws Exception {
    DaemonConfig dc;
    try {
      dc = DaemonConfig.load(config);
      palisade.runtime.daemon.LogSetup.apply(dc.log());
    } catch (ConfigException e) {
      System.err.println("palisade: " + e.getMessage());
      return 2;
    }
    Telemetry telemetry = WebServer.telemetry(dc);
    NodeDaemon daemon = new NodeDaemon(dc, telemetry);
    WebServer web;
    AutoCloseable notifier;
    try {
      daemon.start();
      // health, readiness and metrics: after the daemon, so /healthz never answers for a loop that is not running
      web = WebServer.start(dc, telemetry);
      // the cluster's notifications (the server runs them when it is on)
      notifier = web == null ? WebServer.notifierWithoutHttp(dc) : null;
    } catch (ConfigException e) {
      System.err.println("palisade: " + e.getMessage());
      daemon.close();
      return 2;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // A host going down (or an operator's `node shutdown`) gets its clean shutdown first, then the exit status
      // says which: 0 power-off, 10 reboot.
      int code = daemon.onTerm();
      // Down cleanly: nothing runs, the store holds it. End here with that status: closing the loop under a task
      // in flight would halt with the loop's fatal status instead.
      if (code != NodeDaemon.NOT_A_SHUTDOWN) Runtime.getRuntime().halt(code);
      // Otherwise only the daemon stops (SIGTERM/SIGINT for an upgrade): resources keep running under the restart
      // hold and the next daemon adopts them.
      daemon.stopForRestart();
      if (web != null) web.close();
      try {
        if (notifier != null) notifier.close();
      } catch (Exception e) {
        // stopping anyway
      }
      daemon.close();
    }, "palisade-shutdown"));
    Thread.currentThread().join(); // the event loop thread keeps running; killed by signal
    return 0;
  }
}
