package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ManagerLease;
import palisade.core.StorePaths;
import palisade.lab.LocalCluster;
import palisade.runtime.store.Admin;

/**
 * Notifications set per cluster on a real local cluster: `notify set` while the daemons run reaches the manager's
 * node without a restart, `notify test` arrives at a webhook receiver on loopback, a second `notify set` moves the
 * next notification to the new URL, and no daemon logs the URL's secret part. node1 runs without its HTTP server
 * (which otherwise runs the notifier).
 */
@Tag("cluster")
class NotifyClusterTest {
  static final Map<String, String> TIMING = Map.of("renew_interval", "1s", "ack_timeout", "1s",
      "watchdog_timeout", "4s", "lease_timeout", "6.5s");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  Path dir;

  private LocalCluster cluster;
  private Admin admin;
  private HttpServer receiver;
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (receiver != null) receiver.stop(0);
      if (admin != null) admin.close();
    } finally {
      if (cluster != null) cluster.down();
    }
  }

  private int cli(String... args) {
    return palisade.lab.LabCli.run(cluster, args);
  }

  private Path hookFile(String name, String path) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, "http://127.0.0.1:" + receiver.getAddress().getPort() + path + "\n");
    return f;
  }

  @Test
  void aLiveChangeReachesTheManagersNodeAndTheTestArrives() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 8);
    receiver.createContext("/hook/", x -> {
      paths.add(x.getRequestURI().getPath());
      bodies.add(JSON.readTree(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      x.sendResponseHeaders(204, -1);
      x.close();
    });
    receiver.start();

    cluster = LocalCluster.create(dir.resolve("c"), 3, TIMING);
    // node1 (usually the first manager) without its HTTP server: notifications must not depend on it
    Path yaml1 = cluster.dir().resolve("node1").resolve("node.yaml");
    String y = Files.readString(yaml1);
    assertThat(y).contains("http:\n");
    Files.writeString(yaml1, y.replace("http:\n", "http:\n  enabled: false\n"));
    cluster.attachNetwork();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(Duration.ofSeconds(90)).until(() ->
        admin.value(StorePaths.MANAGER_LEASE, ManagerLease.class) != null);
    assertThat(cli("notify", "test")).as("nothing set yet").isEqualTo(2);

    // set while every daemon runs: no restart
    assertThat(cli("notify", "set", "--webhook-file", hookFile("a.url", "/hook/T0K3N-a").toString())).isZero();
    assertThat(cli("notify", "test")).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> !bodies.isEmpty());
    String holder = admin.value(StorePaths.MANAGER_LEASE, ManagerLease.class).holder();
    assertThat(paths).containsExactly("/hook/T0K3N-a");
    assertThat(bodies.get(0).get("kind").asText()).isEqualTo("alert");
    assertThat(bodies.get(0).get("message").asText()).startsWith("ALERT: test notification requested by ");
    assertThat(bodies.get(0).get("sent_by").asText()).as("only the manager's node sends (%s, HTTP %s)", holder,
        holder.equals("node1") ? "off" : "on").isEqualTo(holder);

    // changed live: the next one goes to the new URL only
    assertThat(cli("notify", "set", "--webhook-file", hookFile("b.url", "/hook/T0K3N-b").toString())).isZero();
    assertThat(cli("notify", "test")).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> bodies.size() >= 2);
    assertThat(paths).containsExactly("/hook/T0K3N-a", "/hook/T0K3N-b");

    // removed: nothing more is sent (a test is refused; an ALERT from elsewhere goes nowhere)
    assertThat(cli("notify", "set", "--no-webhook")).isZero();
    assertThat(cli("notify", "test")).isEqualTo(2);

    for (String n : cluster.nodeNames()) {
      String log = Files.readString(cluster.nodeLog(n));
      assertThat(log).as(n + "'s log").doesNotContain("T0K3N");
    }
  }
}
