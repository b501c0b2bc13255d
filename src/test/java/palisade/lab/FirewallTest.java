package palisade.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The rules the firewall asks iptables for, through a recording shell: what is added is removed exactly. */
class FirewallTest {
  private final List<String> calls = new ArrayList<>();
  private final List<String> live = new ArrayList<>();
  private final Map<String, Duration> delays = new TreeMap<>();
  private int failOnCall = -1;

  private Firewall firewall() {
    List<Firewall.Node> nodes = List.of(
        new Firewall.Node("node1", 1, "127.0.1.1", List.of("palisade/lab-x-node1")),
        new Firewall.Node("node2", 2, "127.0.1.2", List.of("palisade/lab-x-node2", "palisade/lab-x-node2-peer")),
        new Firewall.Node("node3", 3, "127.0.1.3", List.of("palisade/lab-x-node3")));
    Map<String, List<String>> via = Map.of("node1>node2", List.of("127.1.1.2"), "node2>node1", List.of("127.1.2.1"));
    return new Firewall("lab-x", nodes, via, 20010, 20012, delays::put, argv -> {
      calls.add(String.join(" ", argv));
      if (calls.size() == failOnCall) throw new IOException("refused");
      String rule = String.join(" ", argv.subList(3, argv.size()));
      if (argv.contains("-A")) {
        live.add(rule.replace(" -A ", " "));
      } else if (argv.contains("-D")) {
        assertThat(live.remove(rule.replace(" -D ", " "))).as("deleted exactly as added: %s", rule).isTrue();
      }
      return "";
    });
  }

  @Test
  void startStampsEachCgroupsNewConnectionsWithItsNodesIndex() throws Exception {
    Firewall f = firewall();
    f.start();
    assertThat(calls).hasSize(4).allMatch(c -> c.startsWith("iptables -w 5 -t mangle -A OUTPUT -o lo -p tcp "
        + "--dport 20010:20012 -m cgroup --path palisade/lab-x-node"));
    assertThat(calls.get(2)).contains("--path palisade/lab-x-node2-peer ").contains("--comment palisade-lab-x/track")
        .endsWith("-j CONNMARK --set-xmark 0x00200000/0x00f00000");
    f.close();
    assertThat(live).isEmpty();
  }

  @Test
  void aOneWayCutDropsWhatASendsOnConnectionsEitherSideOpened() throws Exception {
    Firewall f = firewall();
    f.start();
    calls.clear();
    f.cutOneWay("node1", "node2");
    assertThat(calls).containsExactly(
        "iptables -w 5 -t filter -A OUTPUT -o lo -p tcp -d 127.0.1.2 --dport 20010:20012 -m connmark --mark "
            + "0x00100000/0x00f00000 -m comment --comment palisade-lab-x/cut:node1>node2 -j DROP",
        "iptables -w 5 -t filter -A OUTPUT -o lo -p tcp -d 127.1.1.2 --dport 20010:20012 -m connmark --mark "
            + "0x00100000/0x00f00000 -m comment --comment palisade-lab-x/cut:node1>node2 -j DROP",
        "iptables -w 5 -t filter -A OUTPUT -o lo -p tcp -s 127.0.1.1 --sport 20010:20012 -m connmark --mark "
            + "0x00200000/0x00f00000 -m comment --comment palisade-lab-x/cut:node1>node2 -j DROP",
        "iptables -w 5 -t filter -A OUTPUT -o lo -p tcp -s 127.1.2.1 --sport 20010:20012 -m connmark --mark "
            + "0x00200000/0x00f00000 -m comment --comment palisade-lab-x/cut:node1>node2 -j DROP");
    f.cutOneWay("node1", "node2"); // idempotent
    assertThat(calls).hasSize(4);
    f.heal();
    assertThat(f.activeRules()).allMatch(r -> r.contains("/track")).hasSize(4);
    f.close();
    assertThat(live).isEmpty();
  }

  @Test
  void isolationCutsBothDirectionsToEveryOtherNodeAndHealRemovesThem() throws Exception {
    Firewall f = firewall();
    f.start();
    f.isolate("node3");
    assertThat(f.activeRules()).filteredOn(r -> r.contains("/cut:")).hasSize(8)
        .anyMatch(r -> r.contains("cut:node3>node1")).anyMatch(r -> r.contains("cut:node1>node3"))
        .anyMatch(r -> r.contains("cut:node3>node2")).anyMatch(r -> r.contains("cut:node2>node3"))
        .noneMatch(r -> r.contains("cut:node1>node2"));
    f.latency("node2", 200);
    assertThat(delays).containsEntry("node2", Duration.ofMillis(200));
    f.heal();
    assertThat(delays).containsEntry("node2", Duration.ZERO);
    assertThat(live).hasSize(4);
    f.close();
    assertThat(live).isEmpty();
  }

  @Test
  void aFailedAddLeavesNothingBehindAndBadInputIsRefused() throws Exception {
    Firewall f = firewall();
    f.start();
    failOnCall = calls.size() + 2;
    assertThatThrownBy(() -> f.cut("node1", "node3")).hasMessageContaining("refused");
    assertThat(live).hasSize(4); // the first rule of the cut was taken back
    assertThatThrownBy(() -> f.cut("node1", "node9")).hasMessageContaining("no node 'node9'");
    assertThatThrownBy(() -> f.cut("node1", "node1")).hasMessageContaining("itself");
    assertThatThrownBy(() -> f.flap("node1", "node2", 10, 1_000)).hasMessageContaining("period");
    f.close();
    assertThat(live).isEmpty();
  }

  @Test
  void aFlappingLinkEndsHealed() throws Exception {
    Firewall f = firewall();
    f.start();
    f.flap("node1", "node2", 100, 450);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !f.flapping());
    assertThat(calls).filteredOn(c -> c.contains("/cut:node1>node2") && c.contains(" -A ")).hasSizeGreaterThan(4);
    assertThat(f.activeRules()).noneMatch(r -> r.contains("/cut:"));
    f.flap("node1", "node2", 100, 60_000);
    f.heal(); // stops it at once
    assertThat(f.flapping()).isFalse();
    assertThat(f.activeRules()).noneMatch(r -> r.contains("/cut:"));
    f.close();
    assertThat(live).isEmpty();
  }

  @Test
  void sweepDeletesEveryRuleOfItsTagAsIptablesListsIt() throws Exception {
    List<List<String>> ran = new ArrayList<>();
    String saved = String.join("\n", "*mangle", ":OUTPUT ACCEPT [0:0]",
        "-A OUTPUT -o lo -p tcp -m tcp --dport 20010:20012 -m cgroup --path \"palisade/lab-x-node1\" -m comment "
            + "--comment palisade-lab-x/track -j CONNMARK --set-xmark 0x100000/0xf00000",
        "COMMIT", "*filter", ":OUTPUT ACCEPT [0:0]",
        "-A OUTPUT -d 127.0.1.2/32 -o lo -p tcp -m tcp --dport 20010:20012 -m connmark --mark 0x100000/0xf00000 "
            + "-m comment --comment \"palisade-lab-x/cut:node1>node2\" -j DROP",
        "-A OUTPUT -d 127.0.1.2/32 -m comment --comment \"palisade-lab-y/cut:node1>node2\" -j DROP",
        "-A OUTPUT -d 10.0.0.1/32 -j DROP", "COMMIT");
    Firewall f = new Firewall("lab-x", List.of(new Firewall.Node("node1", 1, "127.0.1.1", List.of("a")),
        new Firewall.Node("node2", 2, "127.0.1.2", List.of("b"))), Map.of(), 20010, 20012, null, argv -> {
          ran.add(argv);
          return argv.get(0).equals("iptables-save") ? saved : "";
        });
    assertThat(f.sweep("cut:")).isEqualTo(1);
    assertThat(ran.get(1)).containsExactly("iptables", "-w", "5", "-t", "filter", "-D", "OUTPUT", "-d",
        "127.0.1.2/32", "-o", "lo", "-p", "tcp", "-m", "tcp", "--dport", "20010:20012", "-m", "connmark", "--mark",
        "0x100000/0xf00000", "-m", "comment", "--comment", "palisade-lab-x/cut:node1>node2", "-j", "DROP");
    ran.clear();
    assertThat(f.sweep("")).isEqualTo(2);
    assertThat(ran.get(1)).contains("mangle", "palisade/lab-x-node1");
  }
}
