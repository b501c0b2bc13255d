package palisade.cli;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
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
import palisade.web.Inventory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * `palisade status`: the store's health (quorum, leader, peers), the manager, nodes with state and lease age,
 * resources with state, node and token; then the last fence of each node (how and when), failed actions with their
 * counts, and the fence devices, as `ha-manager status` and `pcs status` users look for them.
 */
@Command(name = "status", description = "The store's health, the manager, nodes, resources, the last fence of each "
    + "node, failed actions and fence devices")
final class StatusCommand implements Callable<Integer> {
  @Mixin
  StoreOptions store = new StoreOptions();

  @Mixin
  OutputOption output = new OutputOption();

  @picocli.CommandLine.Option(names = "--all", description = "List every resource, however many (the table's default "
      + "above " + StatusSummary.LIST_UP_TO + " resources is their totals; -o json lists every one unless --summary)")
  boolean all;

  @picocli.CommandLine.Option(names = "--summary", description = "Give the resources' totals instead of a line each, "
      + "however few (with -o json: \"resources_summary\" instead of \"resources\" and \"failed_actions\")")
  boolean summary;

  @Override
  public Integer call() throws Exception {
    if (all && summary) throw new CliError("--all and --summary: give one of them, not both; nothing was read");
    StoreOptions.Target t = store.target();
    Admin admin;
    try {
      admin = store.admin();
    } catch (CliError e) {
      if (e.code != 1) throw e;
      // no quorum served us: say what each peer answers, then fail as before
      Inventory.StoreHealth h = StoreProbe.probe(t.connectString(), store.credential(), false);
      if (output.json()) {
        OutputOption.print(Map.of("error", e.getMessage(), "store", h), System.out);
      } else {
        System.out.println("store: " + StoreProbe.describe(h));
      }
      throw e;
    }
    // The peers are asked their mode while the records are read: the command waits for the slower of the two.
    CompletableFuture<Inventory.StoreHealth> probe = CompletableFuture.supplyAsync(() ->
        StoreProbe.probe(t.connectString(), store.credential(), true));
    StatusSummary totals;
    try {
      // -o json lists every resource unless asked for the totals: scripts written for it keep their "resources"
      totals = StatusSummary.read(admin, all || output.json() && !summary, summary);
      if (summary && totals == null) {
        System.err.println("status: --summary: the store keeps no totals yet (its records were last written by an "
            + "older palisade); every resource follows");
      }
      if (totals == null) admin.readAhead(List.of(StorePaths.CONFIG, StorePaths.MANAGER_STATE));
    } catch (Exception e) {
      admin.close();
      throw e;
    }
    Inventory.StoreHealth health = probe.join();
    // 50,000 resource lines: one write per buffer, not one per line (System.out flushes every line)
    PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false,
        java.nio.charset.Charset.forName(System.getProperty("sun.stdout.encoding",
        java.nio.charset.Charset.defaultCharset().name())));
    try {
      return output.json() ? json(admin, t.cluster(), health, out, totals)
          : show(admin, t.cluster(), health, out, totals);
    } finally {
      out.flush();
    }
  }

  /** What `status` adds to the API's shapes (the same in the table and in JSON). */
  static Map<String, Object> extras(Inventory.Snapshot s, Inventory.StoreHealth health) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("store", health);
    m.put("fencing", List.copyOf(Inventory.lastFences(s).values()));
    m.put("failed_actions", Inventory.failedActions(s));
    m.put("fence_devices", Inventory.fenceDevices(s.config(), s.history()));
    return m;
  }

  /**
   * {@code -o json}: {"cluster": /api/cluster, "nodes": /api/nodes' items, "resources": /api/resources' items,
   * "groups": /api/groups' items}, built by the API's code from the store as the CLI reads it. The CLI is no node:
   * answered_by is null; the nodes and resources are the manager's (none before a manager decided).
   */
  static int json(Admin admin, String cluster, Inventory.StoreHealth health, PrintStream out, StatusSummary totals)
      throws Exception {
    try (admin) {
      ClusterConfig cfg = totals != null ? totals.config() : admin.value(StorePaths.CONFIG, ClusterConfig.class);
      if (cfg == null) {
        OutputOption.print(java.util.Map.of("error", "no configuration in the store yet"), out);
        return 1;
      }
      ManagerState ms = totals != null ? totals.state() : admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
      Telemetry.Tick tick = new Telemetry.Tick(true, true, ms == null ? ManagerState.empty() : ms, null);
      NodeReads each = NodeReads.of(admin, cfg.nodes().keySet());
      java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
      Map<String, Object> head = new LinkedHashMap<>(Api.cluster(cluster, null, tick));
      if (totals != null) head.put("resources", totals.statuses()); // the partial state holds no statuses
      body.put("cluster", head);
      Object nodes = Api.nodes(tick, each.leaseAges(System.currentTimeMillis())).get("nodes");
      LoadSection.addTo(nodes, Reads.loads(cfg, each.usage())); // each node's "load", null without a usage record
      body.put("nodes", nodes);
      if (totals == null) body.put("resources", Api.resources(tick).get("resources"));
      else body.put("resources_summary", totals.json());
      body.put("groups", Api.groups(cfg).get("groups"));
      body.putAll(extras(Reads.snapshot(admin, cfg, ms, each.records()), health));
      if (totals != null) body.remove("failed_actions"); // counted in resources_summary
      body.put("ha", HaCommand.json(ms, each.records()));
      StorePeerCommands.summary(admin).ifPresent(p -> body.put("store_peers", p)); // with reconfiguration only
      OutputOption.print(body, out);
      return 0;
    }
  }

  /** The table; with totals, the resources summed up (StatusSummary) instead of a line each. */
  int show(Admin admin, String cluster, Inventory.StoreHealth health, PrintStream out, StatusSummary totals)
      throws Exception {
    try (admin) {
      long now = System.currentTimeMillis();
      ClusterConfig cfg = totals != null ? totals.config() : admin.value(StorePaths.CONFIG, ClusterConfig.class);
      ManagerState ms = totals != null ? totals.state() : admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
      ManagerLease lease = admin.value(StorePaths.MANAGER_LEASE, ManagerLease.class);
      if (cfg == null) {
        out.println("no configuration in the store yet");
        return 1;
      }
      NodeReads each = NodeReads.of(admin, cfg.nodes().keySet());
      out.println("cluster: " + cluster);
      out.println("store: " + StoreProbe.describe(health));
      StorePeerCommands.summary(admin).ifPresent(p -> out.println(p.line()));
      if (lease == null) {
        out.println("manager: none yet");
      } else {
        out.printf("manager: %s (epoch %d, lease age %s)%n", lease.holder(), lease.epoch(),
            age(now, admin.modifiedAtMs(StorePaths.MANAGER_LEASE)));
      }
      out.println("spm: " + spm(ms == null ? null : ms.spm()));
      out.println("ha: " + HaCommand.line(ms, each.records()).substring("the cluster is ".length()));
      out.println("shutdown policy: " + policy(cfg.shutdownPolicy()) + " (cluster default)");
      out.printf("%-10s %-24s %-10s %-5s %-11s %-10s %s%n", "NODE", "STATE", "LEASE-AGE", "GEN", "AGENT", "WATCHDOG",
          "SHUTDOWN-POLICY");
      for (String n : cfg.nodes().keySet()) {
        NodeRecord rec = each.records().get(n);
        // maintenance (operator) lasts until `node maintenance NODE off`; maintenance (shutdown) ends by itself
        out.printf("%-10s %-24s %-10s %-5s %-11s %-10s %s%n", n, ms == null ? "-" : ms.nodeLabel(n),
            age(now, each.modifiedAt(n)), rec == null ? "-" : Long.toString(rec.generation()),
            rec == null ? "never seen" : (rec.fenced() ? "fenced" : rec.mode().name().toLowerCase(Locale.ROOT)),
            watchdog(cfg, rec), policy(cfg.shutdownPolicyOf(n)) + (cfg.nodes().get(n).shutdownPolicy() == null
            ? "" : " (node's own)"));
      }
      LoadSection.print(Reads.loads(cfg, each.usage()), out);
      FenceStatusSection.print(cfg, ms, FenceStatusSection.silentMs(cfg, each, now), out);
      if (totals != null) {
        totals.print(out);
        showExtras(Reads.snapshot(admin, cfg, ms, each.records()), false, out);
        return 0;
      }
      out.println(row("RESOURCE", "REQUEST", "STATE", "NODE", "TOKEN", "TYPE", "RESTARTS"));
      java.util.TreeSet<String> ids = new java.util.TreeSet<>(cfg.resources().keySet());
      if (ms != null) ids.addAll(ms.services().keySet());
      for (String id : ids) {
        ResourceConfig rc = cfg.resources().get(id);
        ServiceStatus ss = ms == null ? null : ms.services().get(id);
        // restarts: failed starts on its node of max_restart, then "+N nodes" given up on (of max_relocate)
        out.println(row(id,
            rc == null ? "(removed)" : rc.state().name().toLowerCase(Locale.ROOT),
            ss == null ? "-" : ss.state().label() + (ss.target() != null ? "->" + ss.target() : ""),
            ss == null ? "-" : ss.node(), ss == null ? "-" : Long.toString(ss.token()), rc == null ? "-" : rc.type(),
            ss == null ? "-" : Reads.ofMax(ss.failedStarts(), rc == null ? null : rc.maxRestart())
                + (ss.triedNodes().isEmpty() ? "" : " +" + ss.triedNodes().size() + " nodes")));
      }
      showExtras(Reads.snapshot(admin, cfg, ms, each.records()), true, out);
      return 0;
    }
  }

  /**
   * Fencing, failed actions (unless the totals gave their count) and fence devices, each section only when it has
   * something to say.
   */
  static void showExtras(Inventory.Snapshot s, boolean failedActions, PrintStream out) {
    Map<String, Inventory.LastFence> fences = Inventory.lastFences(s);
    if (!fences.isEmpty()) {
      out.println();
      out.println("Fencing (the last confirmed fence of each node):");
      Table t = new Table("NODE", "HOW", "WHEN", "BY", "NOW");
      for (Inventory.LastFence f : fences.values()) t.row(f.node(), f.kind(), f.atUtc(), f.by(), f.currentState());
      t.print(out);
    }
    List<Inventory.FailedAction> failed = failedActions ? Inventory.failedActions(s) : List.of();
    if (!failed.isEmpty()) {
      out.println();
      out.println("Failed actions:");
      Table t = new Table("RESOURCE", "NODE", "STATE", "LAST-RESULT", "FAILED-STARTS", "GAVE-UP-ON");
      for (Inventory.FailedAction f : failed) {
        t.row(f.resource(), f.node(), f.state(), f.lastOutcome(), f.failedStarts(), f.triedNodes().isEmpty() ? null
            : String.join(",", f.triedNodes()));
      }
      t.print(out);
    }
    List<Inventory.FenceDeviceUse> devices = Inventory.fenceDevices(s.config(), s.history());
    out.println();
    if (devices.isEmpty()) {
      out.println("Fence devices: none in the cluster's fence levels");
    } else {
      long every = s.config().fence().deviceCheckMs();
      out.println("Fence devices (status checked every " + (every == 0 ? "- (fence_device_check off)"
          : palisade.core.Durations.format(every)) + "; options and secrets stay on the nodes):");
      Table t = new Table("DEVICE", "FENCES", "LEVEL", "LAST-CHECK", "HEALTH", "DETAIL");
      for (Inventory.FenceDeviceUse d : devices) {
        t.row(d.device(), d.node(), d.level(), d.lastCheckUtc() == null ? "never" : d.lastCheckUtc(), d.health(),
            d.detail());
      }
      t.print(out);
    }
  }

  /**
   * What the node's agent says it has (its record's watchdog kind), and whether the manager can confirm its fence by
   * watchdog: only with a real kind under the cluster's timing (DESIGN "Fence confirmation").
   */
  static String watchdog(ClusterConfig cfg, NodeRecord rec) {
    if (rec == null || rec.watchdog() == null) return "-";
    if (rec.released()) return rec.watchdog() + " (released: HA disarm)";
    if (cfg.timing() != null && rec.timing() != null && !NodeRecord.sameTerms(rec.timing(), cfg.timing())) {
      return rec.watchdog() + " (not under the cluster's timing)";
    }
    return rec.watchdog();
  }

  /** `node2 (token 9) since 2026-12-04T16:40:00.000Z, moving to node3`; `none`. */
  static String spm(SpmRole r) {
    if (r == null) return SpmRole.describe(null);
    return SpmRole.describe(r) + (r.sinceMs() > 0 ? " since " + Reads.time(r.sinceMs()) : "")
        + (r.moveTo() == null ? "" : ", moving to " + r.moveTo());
  }

  private static String policy(palisade.core.ShutdownPolicy p) {
    return p.name().toLowerCase(Locale.ROOT);
  }

  /** Widths of the resource table's columns but the last, as `%-12s %-10s ...` would pad them. */
  private static final int[] RESOURCE_WIDTHS = {12, 10, 12, 8, 8, 8};

  /**
   * One line of the resource table, padded as printf's {@code %-Ns} pads (null reads "null"), without parsing a
   * format 50,000 times.
   */
  static String row(Object... cols) {
    StringBuilder sb = new StringBuilder(80);
    for (int i = 0; i < cols.length; i++) {
      String v = String.valueOf(cols[i]);
      sb.append(v);
      if (i < RESOURCE_WIDTHS.length) {
        for (int pad = v.length(); pad < RESOURCE_WIDTHS[i]; pad++) sb.append(' ');
        sb.append(' ');
      }
    }
    return sb.toString();
  }

  static String age(long now, long mtime) {
    if (mtime < 0) return "-";
    return String.format("%.1fs", Math.max(0, now - mtime) / 1000.0);
  }
}
