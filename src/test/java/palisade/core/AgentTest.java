package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent rule of DESIGN, stepped by hand: feed only on in-time renewals; a fenced agent kills everything. */
class AgentTest {
  private final TreeMap<String, Versioned<Object>> store = new TreeMap<>();
  private final List<Runnable> pendingCommits = new ArrayList<>();
  private final List<String> log = new ArrayList<>();
  private final TreeSet<String> running = new TreeSet<>();
  private int feeds;
  private boolean armed;
  private int killAlls;
  /** Remembers its token; with slowStop, a deactivation ends only at finishStop() (a host's stop hook). */
  private final class Duty implements SpmDuty {
    long token;
    boolean slowStop;
    boolean ending;

    public long activeToken() {
      return token;
    }

    public void activate(long t) {
      token = t;
    }

    public void deactivate() {
      if (slowStop) {
        ending = true;
      } else {
        token = 0;
      }
    }

    public boolean stopping() {
      return ending;
    }

    void finishStop() {
      ending = false;
      token = 0;
    }
  }

  private final Duty spm = new Duty();
  private final List<Long> startedTokens = new ArrayList<>();
  private Agent agent;
  private AgentEnv env;
  /** Every restart hold the watchdog was asked for. */
  private final List<Long> holds = new ArrayList<>();
  private final Timing timing = Timing.defaults();

  /** Commits the oldest submitted transaction and acknowledges it at ackAtMs. */
  private void commitAndAck(long ackAtMs) {
    pendingCommits.remove(0).run();
    pending.remove(0).done(lastResult, ackAtMs);
  }

  private final List<Callback<TxnResult>> pending = new ArrayList<>();
  private TxnResult lastResult;

  @BeforeEach
  void setUp() {
    StoreClient client = new StoreClient() {
      @Override
      public StoreView view() {
        return store::get;
      }

      @Override
      public boolean synced() {
        return true;
      }

      @Override
      public void submit(Txn txn, Callback<TxnResult> done) {
        pending.add(done);
        pendingCommits.add(() -> {
          Op.Put put = (Op.Put) txn.ops().get(0);
          Versioned<Object> cur = store.get(put.path());
          long v = cur == null ? Op.ABSENT : cur.version();
          if (v != put.expectedVersion()) {
            lastResult = new TxnResult.Conflict(put.path());
            return;
          }
          store.put(put.path(), new Versioned<>(put.value(), v + 1));
          lastResult = new TxnResult.Committed(Map.of(put.path(), v + 1));
        });
      }
    };
    Watchdog dog = new Watchdog() {
      public void arm() {
        armed = true;
        feeds++;
      }

      public void feed() {
        feeds++;
      }

      public void disarm() {
        armed = false;
      }

      public String kind() {
        return "test";
      }

      public boolean armed() {
        return armed;
      }

      public boolean hold(long holdMs) {
        holds.add(holdMs);
        return true;
      }
    };
    LocalResources driver = new LocalResources() {
      public void start(ResourceConfig rc, long token, Callback<DriverResult> done) {
        running.add(rc.id());
        startedTokens.add(token);
        done.done(DriverResult.success(), 0);
      }

      public void stop(String id, Callback<DriverResult> done) {
        running.remove(id);
        done.done(DriverResult.success(), 0);
      }

      public void migrate(ResourceConfig rc, String target, long token, Callback<DriverResult> done) {
        done.done(DriverResult.failure("no"), 0);
      }

      public SortedSet<String> running() {
        return new TreeSet<>(running);
      }

      public void killAll() {
        killAlls++;
        running.clear();
      }
    };
    env = new AgentEnv() {
      public String node() {
        return "node1";
      }

      public StoreClient store() {
        return client;
      }

      public Watchdog watchdog() {
        return dog;
      }

      public LocalResources resources() {
        return driver;
      }

      public EventLog log() {
        return (s, m) -> log.add(s + ": " + m);
      }

      public SpmDuty spm() {
        return spm;
      }
    };
    agent = new Agent(env, timing);
    TreeMap<String, NodeConfig> nodes = new TreeMap<>(Map.of("node1", NodeConfig.standard("node1")));
    TreeMap<String, ResourceConfig> rs = new TreeMap<>(Map.of("vm:1",
        ResourceConfig.sim("vm:1", "node1", RequestState.STARTED, null, 0, 1, 1, List.of())));
    store.put(StorePaths.CONFIG, new Versioned<>(new ClusterConfig(nodes, new TreeMap<>(), rs,
        ShutdownPolicy.CONDITIONAL), 0));
    TreeMap<String, ServiceStatus> ss = new TreeMap<>(Map.of("vm:1",
        new ServiceStatus(ServiceState.STARTED, "node1", null, 5, 0, new TreeSet<>(), null)));
    store.put(StorePaths.MANAGER_STATE, new Versioned<>(new ManagerState(1, 6, 0, new TreeMap<>(), ss), 0));
  }

  @Test
  void feedsOnlyOnAcknowledgementsWithinX() {
    agent.tick(0);
    commitAndAck(5); // record created
    assertThat(agent.state()).isEqualTo(Agent.State.ACTIVE);
    agent.tick(1_000);
    commitAndAck(1_000 + timing.ackMs()); // exactly X: counts
    assertThat(armed).isTrue();
    int fed = feeds;
    agent.tick(2_000);
    commitAndAck(2_000 + timing.ackMs() + 1); // one millisecond late: the write committed but feeds nothing
    assertThat(feeds).isEqualTo(fed);
    assertThat(log).anyMatch(l -> l.contains("acknowledged late"));
    agent.tick(3_000);
    commitAndAck(3_010);
    assertThat(feeds).isEqualTo(fed + 1);
  }

  @Test
  void startsNothingBeforeTheWatchdogIsArmedThenStartsWithTheToken() {
    agent.tick(0);
    commitAndAck(timing.ackMs() + 500); // the record is created, but the acknowledgement comes late
    agent.tick(1_600);
    assertThat(armed).isFalse();
    assertThat(running).isEmpty(); // assigned, but no in-time write has armed the watchdog yet
    agent.tick(2_000);
    commitAndAck(2_003);
    agent.tick(2_250);
    assertThat(running).containsExactly("vm:1");
    assertThat(startedTokens).containsExactly(5L);
  }

  private NodeRecord own() {
    return (NodeRecord) store.get(StorePaths.node("node1")).value();
  }

  /** Booted, armed, vm:1 running: where a daemon restart starts from. */
  private void running() {
    agent.tick(0);
    commitAndAck(5);
    agent.tick(1_000);
    commitAndAck(1_003);
    agent.tick(1_250);
    assertThat(running).containsExactly("vm:1");
  }

  @Test
  void aDaemonRestartWritesItsHoldThenHasTheWatchdogHoldAndLeavesEverythingRunning() {
    running();
    assertThat(agent.requestRestart(1_300)).isTrue();
    agent.tick(1_300);
    assertThat(own().holdMs()).as("not before the write commits").isZero();
    commitAndAck(1_310);
    assertThat(own().holdMs()).isEqualTo(timing.restartHoldMs());
    assertThat(holds).containsExactly(timing.restartHoldMs());
    assertThat(agent.heldForRestart()).isTrue();
    assertThat(running).containsExactly("vm:1");
    assertThat(killAlls).isZero();
    agent.tick(5_000); // stopped: writes nothing more
    assertThat(pending).isEmpty();

    // The next daemon: its plug starts unarmed while the device may still count H. It keeps the hold in its writes
    // until it has armed the watchdog itself, and keeps vm:1 running (started here with its token).
    armed = false;
    agent = new Agent(env, timing);
    agent.tick(6_000);
    agent.tick(6_000);
    commitAndAck(6_005);
    assertThat(own().holdMs()).as("carried until armed at W").isEqualTo(timing.restartHoldMs());
    assertThat(armed).isTrue();
    agent.tick(7_000);
    commitAndAck(7_005);
    assertThat(own().holdMs()).as("cleared by the write after the arm").isZero();
    assertThat(running).containsExactly("vm:1");
    assertThat(startedTokens).containsExactly(5L);
    assertThat(log).anyMatch(l -> l.contains("restart hold released"));
  }

  @Test
  void aHoldAcknowledgedLateIsNoHold() {
    running();
    agent.requestRestart(1_300);
    agent.tick(1_300);
    commitAndAck(1_300 + timing.ackMs() + 1);
    assertThat(agent.stoppedForRestart()).isTrue();
    assertThat(agent.heldForRestart()).isFalse();
    assertThat(holds).as("the watchdog fires W after the last feed").isEmpty();
    assertThat(log).anyMatch(l -> l.contains("restart hold acknowledged late"));
  }

  @Test
  void aFencedAgentKillsEverythingAndStopsFeeding() {
    agent.tick(0);
    commitAndAck(5);
    agent.tick(1_000);
    commitAndAck(1_003);
    agent.tick(1_250);
    assertThat(running).containsExactly("vm:1");
    Versioned<Object> rec = store.get(StorePaths.node("node1"));
    store.put(StorePaths.node("node1"), new Versioned<>(((NodeRecord) rec.value()).fence(), rec.version() + 1));
    int fed = feeds;
    agent.tick(2_000);
    assertThat(killAlls).isEqualTo(1);
    assertThat(running).isEmpty();
    assertThat(agent.state()).isEqualTo(Agent.State.FENCED);
    assertThat(feeds).isEqualTo(fed);
    assertThat(log).anyMatch(l -> l.contains("active -> fenced"));
  }

  private void nameSpm(SpmRole role) {
    Versioned<Object> cur = store.get(StorePaths.MANAGER_STATE);
    ManagerState ms = (ManagerState) cur.value();
    store.put(StorePaths.MANAGER_STATE, new Versioned<>(new ManagerState(ms.epoch(), 9, 0, ms.nodes(),
        ms.services(), ms.fencing(), role), cur.version() + 1));
  }

  @Test
  void actsAsSpmOnlyWhileNamedWithAGoodLeaseAndReleasesWhenAsked() {
    nameSpm(new SpmRole("node1", 7, false));
    agent.tick(0);
    commitAndAck(timing.ackMs() + 500); // created, but acknowledged late: the watchdog stays unarmed
    agent.tick(1_600);
    assertThat(spm.activeToken()).isZero(); // named, but nothing protects it yet
    agent.tick(2_000);
    commitAndAck(2_003);
    agent.tick(2_250);
    assertThat(spm.activeToken()).isEqualTo(7);
    nameSpm(new SpmRole("node1", 7, true));
    agent.tick(2_500);
    assertThat(spm.activeToken()).isZero();
    for (long t = 3_000; t <= 4_000; t += 250) {
      agent.tick(t);
      while (!pending.isEmpty()) commitAndAck(t + 3);
    }
    assertThat(((NodeRecord) store.get(StorePaths.node("node1")).value()).spmReleased()).isEqualTo(7);
    nameSpm(new SpmRole("node1", 7, false)); // a stale view naming the released token again: never acted on
    agent.tick(4_250);
    assertThat(spm.activeToken()).isZero();
  }

  @Test
  void reportsTheRoleReleasedOnlyOnceItsStopIsOver() {
    spm.slowStop = true;
    nameSpm(new SpmRole("node1", 7, false));
    agent.tick(0);
    commitAndAck(5);
    agent.tick(1_000);
    commitAndAck(1_003);
    agent.tick(1_250);
    assertThat(spm.activeToken()).isEqualTo(7);
    nameSpm(new SpmRole("node1", 7, true));
    for (long t = 1_500; t <= 4_000; t += 250) {
      agent.tick(t);
      while (!pending.isEmpty()) commitAndAck(t + 3);
    }
    assertThat(spm.stopping()).isTrue();
    assertThat(((NodeRecord) store.get(StorePaths.node("node1")).value()).spmReleased())
        .as("not released while the stop runs: no other node may be named yet").isLessThan(7);
    spm.finishStop();
    for (long t = 4_250; t <= 6_000; t += 250) {
      agent.tick(t);
      while (!pending.isEmpty()) commitAndAck(t + 3);
    }
    assertThat(((NodeRecord) store.get(StorePaths.node("node1")).value()).spmReleased()).isEqualTo(7);
  }

  @Test
  void keepsActingAsSpmThroughFailedRenewalsAndStopsWhenFenced() {
    nameSpm(new SpmRole("node1", 7, false));
    agent.tick(0);
    commitAndAck(5);
    agent.tick(1_000);
    commitAndAck(1_003);
    agent.tick(1_250);
    assertThat(spm.activeToken()).isEqualTo(7);
    agent.tick(2_000); // this renewal is never acknowledged
    agent.tick(1_000 + 2 * timing.renewMs() + timing.ackMs() + 1);
    assertThat(log).anyMatch(l -> l.contains("lease renewal failed"));
    assertThat(spm.activeToken()).as("the watchdog, not a lost renewal, ends the role").isEqualTo(7);
    Versioned<Object> rec = store.get(StorePaths.node("node1"));
    store.put(StorePaths.node("node1"), new Versioned<>(((NodeRecord) rec.value()).fence(), rec.version() + 1));
    agent.tick(4_500);
    assertThat(spm.activeToken()).isZero();
    assertThat(log).anyMatch(l -> l.contains("no longer SPM (fenced)"));
  }

  private void setServices(TreeMap<String, ServiceStatus> services) {
    Versioned<Object> cur = store.get(StorePaths.MANAGER_STATE);
    ManagerState ms = (ManagerState) cur.value();
    store.put(StorePaths.MANAGER_STATE, new Versioned<>(new ManagerState(ms.epoch(), 9, 0, ms.nodes(), services,
        ms.fencing(), ms.spm()), cur.version() + 1));
  }

  @Test
  void refusesToStartWithATokenBelowOneItSaw() {
    agent.tick(0);
    commitAndAck(5);
    agent.tick(250);
    assertThat(startedTokens).containsExactly(5L);
    running.clear(); // it crashed; and a view regressed to an older request (a bug elsewhere) names token 3
    setServices(new TreeMap<>(Map.of("vm:1",
        new ServiceStatus(ServiceState.STARTED, "node1", null, 3, 0, new TreeSet<>(), null))));
    assertThatThrownBy(() -> agent.tick(500)).hasMessageStartingWith("invariant 2: ")
        .hasMessageContaining("token 3 below 5");
    assertThat(startedTokens).containsExactly(5L);
  }

  @Test
  void forgetsTheResultsOfResourcesTheManagerNoLongerKnows() {
    agent.tick(0);
    commitAndAck(5);
    agent.tick(250);
    while (!pending.isEmpty()) commitAndAck(253);
    assertThat(((NodeRecord) store.get(StorePaths.node("node1")).value()).results()).containsKey("vm:1");
    running.clear();
    setServices(new TreeMap<>());
    for (long t = 500; t <= 2_000; t += 250) {
      agent.tick(t);
      while (!pending.isEmpty()) commitAndAck(t + 3);
    }
    assertThat(((NodeRecord) store.get(StorePaths.node("node1")).value()).results()).isEmpty();
  }

  @Test
  void aShutdownRequestIsLoggedOnceAndEndsDownWithNothingRunning() {
    agent.tick(0);
    commitAndAck(5);
    agent.tick(250);
    assertThat(running).containsExactly("vm:1");
    agent.requestShutdown(false, 300);
    agent.requestShutdown(true, 310); // a second request changes nothing
    for (long t = 500; t <= 3_000 && !agent.isDown(); t += 250) {
      agent.tick(t);
      while (!pending.isEmpty()) commitAndAck(t + 3);
    }
    assertThat(log.stream().filter(l -> l.endsWith("requested"))).containsExactly("node1/agent: shutdown requested");
    assertThat(agent.isDown()).isTrue();
    assertThat(running).isEmpty();
    assertThat(armed).isFalse();
    assertThat(((NodeRecord) store.get(StorePaths.node("node1")).value()).mode()).isEqualTo(AgentMode.DOWN);
  }

  @Test
  void startsNothingWhoseDiskLeaseItDoesNotHoldUnderTheCurrentToken() {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>(Map.of("node1", NodeConfig.standard("node1")));
    TreeMap<String, ResourceConfig> rs = new TreeMap<>(Map.of("vm:1",
        ResourceConfig.sim("vm:1", "node1", RequestState.STARTED, null, 0, 1, 1, List.of("d1"))));
    store.put(StorePaths.CONFIG, new Versioned<>(new ClusterConfig(nodes, new TreeMap<>(), rs,
        ShutdownPolicy.CONDITIONAL), 1));
    leases(new DiskLease("node1", "vm:1", 4, 0)); // an older token's lease: not this assignment's
    agent.tick(0);
    commitAndAck(5);
    agent.tick(250);
    agent.tick(500);
    assertThat(running).isEmpty();
    assertThat(log.stream().filter(l -> l.contains("not starting"))).containsExactly("node1/agent: vm:1: not "
        + "starting (token 5): disk d1 lease is node1 (vm:1, token 4), not node1 under this token");
    leases(new DiskLease("node1", "vm:1", 5, 0));
    agent.tick(750);
    assertThat(running).containsExactly("vm:1");
    assertThat(startedTokens).containsExactly(5L);
  }

  private void leases(DiskLease d1) {
    Versioned<Object> cur = store.get(StorePaths.MANAGER_STATE);
    ManagerState ms = (ManagerState) cur.value();
    store.put(StorePaths.MANAGER_STATE, new Versioned<>(new ManagerState(ms.epoch(), ms.nextToken(), 0, ms.nodes(),
        ms.services(), ms.fencing(), ms.spm(), ms.maintenance(), ms.softFences(), ms.deviceCheck(), ms.ha(),
        new TreeMap<>(Map.of("d1", d1))), cur.version() + 1));
  }
}
