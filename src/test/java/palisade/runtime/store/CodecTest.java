package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import palisade.core.AgentMode;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.ClusterConfig;
import palisade.core.Command;
import palisade.core.Commands;
import palisade.core.ConfirmKind;
import palisade.core.FenceConfirmation;
import palisade.core.ManagerLease;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.RequestOutcome;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ResourceResult;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.SpmRole;
import palisade.core.ShutdownPolicy;

/** Every store record survives JSON and comes back equal, typed by its path. */
class CodecTest {
  private static Object roundTrip(String path, Object value) throws Exception {
    return Codec.decode(path, Codec.encode(value));
  }

  @Test
  void recordsRoundTrip() throws Exception {
    ClusterConfig cfg = new ClusterConfig(new TreeMap<>(Map.of("node1", NodeConfig.standard("node1"))),
        new TreeMap<>(), new TreeMap<>(Map.of("vm:101", new ResourceConfig("vm:101", "node1", RequestState.STARTED,
        null, 2, 1, 1, List.of("d1"), "process", new TreeMap<>(Map.of("command", "sleep 1000"))))),
        ShutdownPolicy.CONDITIONAL);
    assertThat(roundTrip("/config", cfg)).isEqualTo(cfg);

    Commands cmds = Commands.empty().append(s -> new Command.Migrate(s, "vm:101", "node2"), 0)
        .append(s -> new Command.FenceConfirm(s, "node3", "root"), 0)
        .append(s -> new Command.Maintenance(s, "node1", true), 0)
        .append(s -> new Command.Relocate(s, "vm:101", "node1"), 0);
    assertThat(roundTrip("/commands", cmds)).isEqualTo(cmds);

    ManagerLease lease = new ManagerLease("node1", 3, 42);
    assertThat(roundTrip("/manager/lease", lease)).isEqualTo(lease);

    ManagerState ms = new ManagerState(3, 7, 2,
        new TreeMap<>(Map.of("node3", new NodeStatus(NodeState.FENCED, 1,
            new FenceConfirmation(ConfirmKind.WATCHDOG, "watchdog", 1)), "node1", NodeStatus.initial())),
        new TreeMap<>(Map.of("vm:101", new ServiceStatus(ServiceState.STARTED, "node1", null, 5, 0,
            new TreeSet<>(List.of("node2")), null))));
    assertThat(roundTrip("/manager/state", ms)).isEqualTo(ms);
    ManagerState checking = new ManagerState(3, 12, 2, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(Map.of(
        "node3", new palisade.core.FenceTask("node3", 10, 2, "node2", List.of(List.of("pdu-a", "pdu-b")), false,
        "same site dc1"))), null, null, null, new palisade.core.DeviceCheckOrder(11, "node2", new TreeMap<>(Map.of(
        "bmc3", "node3"))));
    assertThat(roundTrip("/manager/state", checking)).as("proxy reason and device check order").isEqualTo(checking);
    ManagerState withSpm = new ManagerState(3, 9, 2, ms.nodes(), ms.services(), ms.fencing(),
        new SpmRole("node1", 8, true));
    assertThat(roundTrip("/manager/state", withSpm)).isEqualTo(withSpm);

    NodeRecord rec = new NodeRecord("node2", 1, true, 9, AgentMode.ACTIVE,
        new TreeMap<>(Map.of("vm:102", new ResourceResult(4, RequestOutcome.STARTED))), true, true, 6, "linux",
        palisade.core.Timing.defaults(), 0);
    assertThat(roundTrip("/nodes/node2", rec)).isEqualTo(rec);
    NodeRecord held = rec.held(60_000);
    assertThat(roundTrip("/nodes/node2", held)).isEqualTo(held); // a restart hold survives the store
    FenceHistory history = FenceHistory.empty().append(List.of(new FenceEntry("node3", 7, 1, "bmc3", "off", "ok",
        "node1", 1_700_000_000_000L, 1_700_000_000_500L)));
    assertThat(roundTrip("/fence/history", history)).isEqualTo(history);
  }

  @Test
  void disarmRoundTripsAndOlderRecordsReadAsArmed() throws Exception {
    Commands cmds = Commands.empty().append(s -> new Command.Disarm(s, palisade.core.HaMode.Kind.IGNORE), 0)
        .append(Command.Arm::new, 0);
    assertThat(roundTrip("/commands", cmds)).isEqualTo(cmds);
    ManagerState armed = ManagerState.empty().withEpoch(2);
    ManagerState disarming = new ManagerState(2, 1, 0, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), null,
        null, null, null, new palisade.core.HaMode(palisade.core.HaMode.Phase.DISARMING,
        palisade.core.HaMode.Kind.FREEZE));
    assertThat(roundTrip("/manager/state", disarming)).isEqualTo(disarming);
    String older = new String(Codec.encode(armed), java.nio.charset.StandardCharsets.UTF_8)
        .replaceAll(",?\"ha\":\\{[^}]*\\}", "");
    assertThat(older).doesNotContain("\"ha\"");
    assertThat(((ManagerState) Codec.decode("/manager/state", older.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .ha()).as("a state written before HA disarm: armed").isEqualTo(palisade.core.HaMode.ARMED);

    NodeRecord released = NodeRecord.fresh("node2", "linux", palisade.core.Timing.defaults()).releasedAs(true);
    assertThat(roundTrip("/nodes/node2", released)).isEqualTo(released);
    assertThat(released.watchdogProtects(palisade.core.Timing.defaults())).as("a released watchdog proves nothing")
        .isFalse();
    assertThat(released.fence().released()).as("the fence write keeps the claim").isTrue();
    String olderRec = new String(Codec.encode(released.releasedAs(false)), java.nio.charset.StandardCharsets.UTF_8)
        .replace(",\"released\":false", "");
    assertThat(olderRec).doesNotContain("released");
    assertThat(((NodeRecord) Codec.decode("/nodes/node2", olderRec.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .released()).as("a record written before HA disarm").isFalse();
  }

  @Test
  void repairAfterAndRepairOrdersRoundTripAndOlderRecordsReadAsOff() throws Exception {
    ClusterConfig cfg = new ClusterConfig(new TreeMap<>(Map.of("node1", NodeConfig.standard("node1"))),
        new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL, palisade.core.Timing.defaults(), 600_000);
    assertThat(roundTrip("/config", cfg)).isEqualTo(cfg);
    String older = new String(Codec.encode(cfg), java.nio.charset.StandardCharsets.UTF_8)
        .replace(",\"repairAfterMs\":600000", "");
    assertThat(older).doesNotContain("repairAfterMs");
    assertThat(((ClusterConfig) Codec.decode("/config", older.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .repairAfterMs()).as("a /config written before repair_after: off").isZero();

    ClusterConfig fenced = cfg.withFence(new palisade.core.FenceOptions(60_000, 20_000, 500, 0));
    assertThat(roundTrip("/config", fenced)).isEqualTo(fenced);
    String noFence = older.replaceAll(",?\"fence\":\\{[^}]*\\}", "");
    assertThat(noFence).doesNotContain("\"fence\"");
    assertThat(((ClusterConfig) Codec.decode("/config", noFence.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .fence()).as("a /config written before the fence options: the defaults")
        .isEqualTo(palisade.core.FenceOptions.defaults());

    palisade.core.FenceTask repair = new palisade.core.FenceTask("node3", 8, 2, "node2", List.of(List.of("bmc3")),
        true);
    ManagerState ms = new ManagerState(3, 9, 2, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(Map.of("node3",
        repair)), null);
    assertThat(roundTrip("/manager/state", ms)).isEqualTo(ms);
    FenceHistory history = FenceHistory.empty().append(List.of(new FenceEntry("node3", 2, 0, null,
        FenceEntry.SUMMARY, FenceEntry.WATCHDOG, "node1", 1_700_000_000_000L, 1_700_000_000_000L)));
    FenceHistory back = (FenceHistory) roundTrip("/fence/history", history);
    assertThat(back).isEqualTo(history);
    assertThat(back.entries().get(0).kind()).isEqualTo("watchdog");
  }

  @Test
  void pathsWithoutARecordDecodeToNull() throws Exception {
    assertThat(Codec.typeOf("/nodes")).isNull();
    assertThat(Codec.typeOf("/events/e-0000000001")).isNull();
    assertThat(Codec.typeOf("/nodes/node1/x")).isNull();
    assertThat(Codec.decode("/nodes", new byte[0])).isNull();
  }
}
