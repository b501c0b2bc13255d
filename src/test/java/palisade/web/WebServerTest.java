package palisade.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfigException;
import palisade.core.ManagerState;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.daemon.Telemetry;

/**
 * One HTTP server without a daemon: the Telemetry calls a daemon would make drive /healthz, /readyz and /metrics.
 * The loop-stalled case waits (bounded) for the real health window to pass, since the server reads a real clock.
 */
class WebServerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dir;
  private WebServer server;

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private String start(String extraHttp) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, "cluster: c\nnode: n1\nnodes:\n  - name: n1\n    address: 127.0.0.1\n"
        + "timing:\n  renew_interval: 1s\n  tick: 100ms\nhttp:\n  port: " + port + "\n  tls: false\n" + extraHttp);
    DaemonConfig dc = DaemonConfig.load(f);
    Telemetry t = new Metrics("n1", () -> null);
    telemetry = t;
    server = WebServer.start(dc, t);
    return "http://127.0.0.1:" + port;
  }

  private Telemetry telemetry;

  private static HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
    if (headers.length > 0) b.headers(headers);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void tick(boolean synced) {
    telemetry.tick(new Telemetry.Tick(synced, synced, ManagerState.empty(), null));
  }

  @Test
  void readyOnlyWithASyncedStoreAndARecentRenewal() throws Exception {
    String url = start("");
    tick(false);
    assertThat(get(url + "/healthz").statusCode()).isEqualTo(200);
    assertThat(get(url + "/readyz").statusCode()).isEqualTo(503);
    tick(true);
    assertThat(get(url + "/readyz").body()).as("synced, never renewed").contains("\"lease_age_seconds\":null");
    telemetry.storeRequest("lease", "conflict", 1_000_000);
    assertThat(get(url + "/readyz").statusCode()).as("a refused renewal is no renewal").isEqualTo(503);
    telemetry.storeRequest("lease", "committed", 2_000_000);
    HttpResponse<String> r = get(url + "/readyz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"status\":\"ready\"", "\"store_synced\":true");
    tick(false);
    assertThat(get(url + "/readyz").statusCode()).as("store lost").isEqualTo(503);
  }

  @Test
  void healthzTurns503WhenTheLoopStopsTicking() throws Exception {
    String url = start("");
    tick(true);
    assertThat(get(url + "/healthz").statusCode()).isEqualTo(200);
    // no more ticks: after the window (10 ticks, at least 1 s) the loop counts as stalled
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> get(url + "/healthz").statusCode() == 503);
    assertThat(get(url + "/healthz").body()).contains("loop stalled");
    tick(true);
    assertThat(get(url + "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void metricsCanRequireAToken() throws Exception {
    Path token = dir.resolve("metrics.token");
    Files.writeString(token, "tok-123\n");
    String url = start("  metrics_token_file: metrics.token\n");
    telemetry.fence("bmc-n2", "off", true, 1200);
    assertThat(get(url + "/metrics").statusCode()).isEqualTo(401);
    assertThat(get(url + "/metrics", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
    HttpResponse<String> m = get(url + "/metrics", "Authorization", "Bearer tok-123");
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body()).contains(
        "palisade_fence_operations_total{action=\"off\",device=\"bmc-n2\",node=\"n1\",result=\"ok\"} 1.0");
    assertThat(m.body()).contains("palisade_fence_operation_seconds_bucket{action=\"off\",device=\"bmc-n2\","
        + "node=\"n1\",result=\"ok\",le=\"2.5\"} 1");
  }

  @Test
  void aPortInUseIsAConfigErrorNamingTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      Path f = dir.resolve("node.yaml");
      Files.writeString(f, "cluster: c\nnode: n1\nnodes:\n  - name: n1\n    address: 127.0.0.1\nhttp:\n  port: "
          + taken.getLocalPort() + "\n  tls: false\n");
      DaemonConfig dc = DaemonConfig.load(f);
      assertThatThrownBy(() -> WebServer.start(dc, new Metrics("n1", () -> null)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("http: cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void servesHttpsWithTheNodesCredentialWhoseCertificateNamesTheAddress() throws Exception {
    Path creds = dir.resolve("credentials");
    palisade.runtime.store.Credentials.initCa(creds, "c");
    Path node = palisade.runtime.store.Credentials.issueNode(creds, "n1", 30, java.util.List.of("127.0.0.1"));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, "cluster: c\nnode: n1\nnodes:\n  - name: n1\n    address: 127.0.0.1\nstore:\n  credential: "
        + node + "\nhttp:\n  port: " + port + "\n");
    server = WebServer.start(DaemonConfig.load(f), new Metrics("n1", () -> null));
    HttpClient trusting = HttpClient.newBuilder().sslContext(WebClusterTest.trusting(
        palisade.runtime.store.Credentials.caDir(creds).resolve("members-ca.pem"))).build();
    HttpResponse<String> ok = trusting.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
        + "/healthz")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isIn(200, 503);
    assertThat(ok.body()).contains("\"status\"");
    assertThatThrownBy(() -> trusting.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port
        + "/healthz")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
        .as("the certificate names 127.0.0.1 and n1, not localhost").isInstanceOf(javax.net.ssl.SSLException.class);
    assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/healthz"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
        .as("a client that does not trust the cluster's authority").isInstanceOf(javax.net.ssl.SSLException.class);
    assertThatThrownBy(() -> get("http://127.0.0.1:" + port + "/healthz")).as("no plain HTTP on the port")
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void httpsWithoutTheNodesCredentialIsAConfigErrorNamingTheKey() throws Exception {
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, "cluster: c\nnode: n1\nnodes:\n  - name: n1\n    address: 127.0.0.1\nstore:\n  credential: "
        + "nowhere\nhttp:\n  port: 1\n");
    assertThatThrownBy(() -> WebServer.start(DaemonConfig.load(f), new Metrics("n1", () -> null)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.tls: HTTPS needs the node's credential")
        .hasMessageContaining("nowhere");
  }
}
