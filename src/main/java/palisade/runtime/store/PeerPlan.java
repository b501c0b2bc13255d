package palisade.runtime.store;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a change of the store's voting peers before anything is written (`palisade store peer add|remove`), with
 * no I/O: the membership, the nodes' peer records, the cluster's nodes and which peers answered are its inputs.
 * A refusal says what is wrong and why the rule exists; nothing is changed then.
 */
public final class PeerPlan {
  private PeerPlan() {}

  /** A refused change: the message is for the operator, as it stands. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  /**
   * One incremental reconfiguration.
   *
   * @param joining server lines of the peers that become voters
   * @param leaving server ids of the peers that stop voting (and leave the ensemble)
   * @param fromVersion the membership version it applies to (ZooKeeper refuses it if the membership changed since)
   * @param voters the voters afterwards, by node name (or "server N" for an id no node published)
   * @param members every server line of the membership afterwards, by id
   */
  public record Plan(List<String> joining, List<Integer> leaving, long fromVersion, List<String> voters,
      List<String> members) {}

  /** What an operator asks for and what the cluster looks like. */
  public record Ask(List<String> add, List<String> remove, boolean allowEven) {}

  /**
   * The reconfiguration for {@code ask}, or why not.
   *
   * @param nodes the cluster's nodes (its /config)
   * @param answering nodes whose peer answered just now (any mode)
   */
  public static Plan plan(StorePeers.Membership cur, Map<String, StorePeers.Offer> offers, Set<String> nodes,
      Set<String> answering, Ask ask) throws Refused {
    Set<Integer> voters = new TreeSet<>();
    cur.voters().forEach(s -> voters.add(s.id()));
    List<String> joining = new ArrayList<>();
    for (String n : distinct(ask.add(), "add")) {
      StorePeers.Offer o = offerOf(n, offers, nodes);
      if (voters.contains(o.id())) throw new Refused(n + " is a voting store peer already (server " + o.id() + ")");
      if (!answering.contains(n)) {
        throw new Refused(n + "'s store peer does not answer at " + o.address() + ":" + o.clientPort() + ": start "
            + "its daemon (with store.peer: yes) and wait until its peer has synced, then add it");
      }
      joining.add(o.serverLine());
      voters.add(o.id());
    }
    List<Integer> leaving = new ArrayList<>();
    for (String n : distinct(ask.remove(), "remove")) {
      StorePeers.Offer o = offerOf(n, offers, nodes);
      if (ask.add().contains(n)) throw new Refused(n + " is both added and removed");
      if (!voters.contains(o.id())) throw new Refused(n + " is not a voting store peer (server " + o.id() + ")");
      leaving.add(o.id());
      voters.remove(o.id());
    }
    check(voters.size(), ask.allowEven());
    List<String> names = new ArrayList<>();
    for (int id : voters) names.add(nameOf(id, offers));
    java.util.TreeMap<Integer, String> members = new java.util.TreeMap<>();
    cur.servers().forEach(srv -> members.put(srv.id(), StorePeers.line(srv)));
    leaving.forEach(members::remove);
    for (String n : ask.add()) members.put(offers.get(n).id(), offers.get(n).serverLine());
    return new Plan(List.copyOf(joining), List.copyOf(leaving), cur.version(), List.copyOf(names),
        List.copyOf(members.values()));
  }

  /** The voter count afterwards: at least three, at most nine, odd unless asked otherwise. */
  private static void check(int after, boolean allowEven) throws Refused {
    if (after < StorePeers.VOTERS_MIN) {
      throw new Refused(after + " voting store peers would remain; at least " + StorePeers.VOTERS_MIN + " are "
          + "needed (with fewer, the loss of one peer stops the store)");
    }
    if (after > StorePeers.VOTERS_MAX) {
      throw new Refused(after + " voting store peers is more than " + StorePeers.VOTERS_MAX + " (every write waits "
          + "for a majority of them)");
    }
    if (after % 2 == 0 && !allowEven) {
      throw new Refused(after + " voting store peers is an even number: " + after + " peers survive no more lost "
          + "peers than " + (after - 1) + " do and need one more answer for every write; add or remove two at once "
          + "(store peer add NODE NODE), or pass --allow-even for a step in between");
    }
  }

  /** The node's published peer; refused for a name that is no node or runs no peer. */
  private static StorePeers.Offer offerOf(String n, Map<String, StorePeers.Offer> offers, Set<String> nodes)
      throws Refused {
    if (!nodes.contains(n)) {
      throw new Refused("no node '" + n + "' in the cluster's configuration (" + String.join(", ", new TreeSet<>(nodes))
          + ")");
    }
    StorePeers.Offer o = offers.get(n);
    if (o == null) {
      throw new Refused(n + " runs no store peer: set store.peer: yes in its daemon configuration (it must be "
          + "beyond the first store.peers nodes) and restart its daemon");
    }
    return o;
  }

  private static List<String> distinct(List<String> names, String what) throws Refused {
    LinkedHashSet<String> set = new LinkedHashSet<>(names);
    if (set.size() != names.size()) throw new Refused(what + ": a node is named twice");
    return List.copyOf(set);
  }

  /** The node whose peer has server id {@code id}, or "server ID". */
  public static String nameOf(int id, Map<String, StorePeers.Offer> offers) {
    for (StorePeers.Offer o : offers.values()) {
      if (o.id() == id) return o.node();
    }
    return "server " + id;
  }
}
