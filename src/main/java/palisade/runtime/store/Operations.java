package palisade.runtime.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import palisade.core.ClusterConfig;
import palisade.core.Command;
import palisade.core.HaMode;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.StorePaths;

/**
 * The operator's changes to a cluster, shared by the CLI and the HTTP API so that both check and word them alike:
 * resource edits by compare-and-set on /config, moves, maintenance and fence confirmations as commands for the
 * manager. A refusal is a {@link Refused} that names the field in the caller's spelling ({@code --type} on the
 * command line, {@code type} in a JSON body) and writes nothing; a success returns the line the CLI prints.
 */
public final class Operations {
  /** What kind of refusal: the API answers 400, 404, 409 or 503; the CLI exits 2 (1 for NO_CONFIG). */
  public enum Problem {
    BAD_INPUT, NOT_FOUND, CONFLICT, NO_CONFIG
  }

  /** A refused operation: nothing was written. */
  public static final class Refused extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final Problem problem;

    public Refused(Problem problem, String message) {
      super(message);
      this.problem = problem;
    }

    public Problem problem() {
      return problem;
    }

    /** The CLI's exit code: 1 when the cluster is not set up yet, 2 for wrong input. */
    public int exitCode() {
      return problem == Problem.NO_CONFIG ? 1 : 2;
    }
  }

  /** What was done: the CLI's line, and the command's sequence number when one was queued (else 0). */
  public record Done(String message, long commandSeq) {}

  /**
   * A new resource; options are the driver's KEY=VALUE pairs; disks the ones it writes (a libvirt domain's own are
   * added from its XML, see {@link palisade.runtime.resource.DomainDisks}).
   */
  public record NewResource(String id, String node, String type, Map<String, String> options, String state,
      String group, int priority, int maxRestart, int maxRelocate, List<String> disks) {
    public NewResource {
      disks = disks == null ? List.of() : List.copyOf(disks);
    }
  }

  /** Changes to a resource: null keeps the current value; group "-" clears it; options are merged in. */
  public record Change(String state, String group, Integer priority, Integer maxRestart, Integer maxRelocate,
      Map<String, String> options) {}

  /** Field names as the command line spells them: --max-restart; a device's or node's name is the NAME argument. */
  public static final UnaryOperator<String> CLI_NAMES = f -> f.equals("name") ? "NAME" : "--" + f.replace('_', '-');
  /** Field names as a JSON body spells them: max_restart, options, fence_levels, disks. */
  public static final UnaryOperator<String> JSON_NAMES = f -> f.equals("option") ? "options"
      : f.equals("fence_level") ? "fence_levels" : f.equals("disk") ? "disks" : f;

  private final Supplier<Admin> store;
  private final UnaryOperator<String> name;

  /** Acts through {@code admin} (its credential is what the store authorizes and audits). */
  public Operations(Admin admin, UnaryOperator<String> names) {
    this(() -> admin, names);
  }

  /** Acts through the handle {@code admin} gives, asked only once input has passed the checks that need no store. */
  public Operations(Supplier<Admin> admin, UnaryOperator<String> names) {
    this.store = admin;
    this.name = names;
  }

  /** Who the store knows this handle as: its credential's name and role. */
  public String who() {
    return store.get().credential().who();
  }

  public Done add(NewResource r) throws Exception {
    ResourceConfig rc = checked(r);
    edit(cfg -> {
      if (cfg.resources().containsKey(r.id())) {
        throw new Refused(Problem.CONFLICT, "resource '" + r.id() + "' exists already");
      }
      return cfg.withResource(rc);
    });
    return new Done(r.id() + ": added on " + r.node() + (rc.disks().isEmpty() ? "" : " with disks "
        + String.join(", ", rc.disks())), 0);
  }

  /**
   * A new resource's checks that need no store (id, node, type, options, state, disks), and the configuration it
   * becomes; shared by {@link #add} and `resource import`. Refused (BAD_INPUT) naming the field.
   */
  public ResourceConfig checked(NewResource r) {
    if (r.id() == null || !r.id().matches("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")) {
      throw bad("resource id '" + r.id() + "' is not valid");
    }
    if (r.node() == null || r.node().isBlank()) throw bad(name.apply("node") + " is required");
    if (!"process".equals(r.type()) && !"libvirt".equals(r.type())) {
      throw bad(name.apply("type") + " must be process or libvirt, got '" + r.type() + "'");
    }
    TreeMap<String, String> opts = new TreeMap<>(r.options());
    if (r.type().equals("process") && !opts.containsKey("command")) {
      throw bad("a process resource needs " + name.apply("option") + " command=...");
    }
    RequestState st = state(r.state() == null ? "started" : r.state());
    List<String> disks = disks(r, opts);
    try {
      return new ResourceConfig(r.id(), r.node(), st, r.group(), r.priority(), r.maxRestart(), r.maxRelocate(),
          disks, r.type(), opts);
    } catch (IllegalArgumentException e) { // the record's own checks: max_restart >= 0, ...
      throw bad(e.getMessage());
    }
  }

  /** The disks given, each checked, then a libvirt domain's own from its XML; in that order, without repeats. */
  private List<String> disks(NewResource r, Map<String, String> opts) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (String d : r.disks()) {
      String why = palisade.core.DiskNames.problem(d);
      if (why != null) throw bad(name.apply("disk") + " '" + shorten(d) + "': " + why);
      out.add(d);
    }
    if (r.type().equals("libvirt")) {
      try {
        out.addAll(palisade.runtime.resource.DomainDisks.of(opts));
      } catch (IllegalArgumentException e) {
        throw bad(e.getMessage());
      }
    }
    return List.copyOf(out);
  }

  public Done remove(String id) throws Exception {
    edit(cfg -> {
      existing(cfg, id);
      return cfg.withoutResource(id);
    });
    return new Done(id + ": removed", 0);
  }

  public Done set(String id, Change c) throws Exception {
    RequestState st = c.state() == null ? null : state(c.state());
    edit(cfg -> {
      ResourceConfig rc = existing(cfg, id);
      TreeMap<String, String> opts = new TreeMap<>(rc.options());
      if (c.options() != null) opts.putAll(c.options());
      return cfg.withResource(new ResourceConfig(id, rc.node(), st == null ? rc.state() : st,
          c.group() == null ? rc.group() : c.group().equals("-") ? null : c.group(),
          c.priority() == null ? rc.priority() : c.priority(),
          c.maxRestart() == null ? rc.maxRestart() : c.maxRestart(),
          c.maxRelocate() == null ? rc.maxRelocate() : c.maxRelocate(), rc.disks(), rc.type(), opts));
    });
    return new Done(id + ": updated", 0);
  }

  /** start, stop, disable, enable: the requested state. */
  public Done request(String id, RequestState target) throws Exception {
    edit(cfg -> cfg.withResource(existing(cfg, id).withState(target)));
    return new Done(id + ": requested " + target.name().toLowerCase(Locale.ROOT), 0);
  }

  /** migrate (live) or relocate (stop, then start there): a command for the manager. */
  public Done move(String id, String node, boolean live) throws Exception {
    ClusterConfig cfg = config();
    existing(cfg, id);
    if (node == null || !cfg.nodes().containsKey(node)) {
      throw new Refused(node == null ? Problem.BAD_INPUT : Problem.NOT_FOUND, node == null
          ? name.apply("node") + " is required" : "no node '" + node + "'");
    }
    long seq = store.get().command(s -> make(s, id, node, live));
    return new Done(id + ": command " + seq + " queued (" + (live ? "migrate" : "relocate") + " to " + node
        + "; the manager carries it out or refuses it, see events)", seq);
  }

  private static Command make(long seq, String id, String node, boolean live) {
    return live ? new Command.Migrate(seq, id, node) : new Command.Relocate(seq, id, node);
  }

  /** Clears the error state: the manager stops the resource where it is, then applies its requested state again. */
  public Done cleanup(String id) throws Exception {
    existing(config(), id);
    long seq = store.get().command(s -> new Command.Cleanup(s, id));
    return new Done(id + ": cleanup queued as command " + seq + " (the manager clears it if it is in error)", seq);
  }

  /** Node maintenance "on" (move resources away, take none) or "off". */
  public Done maintenance(String node, String onOff) throws Exception {
    if (!"on".equals(onOff) && !"off".equals(onOff)) throw bad("maintenance: say on or off");
    checkedNode(node);
    long seq = store.get().command(s -> new Command.Maintenance(s, node, onOff.equals("on")));
    return new Done(node + ": maintenance " + onOff + " queued as command " + seq, seq);
  }

  /**
   * The operator confirms the node is powered off. {@code who} is the authenticated operator (a store credential's
   * name and role, or an API token's); the host it came from and the time (UTC) are added here.
   */
  public Done fenceConfirm(String node, String who) throws Exception {
    checkedNode(node);
    String by = by(who);
    // The incarnation judged off: the manager refuses the confirmation if the node renews before it is applied.
    palisade.core.NodeRecord rec = store.get().value(StorePaths.node(node), palisade.core.NodeRecord.class);
    long seen = rec == null ? -1 : rec.counter();
    long seq = store.get().command(s -> new Command.FenceConfirm(s, node, by, seen));
    return new Done(node + ": fence confirmation by " + by + " queued as command " + seq, seq);
  }

  /** The operator asks to fence the node now ({@code who} as for {@link #fenceConfirm}). */
  public Done fenceNode(String node, String who) throws Exception {
    checkedNode(node);
    String by = by(who);
    long seq = store.get().command(s -> new Command.FenceNode(s, node, by));
    return new Done(node + ": fence asked by " + by + ", queued as command " + seq, seq);
  }

  /**
   * `spm move NODE`: the holder stops acting as SPM and reports, then NODE takes the role with a new token (DESIGN
   * "Roles"); the manager refuses it for a node that cannot hold the role ({@code who} as for {@link #fenceConfirm}).
   */
  public Done spmMove(String node, String who) throws Exception {
    checkedNode(node);
    String by = by(who);
    long seq = store.get().command(s -> new Command.SpmMove(s, node, by));
    return new Done("spm: move to " + node + " asked by " + by + ", queued as command " + seq, seq);
  }

  /** `cluster disarm freeze|ignore`: every agent releases its watchdog (DESIGN "HA disarm"). */
  public Done disarm(String kind) throws Exception {
    HaMode.Kind k = HaMode.Kind.parse(kind);
    if (k == null) throw bad("disarm: say freeze or ignore, not '" + kind + "'");
    config();
    long seq = store.get().command(s -> new Command.Disarm(s, k));
    return new Done("cluster: disarm " + k.label() + " queued as command " + seq + " (it waits while a node is "
        + "fencing; see status)", seq);
  }

  /** `cluster arm`: agents re-arm their watchdogs, then the manager resumes. */
  public Done arm() throws Exception {
    config();
    long seq = store.get().command(Command.Arm::new);
    return new Done("cluster: arm queued as command " + seq, seq);
  }

  /** "alice (operator) on host1 at 2026-12-04T16:40:00Z": who asked, from where, when (UTC). */
  private static String by(String who) {
    return who + " on " + Admin.hostName() + " at " + Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  // ---- shared checks -------------------------------------------------------------------------------------------

  private RequestState state(String s) {
    try {
      return RequestState.parse(s, name.apply("state"));
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage());
    }
  }

  /** s printable (other characters as '?') and at most 60 characters, for a message that quotes input. */
  public static String shorten(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() <= 60 ? printable : printable.substring(0, 60) + "...";
  }

  private static Refused bad(String message) {
    return new Refused(Problem.BAD_INPUT, message);
  }

  private static ResourceConfig existing(ClusterConfig cfg, String id) {
    ResourceConfig rc = cfg.resources().get(id);
    if (rc == null) throw new Refused(Problem.NOT_FOUND, "no resource '" + id + "'");
    return rc;
  }

  private ClusterConfig config() throws Exception {
    ClusterConfig cfg = store.get().value(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null) throw new Refused(Problem.NO_CONFIG, "the cluster has no configuration yet");
    return cfg;
  }

  private void checkedNode(String node) throws Exception {
    ClusterConfig cfg = store.get().value(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null || node == null || !cfg.nodes().containsKey(node)) {
      throw new Refused(Problem.NOT_FOUND, "no node '" + node + "'");
    }
  }

  /** Read /config, change it, compare-and-set it; a refusal (exception) writes nothing. */
  private void edit(UnaryOperator<ClusterConfig> change) throws Exception {
    store.get().update(StorePaths.CONFIG, ClusterConfig.class, cfg -> {
      if (cfg == null) throw new Refused(Problem.NO_CONFIG, "the cluster has no configuration yet");
      try {
        return change.apply(cfg);
      } catch (Refused r) {
        throw r;
      } catch (IllegalArgumentException e) { // the configuration's own checks: an unknown node or group, ...
        throw bad(e.getMessage());
      }
    });
  }
}
