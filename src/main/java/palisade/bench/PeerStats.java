package palisade.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import palisade.runtime.store.Credential;

/**
 * ZooKeeper's own figures from each bench peer (four-letter word {@code mntr}, over TLS with a node credential),
 * read at the start and end of a window: how many requests the store served, how deep its queues were.
 */
final class PeerStats {
  /** One reading of every peer: name -> mntr key -> value, and when it was taken. */
  record Reading(long nanos, TreeMap<String, Map<String, String>> peers) {}

  private PeerStats() {}

  static Reading read(List<String> hostPorts, Credential cred) {
    TreeMap<String, Map<String, String>> out = new TreeMap<>();
    for (String hp : hostPorts) {
      int colon = hp.lastIndexOf(':');
      out.put(hp, mntr(hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1)), cred));
    }
    return new Reading(System.nanoTime(), out);
  }

  /** mntr's lines as key -> value; empty if the peer did not answer. */
  static Map<String, String> mntr(String host, int port, Credential cred) {
    TreeMap<String, String> m = new TreeMap<>();
    String text = palisade.runtime.store.EmbeddedPeer.fourLetterWord(host, port, cred, "mntr", 1000, 5000);
    if (text == null) return m; // reported as no figures for this peer
    for (String line : text.split("\n")) {
      String[] kv = line.split("\t", 2);
      if (kv.length == 2) m.put(kv[0].strip(), kv[1].strip());
    }
    return m;
  }

  /** Per peer and for all of them: requests per second over the window and where a request's time went. */
  static List<String> describe(Reading a, Reading b) {
    double secs = (b.nanos() - a.nanos()) / 1e9;
    List<String> lines = new ArrayList<>();
    TreeMap<String, Double> sum = new TreeMap<>();
    for (var e : b.peers().entrySet()) {
      Map<String, String> end = e.getValue();
      Map<String, String> start = a.peers().getOrDefault(e.getKey(), Map.of());
      for (String k : end.keySet()) {
        if (k.startsWith("zk_sum_") || k.startsWith("zk_cnt_") || COUNTERS.contains(k)) {
          sum.merge(k, delta(start, end, k), Double::sum);
        }
      }
      lines.add(String.format("peer %s (%s): %.0f reads/s (avg %.1f ms), %.0f writes/s (avg %.1f ms), %.0f packets/s "
          + "out (replies and watch notifications), %s clients, %s outstanding requests at the end",
          e.getKey(), end.getOrDefault("zk_server_state", "?"), delta(start, end, "zk_cnt_readlatency") / secs,
          avg(start, end, "readlatency"), delta(start, end, "zk_cnt_updatelatency") / secs,
          avg(start, end, "updatelatency"), delta(start, end, "zk_packets_sent") / secs,
          end.getOrDefault("zk_num_alive_connections", "?"), end.getOrDefault("zk_outstanding_requests", "?")));
    }
    lines.add(String.format("store, all peers: %.0f reads/s (avg %.1f ms), %.0f writes/s (avg %.1f ms), "
        + "%.0f commits/s, %.0f packets/s out", sum.getOrDefault("zk_cnt_readlatency", 0.0) / secs, mean(sum, "readlatency"),
        sum.getOrDefault("zk_cnt_updatelatency", 0.0) / secs, mean(sum, "updatelatency"),
        sum.getOrDefault("zk_commit_count", 0.0) / secs, sum.getOrDefault("zk_packets_sent", 0.0) / secs));
    StringBuilder stages = new StringBuilder("store, where a request waited (window averages, ms):");
    for (String[] st : STAGES) stages.append(String.format(" %s %.1f;", st[1], mean(sum, st[0])));
    lines.add(stages.toString());
    return lines;
  }

  /** Counters (not summaries) that mntr reports since the peer started. */
  private static final java.util.Set<String> COUNTERS = java.util.Set.of("zk_packets_sent", "zk_packets_received",
      "zk_commit_count");

  /** ZooKeeper's request pipeline stages: the summary's name, and what it is. */
  private static final String[][] STAGES = {
      {"request_throttle_queue_time_ms", "throttle queue"},
      {"prep_processor_queue_time_ms", "prep queue"},
      {"quorum_ack_latency", "proposal to quorum ack"},
      {"sync_processor_queue_and_flush_time_ms", "log queue and fsync"},
      {"fsynctime", "fsync"},
      {"write_commitproc_time_ms", "write in commit processor"},
      {"read_commitproc_time_ms", "read in commit processor (behind writes)"},
      {"propagation_latency", "proposal to applied"}};

  private static double mean(Map<String, Double> sum, String name) {
    double n = sum.getOrDefault("zk_cnt_" + name, 0.0);
    return n <= 0 ? 0 : sum.getOrDefault("zk_sum_" + name, 0.0) / n;
  }

  private static double avg(Map<String, String> a, Map<String, String> b, String name) {
    double n = delta(a, b, "zk_cnt_" + name);
    return n <= 0 ? 0 : delta(a, b, "zk_sum_" + name) / n;
  }

  private static double delta(Map<String, String> a, Map<String, String> b, String key) {
    try {
      return Double.parseDouble(b.get(key)) - Double.parseDouble(a.getOrDefault(key, "0"));
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
