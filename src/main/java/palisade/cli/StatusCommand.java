package palisade.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.ManagerLease;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.ResourceConfig;
import palisade.core.ServiceStatus;
import palisade.core.SpmRole;
import palisade.core.StorePaths;
import palisade.runtime.daemon.Telemetry;
import palisade.runtime.store.Admin;
import palisade.web.Api;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `palisade status`: nodes with state and lease age, the manager, resources with state, node and token. */
@Command(name = "status", description = "Nodes, manager and resources as the store holds them")
final class StatusCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store = new StoreOptions();

  @Mixin
  OutputOption output = new OutputOption();

  @Override
  public Integer call() throws Exception {
    return output.json() ? json(store.admin(), store.cluster, System.out) : show(store.admin(), System.out);
  }

  /**
   * {@code -o json}: {"cluster": /api/cluster, "nodes": /api/nodes' items, "resources": /api/resources' items,
   * "groups": /api/groups' items}, built by the API's code from the store as the CLI reads it. The CLI is no node:
   * answered_by is null; the nodes and resources are the manager's (none before a manager decided).
   */
  static int json(Admin admin, String cluster, PrintStream out) throws Exception {
    try (admin) {
      ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
      if (cfg == null) {
        OutputOption.print(java.util.Map.of("error", "no configuration in the store yet"), out);
        return 1;
      }
      ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
      Telemetry.Tick tick = new Telemetry.Tick(true, true, ms == null ? ManagerState.empty() : ms, null);
      java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
      body.put("cluster", Api.cluster(cluster, null, tick));
      body.put("nodes", Api.nodes(tick, Api.leaseAges(admin, tick.state().nodes().keySet(),
          System.currentTimeMillis())).get("nodes"));
      body.put("resources", Api.resources(tick).get("resources"));
      body.put("groups", Api.groups(cfg).get("groups"));
      OutputOption.print(body, out);
      return 0;
    }
  }

  int show(Admin admin, PrintStream out) throws Exception {
    try (admin) {
      long now = System.currentTimeMillis();
      ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
      ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
      ManagerLease lease = admin.value(StorePaths.MANAGER_LEASE, ManagerLease.class);
      if (cfg == null) {
        out.println("no configuration in the store yet");
        return 1;
      }
      if (lease == null) {
        out.println("manager: none yet");
      } else {
        out.printf("manager: %s (epoch %d, lease age %s)%n", lease.holder(), lease.epoch(),
            age(now, admin.modifiedAtMs(StorePaths.MANAGER_LEASE)));
      }
      out.println("spm: " + SpmRole.describe(ms == null ? null : ms.spm()));
      out.println("shutdown policy: " + policy(cfg.shutdownPolicy()) + " (cluster default)");
      out.printf("%-10s %-24s %-10s %-5s %-11s %-10s %s%n", "NODE", "STATE", "LEASE-AGE", "GEN", "AGENT", "WATCHDOG",
          "SHUTDOWN-POLICY");
      for (String n : cfg.nodes().keySet()) {
        NodeRecord rec = admin.value(StorePaths.node(n), NodeRecord.class);
        // maintenance (operator) lasts until `node maintenance NODE off`; maintenance (shutdown) ends by itself
        out.printf("%-10s %-24s %-10s %-5s %-11s %-10s %s%n", n, ms == null ? "-" : ms.nodeLabel(n),
            age(now, admin.modifiedAtMs(StorePaths.node(n))), rec == null ? "-" : Long.toString(rec.generation()),
            rec == null ? "never seen" : (rec.fenced() ? "fenced" : rec.mode().name().toLowerCase(Locale.ROOT)),
            watchdog(cfg, rec), policy(cfg.shutdownPolicyOf(n)) + (cfg.nodes().get(n).shutdownPolicy() == null
            ? "" : " (node's own)"));
      }
      FenceStatusSection.print(cfg, ms, admin.value(StorePaths.FENCE_HISTORY, palisade.core.FenceHistory.class),
          FenceStatusSection.silentMs(admin, cfg, now), out);
      out.printf("%-12s %-10s %-12s %-8s %-8s %s%n", "RESOURCE", "REQUEST", "STATE", "NODE", "TOKEN", "TYPE");
      java.util.TreeSet<String> ids = new java.util.TreeSet<>(cfg.resources().keySet());
      if (ms != null) ids.addAll(ms.services().keySet());
      for (String id : ids) {
        ResourceConfig rc = cfg.resources().get(id);
        ServiceStatus ss = ms == null ? null : ms.services().get(id);
        out.printf("%-12s %-10s %-12s %-8s %-8s %s%n", id,
            rc == null ? "(removed)" : rc.state().name().toLowerCase(Locale.ROOT),
            ss == null ? "-" : ss.state().label() + (ss.target() != null ? "->" + ss.target() : ""),
            ss == null ? "-" : ss.node(), ss == null ? "-" : Long.toString(ss.token()), rc == null ? "-" : rc.type());
      }
      return 0;
    }
  }

  /**
   * What the node's agent says it has (its record's watchdog kind), and whether the manager can confirm its fence by
   * watchdog: only with a real kind under the cluster's timing (DESIGN "Fence confirmation").
   */
  static String watchdog(ClusterConfig cfg, NodeRecord rec) {
    if (rec == null || rec.watchdog() == null) return "-";
    if (cfg.timing() != null && rec.timing() != null && !NodeRecord.sameTerms(rec.timing(), cfg.timing())) {
      return rec.watchdog() + " (not under the cluster's timing)";
    }
    return rec.watchdog();
  }

  private static String policy(palisade.core.ShutdownPolicy p) {
    return p.name().toLowerCase(Locale.ROOT);
  }

  static String age(long now, long mtime) {
    if (mtime < 0) return "-";
    return String.format("%.1fs", Math.max(0, now - mtime) / 1000.0);
  }
}
