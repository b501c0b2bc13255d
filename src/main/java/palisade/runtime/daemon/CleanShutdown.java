package palisade.runtime.daemon;

import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import palisade.core.Agent;
import palisade.core.ClusterConfig;
import palisade.core.Durations;
import palisade.core.LocalResources;
import palisade.core.ManagerState;
import palisade.core.Op;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.StoreClient;
import palisade.core.StorePaths;
import palisade.core.Txn;
import palisade.core.TxnResult;
import palisade.core.Versioned;
import palisade.runtime.store.ShutdownRequest;

/**
 * The runtime side of a clean shutdown or reboot of this node: it starts one when the host is going down (SIGTERM
 * with a queued power-off or reboot job, {@link HostShutdown}) or when an operator asked for it through the store
 * ({@link ShutdownRequest}); the core's agent then applies the node's shutdown policy. It reports progress as
 * events (`node2/daemon: shutdown: vm:101 migrated to node3`), and ends the daemon once the agent is DOWN (its record
 * says so and the watchdog is disarmed: the node is never fenced), or when {@code shutdown_timeout} runs out.
 *
 * <p>Everything but {@link #onTerm} runs on the daemon's event loop.
 */
public final class CleanShutdown {
  /** The daemon's exit status after a clean power-off. */
  static final int EXIT_POWEROFF = 0;
  /** The daemon's exit status after a clean reboot (the lab's supervisor then boots the node again). */
  public static final int EXIT_REBOOT = 10;
  /** What {@link #onTerm} answers for a stop that is no host shutdown: the caller's daemon-restart path. */
  static final int NOT_A_SHUTDOWN = -1;

  private final String node;
  private final String source;
  private final ShutdownSection settings;
  private final Loop loop;
  private final Agent agent;
  private final StoreClient store;
  private final Events log;
  private final LocalResources resources;
  private final LongSupplier clock;
  /** Completed with the exit status once the shutdown is over (down, nothing to do, or timed out). */
  private final CompletableFuture<Integer> done = new CompletableFuture<>();
  /** Set on the loop when a shutdown begins; read by the signal handler's thread. */
  private volatile boolean begun;
  private volatile boolean reboot;
  private boolean asked;
  private boolean takePending;
  private SortedSet<String> lastRunning = new TreeSet<>();
  /** What the manager last had each resource doing while it still ran here (a move: migrate or relocate). */
  private final SortedMap<String, ServiceStatus> lastStatus = new TreeMap<>();

  CleanShutdown(String node, ShutdownSection settings, Loop loop, Agent agent, StoreClient store, Events log,
      LocalResources resources, LongSupplier clock) {
    this.node = node;
    this.source = node + "/daemon";
    this.settings = settings;
    this.loop = loop;
    this.agent = agent;
    this.store = store;
    this.log = log;
    this.resources = resources;
    this.clock = clock;
  }

  /** On the loop, every tick: take an operator's request, or follow the shutdown under way. */
  void tick() {
    if (done.isDone()) return;
    if (!begun) {
      takeRequest();
      return;
    }
    progress();
    if (agent.isDown()) finish("shutdown: down (the store holds it, the watchdog is disarmed), exiting");
  }

  /**
   * The daemon was told to stop (SIGTERM; on the signal handler's thread). A host going down gets its clean
   * shutdown, and this waits until it is over (at most {@code shutdown_timeout}); returns the exit status, or
   * {@link #NOT_A_SHUTDOWN} when the daemon alone is being stopped.
   */
  int onTerm() {
    if (!done.isDone() && !begun) {
      HostShutdown.Kind kind = settings.host().queued();
      if (kind == HostShutdown.Kind.NONE) return NOT_A_SHUTDOWN;
      loop.execute(() -> begin(kind == HostShutdown.Kind.REBOOT, "the host's " + kind.label()
          + " job is queued"));
    }
    try {
      // A little beyond the timeout, which the loop enforces itself and reports.
      return done.get(settings.timeoutMs() + 5_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return reboot ? EXIT_REBOOT : EXIT_POWEROFF;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return reboot ? EXIT_REBOOT : EXIT_POWEROFF;
    }
  }

  /** Once the shutdown is over: its exit status. */
  CompletableFuture<Integer> done() {
    return done;
  }

  private void takeRequest() {
    String path = ShutdownRequest.path(node);
    Versioned<ShutdownRequest> r = store.view().get(path, ShutdownRequest.class);
    if (r == null || r.value().taken() || takePending || !store.synced() || agent.state() != Agent.State.ACTIVE) {
      return;
    }
    takePending = true;
    ShutdownRequest req = r.value();
    store.submit(Txn.of(new Op.Put(path, r.version(), req.take())), (result, t) -> {
      takePending = false;
      if (!(result instanceof TxnResult.Committed)) return; // retried on a later tick, if it is still untaken
      long age = System.currentTimeMillis() - req.atMs();
      if (age > ShutdownRequest.FRESH_MS) {
        log.event(source, "shutdown: ignoring the " + (req.reboot() ? "reboot" : "shutdown") + " asked by " + req.by()
            + " " + Durations.format(age) + " ago (older than " + Durations.format(ShutdownRequest.FRESH_MS) + ")");
        return;
      }
      asked = true;
      begin(req.reboot(), "asked by " + req.by());
    });
  }

  /** Starts the clean shutdown: the agent applies the node's policy from its next tick. */
  private void begin(boolean reboot, String why) {
    if (begun || done.isDone()) return;
    begun = true;
    this.reboot = reboot;
    lastRunning = new TreeSet<>(resources.running());
    Agent.State state = agent.state();
    if (state != Agent.State.ACTIVE) {
      finish("shutdown (" + why + "): the agent is " + state.name().toLowerCase(java.util.Locale.ROOT)
          + ", nothing of the cluster's runs here" + (lastRunning.isEmpty() ? "" : " but " + lastRunning)
          + "; exiting");
      return;
    }
    ClusterConfig config = value(StorePaths.CONFIG, ClusterConfig.class);
    ShutdownPolicy policy = config == null ? ShutdownPolicy.CONDITIONAL : config.shutdownPolicyOf(node);
    ShutdownPolicy effective = policy.effective(reboot);
    String verb = effective == ShutdownPolicy.MIGRATE ? "migrating" : "stopping";
    log.event(source, "shutdown: " + (reboot ? "reboot" : "power-off") + " (" + why + "), policy "
        + label(policy) + (effective != policy ? " (" + label(effective) + ")" : "") + ": " + verb + " "
        + lastRunning.size() + " resource" + (lastRunning.size() == 1 ? "" : "s")
        + (lastRunning.isEmpty() ? "" : " " + lastRunning) + ", timeout " + Durations.format(settings.timeoutMs()));
    agent.requestShutdown(reboot, clock.getAsLong());
    loop.schedule(this::timedOut, settings.timeoutMs(), TimeUnit.MILLISECONDS);
  }

  /**
   * One event per resource that left this node: migrated or relocated (as the manager last had it while it ran
   * here), or stopped.
   */
  private void progress() {
    SortedSet<String> running = resources.running();
    ManagerState ms = value(StorePaths.MANAGER_STATE, ManagerState.class);
    for (String id : lastRunning) {
      if (running.contains(id)) continue;
      ServiceStatus last = lastStatus.get(id);
      // Gone from an agent-only node's part of the state once placed elsewhere: its last status here names where to.
      ServiceStatus ss = ms != null && ms.services().containsKey(id) ? ms.services().get(id) : last;
      String elsewhere = ss == null ? null : ss.target() != null && !ss.target().equals(node) ? ss.target()
          : ss.node() != null && !ss.node().equals(node) ? ss.node() : null;
      ServiceState was = last == null ? null : last.state();
      String how = elsewhere == null ? "stopped" : (was == ServiceState.RELOCATE ? "relocated to " : was
          == ServiceState.MIGRATE ? "migrated to " : "moved to ") + elsewhere;
      log.event(source, "shutdown: " + id + " " + how + (running.isEmpty() ? "" : "; " + running.size()
          + " still here " + running));
    }
    lastRunning = new TreeSet<>(running);
    lastStatus.keySet().retainAll(running);
    for (String id : running) {
      ServiceStatus ss = ms == null ? null : ms.services().get(id);
      if (ss != null) lastStatus.put(id, ss);
    }
  }

  private void timedOut() {
    if (done.isDone()) return;
    SortedSet<String> running = resources.running();
    finish("shutdown: timed out after " + Durations.format(settings.timeoutMs()) + " (shutdown_timeout) with "
        + (running.isEmpty() ? "nothing running but the down record not yet acknowledged" : running.size()
        + " resources still running " + running) + ": exiting anyway; without a clean down the cluster fences this "
        + "node once its lease expires (its watchdog still covers it)");
  }

  private void finish(String message) {
    log.eventNow(source, message); // the daemon's last words: in the store before it exits
    int code = reboot ? EXIT_REBOOT : EXIT_POWEROFF;
    done.complete(code);
    if (asked) exitAfterAsked(code);
  }

  /**
   * An operator asked (the host is not going down by itself): the daemon ends the process, and on a real host asks
   * systemd to power off or reboot it, which then stops this daemon's unit. Under {@code host_shutdown_file} (the
   * lab) it only exits, with {@link #EXIT_REBOOT} for a reboot: the lab's supervisor boots the node again.
   */
  private void exitAfterAsked(int code) {
    Thread t = new Thread(() -> {
      if (settings.hostShutdownFile() == null) {
        List<String> argv = List.of("systemctl", reboot ? "reboot" : "poweroff");
        try {
          Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
          boolean ended = p.waitFor(HostShutdown.SYSTEMCTL_DEADLINE_MS, TimeUnit.MILLISECONDS);
          String out = ended ? new String(p.getInputStream().readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8)
              : "(no answer within " + HostShutdown.SYSTEMCTL_DEADLINE_MS + " ms)";
          log.event(source, "shutdown: " + String.join(" ", argv) + (ended && p.exitValue() == 0 ? ": queued"
              : ": failed " + out.strip() + "; the host stays up, this daemon exits"));
        } catch (java.io.IOException e) {
          log.event(source, "shutdown: cannot run " + String.join(" ", argv) + " (" + e.getMessage()
              + "); the host stays up, this daemon exits");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      System.exit(code);
    }, "palisade-exit");
    t.start();
  }

  private static String label(ShutdownPolicy p) {
    return p.name().toLowerCase(java.util.Locale.ROOT);
  }

  private <T> T value(String path, Class<T> type) {
    Versioned<T> v = store.view().get(path, type);
    return v == null ? null : v.value();
  }
}
