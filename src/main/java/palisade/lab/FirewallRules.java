package palisade.lab;

import static palisade.lab.Firewall.CONNMARK_MASK_HEX;
import static palisade.lab.Firewall.CONNMARK_SHIFT;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The firewall's iptables rules as data (no I/O): the connection stamps, the drops of a cut, and reading back the
 * rules of {@code iptables-save} (see {@link Firewall} for why they look like this).
 */
final class FirewallRules {
  private FirewallRules() {}

  /** Per node and cgroup: stamp every new TCP connection to the cluster's ports with the node's index. */
  static List<Firewall.Rule> track(String tag, Collection<Firewall.Node> nodes, String ports) {
    List<Firewall.Rule> track = new ArrayList<>();
    for (Firewall.Node n : nodes) {
      for (String cg : n.cgroups()) {
        track.add(new Firewall.Rule("mangle", "OUTPUT", List.of("-o", "lo", "-p", "tcp", "--dport", ports,
            "-m", "cgroup", "--path", cg, "-m", "conntrack", "--ctstate", "NEW",
            "-m", "comment", "--comment", tag + "/track", "-j", "CONNMARK", "--set-xmark",
            hex(connmark(n)) + "/" + CONNMARK_MASK_HEX)));
      }
    }
    return track;
  }

  /**
   * What a sends to b, dropped: connections a opened to b's addresses ({@code toB}), and connections b opened whose
   * answers leave from a's addresses ({@code fromA}).
   */
  static List<Firewall.Rule> drop(String tag, Firewall.Node na, Firewall.Node nb, List<String> toB,
      List<String> fromA, String ports) {
    String comment = tag + "/cut:" + na.name() + ">" + nb.name();
    List<Firewall.Rule> add = new ArrayList<>();
    for (String to : toB) {
      add.add(new Firewall.Rule("filter", "OUTPUT", List.of("-o", "lo", "-p", "tcp", "-d", to, "--dport", ports,
          "-m", "connmark", "--mark", hex(connmark(na)) + "/" + CONNMARK_MASK_HEX,
          "-m", "comment", "--comment", comment, "-j", "DROP")));
    }
    for (String from : fromA) {
      add.add(new Firewall.Rule("filter", "OUTPUT", List.of("-o", "lo", "-p", "tcp", "-s", from, "--sport", ports,
          "-m", "connmark", "--mark", hex(connmark(nb)) + "/" + CONNMARK_MASK_HEX,
          "-m", "comment", "--comment", comment, "-j", "DROP")));
    }
    return add;
  }

  /**
   * The iptables commands that delete every rule of an {@code iptables-save} listing whose comment starts with
   * prefix, each with the arguments iptables lists it with.
   */
  static List<List<String>> deletions(String iptablesSave, String prefix) {
    String table = null;
    List<List<String>> found = new ArrayList<>();
    for (String line : iptablesSave.split("\n")) {
      if (line.startsWith("*")) table = line.substring(1).strip();
      if (!line.startsWith("-A ") || table == null) continue;
      List<String> words = words(line);
      int c = words.indexOf("--comment");
      if (c < 0 || c + 1 >= words.size() || !words.get(c + 1).startsWith(prefix)) continue;
      List<String> argv = new ArrayList<>(List.of("iptables", "-w", "5", "-t", table, "-D"));
      argv.addAll(words.subList(1, words.size()));
      found.add(argv);
    }
    return found;
  }

  static String comment(Firewall.Rule r) {
    int c = r.spec().indexOf("--comment");
    return c < 0 ? "" : r.spec().get(c + 1);
  }

  /** Splits an iptables-save line into words; double quotes group (iptables quotes a cgroup path, a comment). */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < line.length(); i++) {
      char ch = line.charAt(i);
      if (ch == '"') {
        quoted = !quoted;
        any = true;
      } else if (ch == '\\' && quoted && i + 1 < line.length()) {
        w.append(line.charAt(++i));
      } else if (ch == ' ' && !quoted) {
        if (any || w.length() > 0) out.add(w.toString());
        w.setLength(0);
        any = false;
      } else {
        w.append(ch);
      }
    }
    if (any || w.length() > 0) out.add(w.toString());
    return out;
  }

  static long connmark(Firewall.Node n) {
    return (long) n.index() << CONNMARK_SHIFT;
  }

  static String hex(long v) {
    return String.format("0x%08x", v);
  }
}
