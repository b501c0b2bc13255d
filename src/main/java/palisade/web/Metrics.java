package palisade.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.ServiceStatus;
import palisade.runtime.daemon.Telemetry;

/**
 * The daemon's {@link Telemetry} as Micrometer meters in a Prometheus registry. Events (renewals, store requests,
 * fence calls, watchdog feeds) update lock-free counters and histograms on the loop; cluster-wide gauges (node and
 * resource states) are computed from the last tick's immutable snapshot when /metrics is scraped, off the loop.
 * Labels carry names, states and results only: never a command, an option or a password.
 */
final class Metrics implements Telemetry {
  /** Buckets of the store and renewal latency histograms: loopback ZooKeeper answers in milliseconds. */
  private static final Duration[] LATENCY = durations(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
      2.5, 5);
  /** Buckets of fence calls: a BMC answers in a second, fence agents take up to their 20 s deadline. */
  private static final Duration[] FENCE = durations(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60);

  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter feeds;
  private final Counter misses;
  private final Timer managerRound;
  private final Timer failover;
  /** Touched on the loop only. */
  private final Failovers failovers = new Failovers();
  private final Timeline timeline = new Timeline();
  private final MultiGauge resources;
  private final MultiGauge peerRole;
  private final MultiGauge fenceDeviceUp;
  private final Supplier<String> peerMode;
  /** Store and renewal timers by kind and result (a handful of keys). */
  private final Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();
  /** Written by the loop, read by HTTP threads. */
  private volatile Tick last;
  private volatile long lastTickNanos;
  private volatile long lastRenewalNanos;
  private final long startNanos = System.nanoTime();

  /**
   * @param node this node's name (a constant label)
   * @param peerMode asks this node's embedded ZooKeeper peer for its mode (null: none, or no answer)
   */
  Metrics(String node, Supplier<String> peerMode) {
    this.peerMode = peerMode;
    registry.config().commonTags("node", node);
    feeds = Counter.builder("palisade.watchdog.feeds").description("Watchdog feeds (one per renewal in time)")
        .register(registry);
    misses = Counter.builder("palisade.watchdog.misses")
        .description("Renewal intervals that passed with the watchdog armed and not fed").register(registry);
    managerRound = Timer.builder("palisade.manager.round").description("Duration of one manager round (tick)")
        .serviceLevelObjectives(durations(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1))
        .register(registry);
    failover = Timer.builder("palisade.failover").description("Failover duration: a node seen leaving online "
        + "(unknown or fencing) until each of its resources is started on another node, as this node's view shows it")
        .serviceLevelObjectives(durations(1, 2.5, 5, 10, 15, 20, 30, 45, 60, 120, 300)).register(registry);
    Gauge.builder("palisade.lease.age", this, Metrics::leaseAgeSeconds).baseUnit("seconds")
        .description("Time since this node's last committed lease renewal (NaN: none yet)").register(registry);
    Gauge.builder("palisade.loop.tick.age", this, m -> (System.nanoTime() - m.lastTickNanos) / 1e9).baseUnit(
        "seconds").description("Time since the daemon's event loop last ran a tick").register(registry);
    Gauge.builder("palisade.store.connected", this, m -> m.last != null && m.last.connected() ? 1 : 0)
        .description("1 while the store client is connected to a ZooKeeper server").register(registry);
    Gauge.builder("palisade.store.synced", this, m -> m.last != null && m.last.synced() ? 1 : 0)
        .description("1 while the store view is current (connected to a quorum)").register(registry);
    for (NodeState s : NodeState.values()) {
      Gauge.builder("palisade.nodes", this, m -> m.nodesIn(s)).tag("state", label(s.name()))
          .description("Cluster nodes by state, as this node's store view shows the manager's decision")
          .register(registry);
    }
    resources = MultiGauge.builder("palisade.resources")
        .description("Resources by state and assigned node, as this node's store view shows them")
        .register(registry);
    peerRole = MultiGauge.builder("palisade.store.peer.role")
        .description("1 for the mode of this node's embedded ZooKeeper peer (leader, follower, standalone)")
        .register(registry);
    fenceDeviceUp = MultiGauge.builder("palisade.fence.device.up")
        .description("1 when the fence device passed its last periodic status check, 0 when it failed")
        .register(registry);
    lastTickNanos = startNanos;
  }

  private static Duration[] durations(double... seconds) {
    Duration[] d = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) d[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
    return d;
  }

  static String label(String enumName) {
    return enumName.toLowerCase(Locale.ROOT);
  }

  // ---- Telemetry (on the loop) ---------------------------------------------------------------------------------

  @Override
  public void tick(Tick t) {
    last = t;
    long now = System.nanoTime();
    lastTickNanos = now;
    for (long d : failovers.update(t.state(), now)) failover.record(d, TimeUnit.NANOSECONDS);
    timeline.update(t.state(), System.currentTimeMillis());
  }

  @Override
  public void storeRequest(String kind, String result, long nanos) {
    // every renewal passes here: the timers are looked up in a small map, not rebuilt by the registry each time
    timers.computeIfAbsent(kind + " " + result, k -> Timer.builder("palisade.store.request")
        .description("Store transaction latency by kind and result").tags("kind", kind, "result", result)
        .serviceLevelObjectives(LATENCY).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    if (kind.equals("lease")) {
      timers.computeIfAbsent("renewal " + result, k -> Timer.builder("palisade.lease.renewal")
          .description("Latency of this node's lease renewals by result").tags("result", result)
          .serviceLevelObjectives(LATENCY).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
      if (result.equals("committed")) lastRenewalNanos = System.nanoTime();
    }
  }

  @Override
  public void managerRound(long nanos) {
    managerRound.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void watchdogFeed() {
    feeds.increment();
  }

  @Override
  public void watchdogMiss() {
    misses.increment();
  }

  @Override
  public void fence(String device, String action, boolean ok, long millis) {
    Tags tags = Tags.of("device", device, "action", action, "result", ok ? "ok" : "failed");
    Counter.builder("palisade.fence.operations").description("Fence device calls this node executed")
        .tags(tags).register(registry).increment();
    Timer.builder("palisade.fence.operation").description("Duration of fence device calls this node executed")
        .tags(tags).serviceLevelObjectives(FENCE).register(registry).record(millis, TimeUnit.MILLISECONDS);
  }

  // ---- read by the HTTP server --------------------------------------------------------------------------------

  /** Seconds since the loop last ticked. */
  double tickAgeSeconds() {
    return (System.nanoTime() - lastTickNanos) / 1e9;
  }

  /** Seconds since the last committed renewal; NaN when there was none. */
  double leaseAgeSeconds() {
    long at = lastRenewalNanos;
    return at == 0 ? Double.NaN : (System.nanoTime() - at) / 1e9;
  }

  /** The fence timelines this node's view saw. */
  Timeline timeline() {
    return timeline;
  }

  /** The last tick's snapshot, or null before the first. */
  Tick last() {
    return last;
  }

  boolean synced() {
    Tick t = last;
    return t != null && t.synced();
  }

  private double nodesIn(NodeState s) {
    Tick t = last;
    if (t == null || t.state() == null) return 0;
    return t.state().nodes().values().stream().filter(n -> n.state() == s).count();
  }

  /** Recomputes the scrape-time gauges (resources, peer role); called by the HTTP server before a scrape. */
  synchronized void refresh() {
    Tick t = last;
    ManagerState ms = t == null ? null : t.state();
    Map<List<String>, Integer> counts = new TreeMap<>((a, b) -> (a.get(0) + "\0" + a.get(1))
        .compareTo(b.get(0) + "\0" + b.get(1)));
    if (ms != null) {
      for (ServiceStatus s : ms.services().values()) {
        counts.merge(List.of(label(s.state().name()), s.node() == null ? "" : s.node()), 1, Integer::sum);
      }
    }
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    counts.forEach((k, n) -> rows.add(MultiGauge.Row.of(Tags.of("state", k.get(0), "assigned", k.get(1)), n)));
    resources.register(rows, true);
    List<MultiGauge.Row<?>> devices = new ArrayList<>();
    if (t != null && t.history() != null) {
      for (palisade.core.FenceEntry e : t.history().entries()) { // the history keeps one check line per device
        if (e.action().equals(palisade.core.FenceEntry.CHECK)) {
          devices.add(MultiGauge.Row.of(Tags.of("device", e.device()), e.checkOk() ? 1 : 0));
        }
      }
    }
    fenceDeviceUp.register(devices, true);
    String mode = peerMode.get();
    peerRole.register(mode == null ? List.of() : List.of(MultiGauge.Row.of(Tags.of("role", label(mode)), 1)),
        true);
  }

  String scrape() {
    refresh();
    return registry.scrape();
  }
}
