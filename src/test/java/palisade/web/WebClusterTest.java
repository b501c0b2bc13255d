package palisade.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.StorePaths;
import palisade.lab.LocalCluster;
import palisade.runtime.store.Admin;

/**
 * The daemons' HTTP servers on a real 3-node lab cluster (store on node1; node3 without a watchdog, fenced by its
 * mock BMC): health and readiness on every node, promtool on a live /metrics, the read and write API through any
 * node with its event stream, the dashboard in headless Chromium (three nodes, maintenance, the fence-confirm
 * dialog), a real Prometheus server that scrapes the three daemons and sees the fence counter rise after node3 is
 * cut off and power-fenced, and a power loss of node3 on the dashboard's fence timeline. One cluster for the class;
 * every process is stopped by PID (Prometheus by its Process, chromedriver and its browser by the driver's quit).
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebClusterTest {
  static final Map<String, String> TIMING = Map.of("renew_interval", "1s", "ack_timeout", "1s",
      "watchdog_timeout", "4s", "lease_timeout", "6.5s");
  static final Duration FORM = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Trusts the lab's members authority only, and checks that the certificate names the address dialled. */
  private static HttpClient HTTP;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps its daemons' logs
  static Path dir;
  static LocalCluster cluster;
  static Admin admin;
  static Process prometheus;
  static DashboardPage page;
  static int prometheusPort;

  @BeforeAll
  static void up() throws Exception {
    cluster = LocalCluster.create(dir.resolve("c"), 3, new LocalCluster.Options(TIMING, 1, true, Set.of("node3"),
        Map.of()));
    HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(trusting(cluster.membersCa()))
        .build();
    cluster.attachNetwork();
    cluster.startBmcs();
    for (String n : cluster.nodeNames()) cluster.powerOn(n);
    admin = cluster.admin();
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
        .until(() -> admin.read(StorePaths.CONFIG) != null);
    cluster.addDemoResources(admin, 3);
  }

  @AfterAll
  static void down() throws Exception {
    try {
      if (page != null) page.close(); // quits chromedriver and its browser
      if (prometheus != null) {
        prometheus.destroy(); // by its PID (Process), never by name
        if (!prometheus.waitFor(10, TimeUnit.SECONDS)) prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      if (admin != null) admin.close();
    } finally {
      if (cluster != null) cluster.down();
    }
  }

  /** A TLS context that trusts the certificates CA signed, and nothing else. */
  static javax.net.ssl.SSLContext trusting(Path ca) throws Exception {
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (var in = java.nio.file.Files.newInputStream(ca)) {
      ks.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String url, String token) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(1)
  void everyNodeIsHealthyAndReady() throws Exception {
    for (String n : cluster.nodeNames()) {
      await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(250))
          .until(() -> get(cluster.httpUrl(n) + "/readyz").statusCode() == 200);
      HttpResponse<String> ready = get(cluster.httpUrl(n) + "/readyz");
      JsonNode r = JSON.readTree(ready.body());
      assertThat(r.get("status").asText()).isEqualTo("ready");
      assertThat(r.get("store_synced").asBoolean()).isTrue();
      assertThat(r.get("lease_age_seconds").asDouble()).isLessThan(6.5);
      HttpResponse<String> health = get(cluster.httpUrl(n) + "/healthz");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
      assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("ok");
      HttpResponse<String> none = get(cluster.httpUrl(n) + "/nothing");
      assertThat(none.statusCode()).isEqualTo(404);
      assertThat(none.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
      assertThat(none.body()).doesNotContain("Exception", "\tat ");
    }
  }

  @Test
  @Order(2)
  void promtoolAcceptsALiveDaemonsMetrics() throws Exception {
    // wait for the manager's view of three online nodes, so the gauges are not all zero
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(500)).until(() -> get(
        cluster.httpUrl("node1") + "/metrics").body().contains("palisade_nodes{node=\"node1\",state=\"online\"} 3"));
    HttpResponse<String> m = get(cluster.httpUrl("node2") + "/metrics");
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    String text = m.body();
    // kept as an artifact: what a scrape of a live daemon looks like
    Path file = Files.createDirectories(Path.of("target", "web")).resolve("node2.metrics");
    Files.writeString(file, text);
    ProcessBuilder pb = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
        .redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics: %s", out).isZero();
    assertThat(text).contains("palisade_lease_renewal_seconds_bucket{", "palisade_lease_age_seconds{",
        "palisade_watchdog_feeds_total{", "palisade_watchdog_misses_total{", "palisade_manager_round_seconds_count{",
        "palisade_store_request_seconds_bucket{", "palisade_store_connected{node=\"node2\"} 1",
        "palisade_store_synced{node=\"node2\"} 1", "palisade_resources{", "palisade_loop_tick_age_seconds{");
    // node1 runs the one embedded ZooKeeper peer: standalone
    assertThat(get(cluster.httpUrl("node1") + "/metrics").body())
        .contains("palisade_store_peer_role{node=\"node1\",role=\"standalone\"} 1");
    assertThat(text).doesNotContain(Files.readString(cluster.bmcPasswordFile("node3")).strip());
  }

  @Test
  @Order(3)
  void theReadApiNeedsATokenAndAnswersWithTheClusterState() throws Exception {
    String url = cluster.httpUrl("node2") + "/api/nodes";
    HttpResponse<String> anonymous = get(url);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(JSON.readTree(anonymous.body()).get("status").asInt()).isEqualTo(401);
    assertThat(get(url, "not-a-token").statusCode()).isEqualTo(401);
    assertThat(get(cluster.httpUrl("node2") + "/api/nothing").statusCode()).as("no anonymous probing").isEqualTo(401);
    String viewer = Files.readString(cluster.apiTokenFile("viewer")).strip();
    String admin = Files.readString(cluster.apiTokenFile("admin")).strip();
    HttpResponse<String> nodes = get(url, viewer);
    assertThat(nodes.statusCode()).isEqualTo(200);
    JsonNode list = JSON.readTree(nodes.body()).get("nodes");
    assertThat(list).hasSize(3);
    assertThat(list.get(0).get("name").asText()).isEqualTo("node1");
    assertThat(list.findValuesAsText("state")).containsOnly("online");
    HttpResponse<String> resources = get(cluster.httpUrl("node3") + "/api/resources", admin);
    assertThat(resources.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(resources.body()).get("resources").findValuesAsText("id")).hasSize(3);
    assertThat(resources.body()).doesNotContain("demo-resource.sh");
    JsonNode c = JSON.readTree(get(cluster.httpUrl("node1") + "/api/cluster", viewer).body());
    assertThat(c.get("cluster").asText()).isEqualTo(LocalCluster.CLUSTER);
    assertThat(c.get("nodes").asInt()).isEqualTo(3);
    assertThat(get(cluster.httpUrl("node1") + "/api/fence-history", viewer).statusCode()).isEqualTo(200);
    assertThat(get(cluster.httpUrl("node1") + "/api/nothing", viewer).statusCode()).isEqualTo(404);
    HttpResponse<String> events = get(cluster.httpUrl("node2") + "/api/events?last=5", viewer);
    assertThat(events.statusCode()).isEqualTo(200);
    JsonNode ev = JSON.readTree(events.body()).get("events");
    assertThat(ev.size()).isBetween(1, 5);
    assertThat(ev.get(0).get("id").asText()).matches(palisade.runtime.store.Admin.EVENT_ID);
    if (ev.size() >= 2) { // resuming after an event, one of a daemon's batch or not, gives the next one first
      String first = ev.get(0).get("id").asText();
      HttpResponse<String> after = get(cluster.httpUrl("node2") + "/api/events?after=" + first, viewer);
      assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
      assertThat(JSON.readTree(after.body()).get("events").get(0).get("id").asText()).as("after %s", first)
          .isEqualTo(ev.get(1).get("id").asText());
    }
    assertThat(get(cluster.httpUrl("node2") + "/api/events?after=e-1.2", viewer).statusCode()).isEqualTo(400);
    assertThat(ev.findValuesAsText("node")).isSubsetOf(cluster.nodeNames());
    assertThat(palisade.cli.PalisadeCommand.execute("group", "add", "web", "--nodes", "node1:2,node2:1", "--failback",
        "--dir", cluster.dir().toString())).isEqualTo(0);
    JsonNode groups = JSON.readTree(get(cluster.httpUrl("node2") + "/api/groups", viewer).body()).get("groups");
    assertThat(groups).hasSize(1);
    assertThat(groups.get(0).toString()).isEqualTo(
        "{\"name\":\"web\",\"nodes\":{\"node1\":2,\"node2\":1},\"restricted\":false,\"failback\":true}");
    HttpResponse<String> bad = get(cluster.httpUrl("node2") + "/api/events?last=lots", viewer);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(JSON.readTree(bad.body()).get("detail").asText()).startsWith("last: 'lots'");
  }

  @Test
  @Order(4)
  void writesGoThroughAnyNodeAndTheEventStreamShowsThem() throws Exception {
    String admin = token("admin");
    String viewer = token("viewer");
    // the stream of node2 (a viewer may read it), opened before the write
    HttpResponse<Stream<String>> stream = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.httpUrl("node2")
        + "/api/events/stream")).header("Authorization", "Bearer " + viewer).header("Accept", "text/event-stream")
        .build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> stream.body()
        .filter(l -> l.startsWith("data:") && l.contains("web:1: added on node2")).findFirst().orElse(""));
    try {
      // node3 is a follower daemon without the store: the write goes through the store all the same
      Map<String, Object> add = new java.util.LinkedHashMap<>();
      add.put("id", "web:1");
      add.put("node", "node2");
      add.put("state", "stopped");
      add.put("options", cluster.demoResource("web:1", "node2").options());
      HttpResponse<String> added = send("POST", cluster.httpUrl("node3") + "/api/resources", admin,
          JSON.writeValueAsString(add));
      assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
      assertThat(JSON.readTree(added.body()).get("message").asText()).isEqualTo("web:1: added on node2");
      assertThat(seen.get(60, TimeUnit.SECONDS)).as("the stream shows the audit event").contains("API token");
    } finally {
      seen.cancel(true);
      stream.body().close();
    }
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(500)).until(() -> get(
        cluster.httpUrl("node1") + "/api/resources", viewer).body().contains("\"web:1\""));
    String dup = send("POST", cluster.httpUrl("node1") + "/api/resources", admin,
        "{\"id\":\"web:1\",\"node\":\"node1\",\"options\":{\"command\":\"true\"}}").body();
    assertThat(JSON.readTree(dup).get("status").asInt()).isEqualTo(409);
    assertThat(JSON.readTree(dup).get("detail").asText()).isEqualTo("resource 'web:1' exists already");
    HttpResponse<String> set = send("PATCH", cluster.httpUrl("node2") + "/api/resources/web:1", admin,
        "{\"priority\":7}");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    assertThat(admin().value(StorePaths.CONFIG, palisade.core.ClusterConfig.class).resources().get("web:1")
        .priority()).isEqualTo(7);
    assertThat(send("POST", cluster.httpUrl("node2") + "/api/resources/web:1/start", viewer, "").statusCode())
        .as("a viewer changes nothing").isEqualTo(403);
    HttpResponse<String> noNode = send("POST", cluster.httpUrl("node2") + "/api/resources/web:1/relocate", admin,
        "{\"node\":\"node9\"}");
    assertThat(noNode.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(noNode.body()).get("detail").asText()).isEqualTo("no node 'node9'");
    assertThat(send("POST", cluster.httpUrl("node2") + "/api/resources/nothing/migrate", admin,
        "{\"node\":\"node1\"}").statusCode()).isEqualTo(404);
    assertThat(send("POST", cluster.httpUrl("node2") + "/api/nodes/node9/fence-confirm", admin,
        "{\"checked_off\":true}").statusCode()).isEqualTo(404);
    HttpResponse<String> removed = send("DELETE", cluster.httpUrl("node1") + "/api/resources/web:1", admin, null);
    assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
    assertThat(admin().value(StorePaths.CONFIG, palisade.core.ClusterConfig.class).resources())
        .doesNotContainKey("web:1");
    assertThat(send("DELETE", cluster.httpUrl("node1") + "/api/resources/web:1", admin, null).statusCode())
        .isEqualTo(404);
  }

  @Test
  @Order(5)
  void theDashboardShowsThreeNodesAndMaintenanceWorks() throws Exception {
    page = new DashboardPage(cluster.nodeNames().stream().map(n -> palisade.runtime.store.Credential.load(
        palisade.runtime.store.Credentials.nodeDir(cluster.credentialsDir(), n)).certificate()).toList());
    page.open(cluster.httpUrl("node1"), token("admin"));
    assertThat(page.url()).doesNotContain("token", token("admin"));
    await().ignoreExceptions().atMost(FORM).until(() -> page.nodeNames().size() == 3);
    assertThat(page.nodeNames()).containsExactly("node1", "node2", "node3");
    await().ignoreExceptions().atMost(FORM).until(() -> page.all("#resources tr.resource").size() == 3);
    assertThat(page.text("#spm")).startsWith("SPM: node");
    await().ignoreExceptions().atMost(FORM).until(() -> !page.all("#events li").isEmpty());
    page.screenshot("dashboard");
    page.click("#nodes tr.node[data-node='node1'] button.maint-btn");
    await().ignoreExceptions().atMost(FORM).until(() -> page.nodeState("node1").equals("maintenance"));
    await().ignoreExceptions().atMost(FORM).until(() -> page.all("#events li").stream()
        .anyMatch(e -> e.getText().contains("node1: maintenance on")));
    page.screenshot("maintenance");
    page.click("#nodes tr.node[data-node='node1'] button.maint-btn");
    await().ignoreExceptions().atMost(FORM).until(() -> page.nodeState("node1").equals("online"));
    page.reload(); // the token stays in the tab
    await().ignoreExceptions().atMost(FORM).until(() -> page.nodeNames().size() == 3);
    assertThat(page.sessionToken()).isEqualTo(token("admin"));
  }

  /**
   * The fence-confirm dialog: its button stays disabled until "I have checked the node is off" is ticked, and the API
   * refuses a confirmation without {@code checked_off: true}. No node waits for a manual confirmation here (node3 is
   * power-fenced, the others have watchdogs), so the dialog is opened as its button would open it, for a live node,
   * and cancelled: nothing is confirmed.
   */
  @Test
  @Order(6)
  void theFenceConfirmDialogNeedsTheCheckedOffBox() throws Exception {
    String admin = token("admin");
    for (String body : List.of("{}", "{\"checked_off\":false}", "{\"checked_off\":\"yes\"}")) {
      HttpResponse<String> r = send("POST", cluster.httpUrl("node1") + "/api/nodes/node2/fence-confirm", admin, body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("detail").asText()).startsWith("checked_off: must be true");
    }
    await().ignoreExceptions().atMost(FORM).until(() -> page.nodeNames().size() == 3);
    page.script("askConfirm(arguments[0])", "node2");
    assertThat(page.script("return document.getElementById('confirm-dialog').open")).isEqualTo(true);
    assertThat(page.text("#confirm-node")).isEqualTo("node2");
    assertThat(page.enabled("#confirm-ok")).as("disabled until the box is ticked").isFalse();
    page.click("#checked-off");
    assertThat(page.enabled("#confirm-ok")).isTrue();
    page.screenshot("fence-confirm");
    page.click("#checked-off");
    assertThat(page.enabled("#confirm-ok")).as("unticked again").isFalse();
    page.click("#checked-off");
    page.click("#confirm-cancel");
    assertThat(page.script("return document.getElementById('confirm-dialog').open")).isEqualTo(false);
    page.script("askConfirm(arguments[0])", "node2");
    assertThat(page.script("return document.getElementById('checked-off').checked")).as("reopened: unticked")
        .isEqualTo(false);
    assertThat(page.enabled("#confirm-ok")).isFalse();
    page.click("#confirm-cancel");
    assertThat(page.nodeState("node2")).isEqualTo("online");
    assertThat(admin().events(null, 200)).noneMatch(e -> e.message().contains("confirmed by API token"));
  }

  @Test
  @Order(7)
  void prometheusCountsTheNodesAndAFenceAfterNode3IsCutOff() throws Exception {
    prometheusPort = freePort();
    Path config = dir.resolve("prometheus.yml");
    StringBuilder targets = new StringBuilder();
    for (String n : cluster.nodeNames()) {
      if (targets.length() > 0) targets.append(", ");
      targets.append('\'').append(cluster.httpUrl(n).substring("https://".length())).append('\'');
    }
    // Over HTTPS, trusting the lab's members authority and checking each node's address against its certificate.
    Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n"
        + "  - job_name: palisade\n    scheme: https\n    tls_config:\n      ca_file: '" + cluster.membersCa() + "'\n"
        + "    static_configs:\n      - targets: [" + targets + "]\n");
    Path tsdb = Files.createDirectories(dir.resolve("tsdb"));
    prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + tsdb,
        "--web.listen-address=127.0.0.1:" + prometheusPort).redirectErrorStream(true)
        .redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> query("count(up{job=\"palisade\"} == 1)") == 3);

    // node3's store is cut: it stays alive (healthz 200) but is not ready; the manager power-fences it
    cluster.isolate("node3");
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> get(cluster.httpUrl("node3") + "/readyz").statusCode() == 503);
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> query("sum(palisade_fence_operations_total{job=\"palisade\",action=\"off\",result=\"ok\"})")
            >= 1);
    // powered on again by the fence proxy, still cut off: its loop runs, it is not ready
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> get(cluster.httpUrl("node3") + "/healthz").statusCode() == 200);
    HttpResponse<String> ready = get(cluster.httpUrl("node3") + "/readyz");
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(ready.body()).get("store_synced").asBoolean()).isFalse();
    await().ignoreExceptions().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> query("sum(palisade_nodes{node=\"node1\",state=\"online\"})") == 2);
    // node3's resource runs elsewhere: every surviving node saw one failover, from node3 leaving online
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> query("max(palisade_failover_seconds_count{job=\"palisade\"})") >= 1);
    double failover = query("max(palisade_failover_seconds_sum{job=\"palisade\",node=\"node1\"})");
    System.out.printf("failover of node3's resource as node1 saw it: %.1f s%n", failover);
    assertThat(failover).isBetween(0.0, 60.0);
    String viewer = Files.readString(cluster.apiTokenFile("viewer")).strip();
    JsonNode history = JSON.readTree(get(cluster.httpUrl("node1") + "/api/fence-history", viewer).body())
        .get("entries");
    boolean offConfirmed = false;
    for (JsonNode e : history) {
      offConfirmed |= e.get("target").asText().equals("node3") && e.get("result").asText().equals("off confirmed");
    }
    assertThat(offConfirmed).as("fence history: %s", history).isTrue();
    assertThat(history.toString()).doesNotContain(Files.readString(cluster.bmcPasswordFile("node3")).strip());
    // node3's own view is not synced: its API says so instead of answering from a stale view
    HttpResponse<String> stale = get(cluster.httpUrl("node3") + "/api/nodes", viewer);
    assertThat(stale.statusCode()).isEqualTo(503);
    assertThat(stale.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
  }

  @Test
  @Order(8)
  void aPowerLossAppearsOnTheTimelineWithItsConfirmationAndRecovery() throws Exception {
    cluster.heal();
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofMillis(500)).until(() -> JSON.readTree(get(
        cluster.httpUrl("node1") + "/api/nodes", token("viewer")).body()).get("nodes").findValuesAsText("state")
        .stream().allMatch("online"::equals));
    // node3 (fenced by its BMC: it has no watchdog) gets a resource back through the API, then loses power. Just
    // after its rejoin the manager may still refuse it as a target (its agent not yet active there): ask again.
    await().ignoreExceptions().atMost(FORM).pollInterval(Duration.ofSeconds(5)).until(() -> {
      if (vm102OnNode3()) return true;
      HttpResponse<String> moved = send("POST", cluster.httpUrl("node2") + "/api/resources/vm:102/relocate",
          token("admin"), "{\"node\":\"node3\"}");
      assertThat(moved.statusCode()).as(moved.body()).isEqualTo(202);
      return false;
    });
    cluster.powerOff("node3");
    String shown = "#timeline .failover:first-child";
    await().ignoreExceptions().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
        .until(() -> page.all("#timeline .failover[data-node='node3']").size() == 2
            && page.text(shown + " .total").startsWith("recovered in"));
    assertThat(page.all(shown + " tr.step").stream().map(e -> e.getAttribute("data-kind")).toList())
        .contains("renewal", "silent", "decision", "device", "confirmed", "running");
    assertThat(page.text(shown)).contains("confirmed off: power by", "vm:102 running on");
    page.screenshot("failover");
    JsonNode f = JSON.readTree(get(cluster.httpUrl("node1") + "/api/failovers", token("viewer")).body())
        .get("failovers").get(0);
    System.out.printf("node3's failover as node1 saw it: %.1f s from its last renewal%n",
        f.get("total_seconds").asDouble());
    assertThat(f.get("total_seconds").asDouble()).isBetween(6.5, 120.0);
    // node3's fence proxy powered it on again: its daemon started after both of its failures and saw neither, yet
    // lists both from the store, where the manager's daemon wrote each once; node1 shows the same, without doubles
    await().ignoreExceptions().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
        .until(() -> failoversOf("node3", "node3").size() == 2);
    List<JsonNode> restarted = failoversOf("node3", "node3");
    assertThat(restarted).extracting(x -> x.get("outcome").asText()).doesNotContain("open");
    assertThat(restarted.get(0).get("total_seconds").asDouble()).isBetween(6.5, 120.0);
    assertThat(failoversOf("node1", "node3")).hasSize(2).first().isEqualTo(restarted.get(0));
  }

  /** The failovers of target that node's /api/failovers lists, newest first. */
  static List<JsonNode> failoversOf(String node, String target) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode x : JSON.readTree(get(cluster.httpUrl(node) + "/api/failovers", token("viewer")).body())
        .get("failovers")) {
      if (x.get("node").asText().equals(target)) out.add(x);
    }
    return out;
  }

  static String token(String role) throws IOException {
    return Files.readString(cluster.apiTokenFile(role)).strip();
  }

  static Admin admin() {
    return admin;
  }

  static HttpResponse<String> send(String method, String url, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) b.header("Content-Type", "application/json");
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of a scalar-valued instant query (one series), or NaN when it has none yet. */
  static double query(String promql) throws Exception {
    HttpResponse<String> r = get("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonNode body = JSON.readTree(r.body());
    JsonNode result = body.path("data").path("result");
    if (!result.isArray() || result.isEmpty()) return Double.NaN;
    return Double.parseDouble(result.get(0).path("value").get(1).asText());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }


  private boolean vm102OnNode3() throws Exception {
    for (JsonNode r : JSON.readTree(get(cluster.httpUrl("node1") + "/api/resources", token("viewer")).body())
        .get("resources")) {
      if (r.get("id").asText().equals("vm:102")) {
        return r.get("state").asText().equals("started") && r.get("node").asText().equals("node3");
      }
    }
    return false;
  }
}
