package palisade.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.NodeEdits;
import palisade.runtime.store.Operations;
import palisade.runtime.store.ShutdownRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `palisade node shutdown`: a node's clean shutdown (its settings: {@link NodeConfigCommands}). */
final class NodeShutdownCommands {
  private NodeShutdownCommands() {}

  @Command(name = "shutdown", description = {"Shut NODE down (or reboot it) cleanly: its shutdown policy applies "
      + "(conditional: freeze on reboot, failover on power-off; freeze; failover; migrate), then it releases its "
      + "lease, so it is never fenced. The node's daemon acts on it, shows progress in `palisade events`, and "
      + "exits when down (at most its shutdown_timeout); on a real host it then asks systemd to power off or "
      + "reboot. Exit 2 when NODE is unknown or not up (nothing is written)."})
  static final class Shutdown implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NODE", description = "the node to shut down")
    String node;

    @Option(names = "--reboot", description = "reboot instead of powering off")
    boolean reboot;

    @Mixin
    WaitOptions wait = new WaitOptions();

    @Override
    public Integer call() throws Exception {
      long timeoutMs = wait.checkedTimeoutMs(); // a bad --timeout writes nothing
      try (Admin admin = checkedNode(store, node)) {
        ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
        NodeStatus st = ms == null ? null : ms.nodes().get(node);
        if (st == null || (st.state() != NodeState.ONLINE && st.state() != NodeState.MAINTENANCE)) {
          throw new CliError(node + " is " + (st == null ? "not known to the manager yet" : st.state().label())
              + ": only a node that is up can shut down cleanly; nothing was written");
        }
        ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
        ShutdownPolicy policy = cfg.shutdownPolicyOf(node);
        String by = admin.credential().who() + " on " + Admin.hostName();
        long now = System.currentTimeMillis();
        admin.update(ShutdownRequest.path(node), ShutdownRequest.class, cur -> {
          if (cur != null && !cur.taken() && now - cur.atMs() < ShutdownRequest.FRESH_MS) {
            throw new CliError("a " + (cur.reboot() ? "reboot" : "shutdown") + " of " + node + " was asked for "
                + "already (by " + cur.by() + ") and is not taken yet; nothing was written");
          }
          return new ShutdownRequest(node, reboot, now, by, false);
        });
        String line = node + ": clean " + (reboot ? "reboot" : "shutdown") + " requested (shutdown policy "
            + label(policy) + " -> " + label(policy.effective(reboot)) + ")";
        if (timeoutMs < 0) {
          System.out.println(line + "; follow it with: palisade events");
        } else {
          System.out.println(line + "; " + new Waiter(admin, 0).await(WaitGoal.shutdown(node), timeoutMs, line));
        }
      }
      return 0;
    }
  }

  /** A policy as the CLI takes it; {@code default} (when allowed) is null. Refused naming the argument. */
  static ShutdownPolicy parsePolicy(String text, String argument, boolean allowDefault) {
    try {
      return NodeEdits.policy(text, argument, allowDefault);
    } catch (Operations.Refused r) {
      throw new CliError(r.getMessage() + "; nothing was written");
    }
  }

  static String label(ShutdownPolicy p) {
    return NodeEdits.label(p);
  }

  /** The store, once NODE is known to be one of the cluster's nodes (else a clear refusal, nothing written). */
  private static Admin checkedNode(StoreOptions store, String node) throws Exception {
    Admin admin = store.admin();
    ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null || !cfg.nodes().containsKey(node)) {
      admin.close();
      throw new CliError("no node '" + node + "'");
    }
    return admin;
  }
}
