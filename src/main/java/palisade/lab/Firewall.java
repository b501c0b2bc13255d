package palisade.lab;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Network faults between the nodes of one local cluster, injected by the kernel (root): iptables rules on the
 * loopback interface (latency goes through a {@link Latency} plug, see there). Every rule is tagged
 * {@code palisade-<id>/...} and matches only this cluster's traffic, so other clusters on the same 127.0.1.x
 * addresses (other ports) are untouched; every rule is removed exactly (iptables -D with the same arguments).
 *
 * <p><b>Who sent a packet.</b> A node's servers bind its own 127.0.1.i, but its outgoing connections (ZooKeeper
 * quorum and election, its client) bind nothing and leave from 127.0.0.1, so addresses alone cannot say which node
 * opened a connection. The initiator is recorded instead, once, by its cgroup v2: {@link #start()} adds per node a
 * mangle rule that stamps the first packet of every TCP connection a node's processes open to the cluster's ports
 * with the node's index in the connection mark (bits {@value #CONNMARK_MASK_HEX}). From then on every packet of
 * that connection, in either direction, names its initiator. The responder is named by its address and port.
 * So "node a sends nothing to node b" is two drop rules in filter OUTPUT:
 * <ul>
 *   <li>connections a opened to b: mark = a, destination 127.0.1.b, destination port in the cluster's range;</li>
 *   <li>connections b opened to a: mark = b, source 127.0.1.a, source port in the cluster's range (a's answers,
 *   including the SYN-ACK the kernel sends for a's listening socket).</li>
 * </ul>
 * A node talking to itself (its daemon and its own store peer) and the operator's connections (the test JVM, the
 * CLI: not in a node's cgroup) are never cut. Connections opened before {@link #start()} carry no mark and are
 * never cut: start the firewall before the nodes.
 *
 * <p>Dropped, not rejected: the sender sees silence, as behind a dead link; TCP retransmits and the connection
 * recovers when the rule goes (within its retransmission backoff), unless a timeout above closed it meanwhile.
 */
public final class Firewall implements AutoCloseable {
  static final int CONNMARK_SHIFT = 20;
  static final String CONNMARK_MASK_HEX = "0x00f00000";
  static final int FLAP_PERIOD_MIN_MS = 100;
  static final long FLAP_DURATION_MAX_MS = 600_000;
  static final int LATENCY_MS_MAX = 10_000;
  static final long COMMAND_TIMEOUT_MS = 10_000;

  /** A node: its index (1..9) in the layout, its address, and the cgroup v2 paths of its processes. */
  public record Node(String name, int index, String address, List<String> cgroups) {
    public Node {
      cgroups = List.copyOf(cgroups);
      if (index < 1 || index > 9) throw new IllegalArgumentException(name + ": node index must be 1..9");
    }
  }

  /** Runs one command (iptables); returns its stdout, throws with its stderr on a non-zero exit. */
  public interface Shell {
    String run(List<String> argv) throws IOException;
  }

  /**
   * Where latency is made. This kernel has no {@code netem} (nor {@code prio}, nor the {@code fw} classifier), so
   * a delay cannot be put on loopback packets: the local cluster's fault-proxy links delay what a node sends
   * instead (see {@link Network#delay}).
   */
  public interface Latency {
    void set(String node, java.time.Duration egress);
  }

  /** One iptables rule as added: table, chain and the match/target arguments. */
  record Rule(String table, String chain, List<String> spec) {
    List<String> argv(String op) {
      List<String> a = new ArrayList<>(List.of("iptables", "-w", "5", "-t", table, op, chain));
      a.addAll(spec);
      return a;
    }
  }

  private final String tag;
  private final TreeMap<String, Node> nodes = new TreeMap<>();
  private final int portLow;
  private final int portHigh;
  private final Shell shell;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Rules by purpose key ("track", "cut node1>node2", "delay node2"), in the order added. */
  private final TreeMap<String, List<Rule>> rules = new TreeMap<>();
  private final TreeMap<String, Integer> latencyMs = new TreeMap<>();
  private final Latency latency;
  /** Extra addresses by which one node reaches another ("node1>node2" -> the fault-proxy link 127.1.1.2). */
  private final TreeMap<String, List<String>> via = new TreeMap<>();
  private Thread flapper;
  private boolean flapStop;

  /**
   * @param id unique per cluster (tags every rule {@code palisade-<id>/...})
   * @param via extra addresses by which a node reaches another, keyed "a>b" (the fault-proxy link a dials for
   *     b): a cut covers them too
   * @param portLow the cluster's lowest server port, {@code portHigh} its highest: only connections to these
   *     ports are marked and cut
   * @param latency the delay plug, or null
   */
  public Firewall(String id, List<Node> nodes, Map<String, List<String>> via, int portLow, int portHigh,
      Latency latency, Shell shell) {
    if (!id.matches("[A-Za-z0-9_-]{1,40}")) throw new IllegalArgumentException("firewall id '" + id + "'");
    if (portLow < 1 || portHigh > 65_535 || portLow > portHigh) {
      throw new IllegalArgumentException("port range " + portLow + ":" + portHigh);
    }
    this.tag = "palisade-" + id;
    for (Node n : nodes) this.nodes.put(n.name(), n);
    this.portLow = portLow;
    this.portHigh = portHigh;
    this.shell = shell;
    this.latency = latency;
    via.forEach((k, v) -> this.via.put(k, List.copyOf(v)));
  }

  /** The real shell: runs the command as this (root) process, with a deadline. */
  public static Shell systemShell() {
    return IptablesShell.system();
  }

  /** Why this process cannot add iptables rules (not root, no iptables), or empty when it can. */
  public static Optional<String> unavailable() {
    return IptablesShell.unavailable();
  }

  public String tag() {
    return tag;
  }

  /** Stamps the connections each node opens with its index: call before the nodes start. */
  public void start() throws IOException {
    lock.lock();
    try {
      if (rules.containsKey("track")) return;
      addAll("track", FirewallRules.track(tag, nodes.values(), ports()));
    } finally {
      lock.unlock();
    }
  }

  /** Full cut: nothing a sends reaches b and nothing b sends reaches a, on every connection between them. */
  public void cut(String a, String b) throws IOException {
    lock.lock();
    try {
      drop(a, b);
      drop(b, a);
    } finally {
      lock.unlock();
    }
  }

  /** One-way partition: nothing a sends reaches b (on connections either opened); b's packets still reach a. */
  public void cutOneWay(String a, String b) throws IOException {
    lock.lock();
    try {
      drop(a, b);
    } finally {
      lock.unlock();
    }
  }

  /** Cuts the node from every other node of the cluster (the operator's connections stay). */
  public void isolate(String node) throws IOException {
    lock.lock();
    try {
      node(node);
      for (String other : nodes.keySet()) {
        if (!other.equals(node)) cut(node, other);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * A link that fails and recovers: cut(a, b) for {@code periodMs}, healed for {@code periodMs}, and so on, for
   * at most {@code durationMs}; it ends healed. {@link #heal()} and {@link #close()} stop it sooner. The loop owns
   * the cut between a and b: do not cut that pair otherwise meanwhile (its healing phases would remove that cut).
   */
  public void flap(String a, String b, long periodMs, long durationMs) {
    node(a);
    node(b);
    if (a.equals(b)) throw new IllegalArgumentException("flap: " + a + " with itself");
    if (periodMs < FLAP_PERIOD_MIN_MS) throw new IllegalArgumentException("flap period below " + FLAP_PERIOD_MIN_MS);
    if (durationMs < 0 || durationMs > FLAP_DURATION_MAX_MS) {
      throw new IllegalArgumentException("flap duration must be 0.." + FLAP_DURATION_MAX_MS + " ms");
    }
    lock.lock();
    try {
      if (flapper != null && flapper.isAlive()) {
        throw new IllegalStateException("a link is flapping already (heal first)");
      }
      flapStop = false;
      flapper = new Thread(() -> flapLoop(a, b, periodMs, durationMs), tag + "-flap");
      flapper.setDaemon(true);
      flapper.start();
    } finally {
      lock.unlock();
    }
  }

  /** Whether a flapping loop still runs. */
  public boolean flapping() {
    lock.lock();
    try {
      return flapper != null && flapper.isAlive();
    } finally {
      lock.unlock();
    }
  }

  private void flapLoop(String a, String b, long periodMs, long durationMs) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
    boolean cutNow = false;
    lock.lock();
    try {
      while (!flapStop && System.nanoTime() < end) {
        try {
          if (cutNow) {
            undrop(a, b);
            undrop(b, a);
          } else {
            cut(a, b);
          }
          cutNow = !cutNow;
        } catch (IOException e) {
          System.err.println(tag + ": flap " + a + "~" + b + ": " + e.getMessage());
          break;
        }
        long wait = Math.min(TimeUnit.MILLISECONDS.toNanos(periodMs), end - System.nanoTime());
        while (!flapStop && wait > 0) wait = changed.awaitNanos(wait);
      }
      undrop(a, b);
      undrop(b, a);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      System.err.println(tag + ": flap " + a + "~" + b + ": cannot heal: " + e.getMessage());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Every packet the node sends to another node waits {@code ms} first (its egress; see {@link Latency}).
   * Reversed by {@link #heal()}.
   */
  public void latency(String node, int ms) throws IOException {
    node(node);
    if (ms < 1 || ms > LATENCY_MS_MAX) throw new IllegalArgumentException("latency must be 1.." + LATENCY_MS_MAX + " ms");
    if (latency == null) throw new IllegalStateException("no latency plug: this cluster has no fault-proxy links");
    lock.lock();
    try {
      latency.set(node, java.time.Duration.ofMillis(ms));
      latencyMs.put(node, ms);
    } finally {
      lock.unlock();
    }
  }

  /** Removes every cut, stops a flapping link and removes every delay; the connection stamps stay. */
  public void heal() throws IOException {
    stopFlapping();
    lock.lock();
    try {
      List<String> errors = new ArrayList<>();
      for (String key : new TreeSet<>(rules.keySet())) {
        if (!key.equals("track")) removeAll(key, errors);
      }
      removeLatency();
      if (!errors.isEmpty()) throw new IOException(tag + ": heal failed: " + String.join("; ", errors));
    } finally {
      lock.unlock();
    }
  }

  /** Heals and removes the connection stamps: nothing of this firewall is left in the kernel. */
  @Override
  public void close() throws IOException {
    stopFlapping();
    lock.lock();
    try {
      List<String> errors = new ArrayList<>();
      for (String key : new TreeSet<>(rules.keySet())) removeAll(key, errors);
      removeLatency();
      if (!errors.isEmpty()) throw new IOException(tag + ": cleanup failed: " + String.join("; ", errors));
    } finally {
      lock.unlock();
    }
  }

  /** The rules in place now, as iptables -S would list them (tests, status). */
  public List<String> activeRules() {
    lock.lock();
    try {
      List<String> out = new ArrayList<>();
      rules.values().forEach(l -> l.forEach(r -> out.add(String.join(" ", r.argv("-A")))));
      return out;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes rules of this firewall that another process added (a CLI invocation, a test JVM that died): every rule
   * in {@code iptables-save} whose comment starts with {@code palisade-<id>/<kind>} ("" for all), each deleted with
   * the arguments iptables lists it with. Returns how many were removed.
   */
  public int sweep(String kind) throws IOException {
    lock.lock();
    try {
      String prefix = tag + "/" + kind;
      List<List<String>> found = FirewallRules.deletions(shell.run(List.of("iptables-save")), prefix);
      for (List<String> argv : found) shell.run(argv);
      for (String key : new TreeSet<>(rules.keySet())) {
        if (rules.get(key).stream().anyMatch(r -> FirewallRules.comment(r).startsWith(prefix))) {
          rules.remove(key);
        }
      }
      return found.size();
    } finally {
      lock.unlock();
    }
  }

  /** Splits an iptables-save line into words; double quotes group (iptables quotes a cgroup path, a comment). */
  static List<String> words(String line) {
    return FirewallRules.words(line);
  }

  // ---- rules -------------------------------------------------------------------------------------------------------

  /** Drops what a sends to b (both connection directions of "a sends"); idempotent. */
  private void drop(String a, String b) throws IOException {
    Node na = node(a);
    Node nb = node(b);
    if (na.equals(nb)) throw new IllegalArgumentException("cannot cut " + a + " from itself");
    String key = "cut " + a + ">" + b;
    if (rules.containsKey(key)) return;
    addAll(key, FirewallRules.drop(tag, na, nb, addresses(a, b), addresses(b, a), ports()));
  }

  /** The addresses by which node a reaches node b: b's own, and any link a dials for b. */
  private List<String> addresses(String a, String b) {
    List<String> out = new ArrayList<>(List.of(node(b).address()));
    out.addAll(via.getOrDefault(a + ">" + b, List.of()));
    return out;
  }

  private void undrop(String a, String b) throws IOException {
    List<String> errors = new ArrayList<>();
    removeAll("cut " + a + ">" + b, errors);
    if (!errors.isEmpty()) throw new IOException(String.join("; ", errors));
  }

  /** Adds the rules of one purpose; if one fails, removes those of them already added and throws. */
  private void addAll(String key, List<Rule> add) throws IOException {
    List<Rule> done = new ArrayList<>();
    try {
      for (Rule r : add) {
        shell.run(r.argv("-A"));
        done.add(r);
      }
    } catch (IOException e) {
      for (Rule r : done) {
        try {
          shell.run(r.argv("-D"));
        } catch (IOException ignored) {
          // reported through the first failure
        }
      }
      throw e;
    }
    rules.computeIfAbsent(key, k -> new ArrayList<>()).addAll(done);
  }

  /** Removes the rules of one purpose, each by its exact arguments; what cannot be removed is kept and reported. */
  private void removeAll(String key, List<String> errors) {
    List<Rule> list = rules.remove(key);
    if (list == null) return;
    List<Rule> left = new ArrayList<>();
    for (Rule r : list) {
      try {
        shell.run(r.argv("-D"));
      } catch (IOException e) {
        left.add(r);
        errors.add(e.getMessage());
      }
    }
    if (!left.isEmpty()) rules.put(key, left);
  }

  private void removeLatency() {
    for (String node : new TreeSet<>(latencyMs.keySet())) latency.set(node, java.time.Duration.ZERO);
    latencyMs.clear();
  }

  private void stopFlapping() {
    Thread t;
    lock.lock();
    try {
      flapStop = true;
      changed.signalAll();
      t = flapper;
      flapper = null;
    } finally {
      lock.unlock();
    }
    if (t == null) return;
    try {
      t.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Node node(String name) {
    Node n = nodes.get(name);
    if (n == null) {
      throw new IllegalArgumentException("no node '" + name + "' in the cluster (" + String.join(", ",
          nodes.keySet()) + ")");
    }
    return n;
  }

  private String ports() {
    return portLow + ":" + portHigh;
  }

  /** Current delays by node (for status output and tests). */
  public Map<String, Integer> latencies() {
    lock.lock();
    try {
      return new TreeMap<>(latencyMs);
    } finally {
      lock.unlock();
    }
  }
}
