package palisade.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.zookeeper.KeeperException;
import palisade.core.ClusterConfig;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.EmbeddedPeer;
import palisade.runtime.store.PeerPlan;
import palisade.runtime.store.StorePeers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade store peers` and `store peer add|remove NODE...`: the embedded store's peers, changed live through
 * ZooKeeper's dynamic reconfiguration (an admin credential only; every change is an event naming who made it).
 */
final class StorePeerCommands {
  private StorePeerCommands() {}

  @Command(name = "peers", description = {"List the store's peers and their roles",
      "Each peer's server id, node, address, role (leader, follower, observer, or standby: a peer that runs but does "
      + "not vote yet) and whether it answered, and the membership's version."})
  static final class Peers implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    OutputOption output = new OutputOption();

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        StorePeers.Membership m = StorePeers.membership(admin);
        List<Map<String, Object>> rows = rows(m, StorePeers.offers(admin), admin);
        if (output.json()) {
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("version", m.version() < 0 ? null : Long.toHexString(m.version()));
          body.put("voters", m.voters().size());
          body.put("peers", rows);
          OutputOption.print(body, System.out);
          return 0;
        }
        System.out.printf("%-4s %-10s %-22s %-9s %s%n", "ID", "NODE", "ADDRESS", "ROLE", "REACHABLE");
        for (Map<String, Object> r : rows) {
          System.out.printf("%-4s %-10s %-22s %-9s %s%n", r.get("id"), r.get("node"), r.get("address"),
              r.get("role"), (boolean) r.get("reachable") ? "yes" : "no");
        }
        System.out.println(m.voters().size() + " voting peers, membership version "
            + (m.version() < 0 ? "unknown" : Long.toHexString(m.version())));
        if (rows.stream().noneMatch(r -> (boolean) r.get("reachable")) && StorePeers.offers(admin).isEmpty()) {
          System.out.println("no daemon publishes its peer: dynamic reconfiguration is off (store.reconfig: no, a "
              + "witness, or an external ensemble), the peers are the configured ones");
        }
      }
      return 0;
    }
  }

  /** The store's voters and standby peers by node, and the membership version (hex), for `status`. */
  record Summary(String version, List<String> voters, List<String> standby) {
    /** "store peers: 5 voting (node1, ...), standby node6, membership version 1000000b0". */
    String line() {
      return "store peers: " + voters.size() + " voting (" + String.join(", ", voters) + ")"
          + (standby.isEmpty() ? "" : ", standby " + String.join(", ", standby)) + ", membership version " + version;
    }
  }

  /**
   * The summary, or empty when no daemon publishes its peer (reconfiguration off: the peers are the configured
   * ones, which the store line lists already) or the membership cannot be read.
   */
  static java.util.Optional<Summary> summary(Admin admin) {
    try {
      StorePeers.Membership m = StorePeers.membership(admin);
      Map<String, StorePeers.Offer> offers = StorePeers.offers(admin);
      if (m.version() < 0 || m.servers().isEmpty() || offers.isEmpty()) return java.util.Optional.empty();
      List<String> voters = m.voters().stream().map(s -> PeerPlan.nameOf(s.id(), offers)).toList();
      List<String> standby = offers.values().stream().filter(o -> !m.has(o.id())).map(StorePeers.Offer::node)
          .toList();
      return java.util.Optional.of(new Summary(Long.toHexString(m.version()), voters, standby));
    } catch (Exception e) {
      return java.util.Optional.empty(); // best effort: the store line says how the store is
    }
  }

  /** Every member and every published standby peer, by server id, each asked its mode. */
  static List<Map<String, Object>> rows(StorePeers.Membership m, Map<String, StorePeers.Offer> offers, Admin admin) {
    Set<Integer> ids = new TreeSet<>();
    m.servers().forEach(s -> ids.add(s.id()));
    offers.values().forEach(o -> ids.add(o.id()));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int id : ids) {
      String node = PeerPlan.nameOf(id, offers);
      StorePeers.Offer o = offers.get(node);
      StorePeers.Server s = m.servers().stream().filter(x -> x.id() == id).findFirst().orElse(null);
      String mode = o == null ? null : EmbeddedPeer.mode(o.address(), o.clientPort(), admin.credential());
      String role;
      if (s == null) role = "standby";
      else if (!s.voter()) role = "observer";
      else role = mode == null || mode.equals("observer") ? "voter" : mode;
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", id);
      r.put("node", node);
      r.put("address", o != null ? o.address() + ":" + o.clientPort() : s.host() + ":" + s.peerPort());
      r.put("role", role);
      r.put("voting", s != null && s.voter());
      r.put("reachable", mode != null);
      rows.add(r);
    }
    return rows;
  }

  @Command(name = "peer", description = "Add or remove store peers live (ZooKeeper's dynamic reconfiguration)",
      subcommands = {Add.class, Remove.class})
  static final class Peer {}

  /** What add and remove share: the store, the nodes, --allow-even. */
  abstract static class Change implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--allow-even", description = "allow an even number of voting peers afterwards (a step in "
        + "between; an even ensemble survives no more losses than one peer fewer)")
    boolean allowEven;

    @Parameters(arity = "1..*", paramLabel = "NODE", description = "the nodes whose peers change")
    List<String> nodes;

    abstract PeerPlan.Ask ask();

    abstract String verb();

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
        if (cfg == null) throw new CliError("no configuration in the store yet; nothing changed");
        StorePeers.Membership m = StorePeers.membership(admin);
        Map<String, StorePeers.Offer> offers = StorePeers.offers(admin);
        Set<String> answering = new TreeSet<>();
        for (StorePeers.Offer o : offers.values()) {
          if (ask().add().contains(o.node()) && EmbeddedPeer.mode(o.address(), o.clientPort(), admin.credential())
              != null) {
            answering.add(o.node());
          }
        }
        PeerPlan.Plan plan;
        try {
          plan = PeerPlan.plan(m, offers, cfg.nodes().keySet(), answering, ask());
        } catch (PeerPlan.Refused e) {
          throw new CliError("refused: " + e.getMessage() + "; nothing changed");
        }
        StorePeers.Membership after = apply(admin, plan);
        String what = verb() + " store peer" + (nodes.size() > 1 ? "s " : " ") + String.join(", ", nodes)
            + "; voting peers now " + String.join(", ", plan.voters()) + " (membership version "
            + Long.toHexString(after.version()) + ")";
        admin.audit(what);
        System.out.println(what);
      }
      return 0;
    }

    /** The reconfiguration; ZooKeeper's refusals as one line each. */
    private static StorePeers.Membership apply(Admin admin, PeerPlan.Plan plan) throws Exception {
      try {
        return StorePeers.apply(admin, plan);
      } catch (KeeperException.NewConfigNoQuorum e) {
        throw new CliError("the store refused: too few peers of the new membership are connected and synced to "
            + "form its quorum (start their daemons and wait); nothing changed", 1);
      } catch (KeeperException.BadVersionException | KeeperException.ReconfigInProgress e) {
        throw new CliError("the store's membership changed meanwhile (another reconfiguration): look again with "
            + "`palisade store peers`; nothing changed", 1);
      } catch (KeeperException.NoAuthException e) {
        throw new CliError("only an admin credential may change the store's peers (" + admin.credential().who()
            + " may not); nothing changed");
      } catch (KeeperException.ReconfigDisabledException | KeeperException.UnimplementedException e) {
        throw new CliError("the store does not allow reconfiguration (store.reconfig: no, a witness, a single peer "
            + "or an external ensemble); nothing changed");
      }
    }
  }

  @Command(name = "add", description = {"Make the peers of NODE... voting members of the store",
      "One reconfiguration for all of them. Each NODE's daemon must run a standby peer (store.peer: yes in its configuration) that "
      + "answers. Refused when the number of voters would be even (add two at once, or --allow-even) or above 9. "
      + "Needs an admin credential; recorded in the events with who made it."})
  static final class Add extends Change {
    @Override
    PeerPlan.Ask ask() {
      return new PeerPlan.Ask(nodes, List.of(), allowEven);
    }

    @Override
    String verb() {
      return "added";
    }
  }

  @Command(name = "remove", description = {"Remove the peers of NODE... from the store's voting members",
      "One reconfiguration for all of them (the leader too: ZooKeeper hands leadership over). Refused below 3 voters or when the "
      + "number would be even (remove two at once, or --allow-even). A removed peer whose daemon runs stays a "
      + "non-voting follower (standby). Needs an admin credential; recorded in the events with who made it."})
  static final class Remove extends Change {
    @Override
    PeerPlan.Ask ask() {
      return new PeerPlan.Ask(List.of(), nodes, allowEven);
    }

    @Override
    String verb() {
      return "removed";
    }
  }
}
