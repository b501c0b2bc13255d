package palisade.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ManagerState;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.daemon.Telemetry;

/**
 * One HTTP server without a store: the OpenAPI document lists exactly the registered endpoints; writes need an
 * admin token; bad input is refused with a problem naming the field before anything reaches the store; the
 * dashboard is served from the jar with a policy that forbids anything from elsewhere.
 */
class WebApiTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;
  private WebServer server;
  private Metrics metrics;
  private String url;

  @BeforeEach
  void start() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("tokens"), "ops admin " + ApiTokens.sha256Hex("admin-tok") + "\nlook viewer "
        + ApiTokens.sha256Hex("viewer-tok") + "\n");
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, "cluster: c\nnode: n1\nnodes:\n  - name: n1\n    address: 127.0.0.1\n"
        + "timing:\n  renew_interval: 1s\n  tick: 100ms\nhttp:\n  port: " + port + "\n  tls: false\n  api_tokens_file: tokens\n");
    Metrics t = new Metrics("n1", () -> null);
    metrics = t;
    server = WebServer.start(DaemonConfig.load(f), t);
    t.tick(new Telemetry.Tick(true, true, ManagerState.empty(), null));
    url = "http://127.0.0.1:" + port;
  }

  @AfterEach
  void stop() {
    if (server != null) server.close();
  }

  private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (body != null) b.header("Content-Type", "application/json");
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theOpenApiDocumentDescribesExactlyTheRegisteredEndpoints() throws Exception {
    HttpResponse<String> r = send("GET", "/api/openapi.json", "viewer-tok", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode doc = JSON.readTree(r.body());
    assertThat(doc.get("openapi").asText()).startsWith("3.");
    TreeSet<String> documented = new TreeSet<>();
    doc.get("paths").properties().forEach(p -> p.getValue().fieldNames().forEachRemaining(
        m -> documented.add(m.toUpperCase(java.util.Locale.ROOT) + " " + p.getKey())));
    assertThat(documented).isEqualTo(new TreeSet<>(server.routes()));
    assertThat(server.routes()).hasSizeGreaterThan(20).doesNotHaveDuplicates();
    assertThat(send("GET", "/api/openapi.json", null, null).statusCode()).isEqualTo(401);
  }

  /**
   * A cluster of 2,500 resources read a page at a time, as the dashboard does: every resource once, in id order;
   * filters by node, state and part of the id with their totals; each node's count of all of them; bad paging
   * parameters refused naming the parameter.
   */
  @Test
  void resourcesComeAPageAtATimeWithFiltersAndTotals() throws Exception {
    java.util.SortedMap<String, palisade.core.ServiceStatus> services = manyResources(2_500);
    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      JsonNode page = JSON.readTree(send("GET", "/api/resources?limit=1000" + (after == null ? "" : "&after="
          + after), "viewer-tok", null).body());
      assertThat(page.get("total").asInt()).isEqualTo(2_500);
      assertThat(page.get("by_node").get("n1").asInt()).isEqualTo(1_250);
      page.get("resources").forEach(r -> seen.add(r.get("id").asText()));
      after = page.get("next").isNull() ? null : page.get("next").asText();
      pages++;
    } while (after != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).isEqualTo(List.copyOf(services.keySet()));
    JsonNode errors = JSON.readTree(send("GET", "/api/resources?state=error&node=n1&limit=10", "viewer-tok", null)
        .body());
    assertThat(errors.get("total").asInt()).isEqualTo(250);
    assertThat(errors.get("resources")).hasSize(10);
    assertThat(errors.get("resources").get(0).get("id").asText()).isEqualTo("vm:00000");
    assertThat(errors.get("next").asText()).isEqualTo("vm:00090");
    JsonNode byId = JSON.readTree(send("GET", "/api/resources?q=0249", "viewer-tok", null).body());
    assertThat(byId.get("resources").findValuesAsText("id")).containsExactly("vm:00249", "vm:02490", "vm:02491",
        "vm:02492", "vm:02493", "vm:02494", "vm:02495", "vm:02496", "vm:02497", "vm:02498", "vm:02499");
    assertThat(JSON.readTree(send("GET", "/api/resources", "viewer-tok", null).body()).get("resources"))
        .as("no parameters: all of them, as before").hasSize(2_500);
    for (String[] bad : new String[][] {{"limit=0", "limit: '0' must be a number from 1 to 10000"},
        {"limit=ten", "limit: 'ten' must be a number from 1 to 10000"},
        {"state=running", "state: 'running' is not a resource state"}}) {
      HttpResponse<String> r = send("GET", "/api/resources?" + bad[0], "viewer-tok", null);
      assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("detail").asText()).startsWith(bad[1]);
    }
  }

  /**
   * The dashboard in Chromium with 2,500 resources: a page of 200 and how many there are; typing in the filter
   * narrows the table to the ids that contain it.
   */
  @Test
  void theDashboardShowsAPageOfManyResourcesAndFiltersThem() throws Exception {
    manyResources(2_500);
    try (DashboardPage page = new DashboardPage(List.of())) {
      page.open(url, "viewer-tok");
      org.awaitility.Awaitility.await().ignoreExceptions().atMost(DashboardPage.WAIT).until(() ->
          page.all("#resources tr.resource").size() == 200);
      assertThat(page.text("#resources-shown")).isEqualTo("showing 200 of 2500: filter to narrow");
      page.type("#resource-filter", "vm:0249");
      org.awaitility.Awaitility.await().ignoreExceptions().atMost(DashboardPage.WAIT).until(() ->
          page.all("#resources tr.resource").size() == 10);
      assertThat(page.all("#resources tr.resource").stream().map(e -> e.getAttribute("data-resource")))
          .containsExactly("vm:02490", "vm:02491", "vm:02492", "vm:02493", "vm:02494", "vm:02495", "vm:02496",
              "vm:02497", "vm:02498", "vm:02499");
      assertThat(page.text("#resources-shown")).isEmpty();
    }
  }

  /** Ticks the server's view with n started resources (every tenth in error), half on n1, half on n2. */
  private java.util.SortedMap<String, palisade.core.ServiceStatus> manyResources(int n) {
    java.util.TreeMap<String, palisade.core.ServiceStatus> services = new java.util.TreeMap<>();
    for (int i = 0; i < n; i++) {
      palisade.core.ServiceState st = i % 10 == 0 ? palisade.core.ServiceState.ERROR
          : palisade.core.ServiceState.STARTED;
      services.put(String.format("vm:%05d", i), new palisade.core.ServiceStatus(st, "n" + (1 + i % 2), null, i, 0,
          new TreeSet<>(), null));
    }
    ManagerState e = ManagerState.empty();
    metrics.tick(new Telemetry.Tick(true, true, new ManagerState(e.epoch(), e.nextToken(), e.commandSeq(), e.nodes(),
        services, e.fencing(), e.spm(), e.maintenance(), e.softFences(), e.deviceCheck(), e.ha(), e.disks()), null));
    return services;
  }

  @Test
  void writesNeedAnAdminToken() throws Exception {
    String body = "{\"maintenance\":\"on\"}";
    assertThat(send("POST", "/api/nodes/n1/maintenance", null, body).statusCode()).isEqualTo(401);
    HttpResponse<String> viewer = send("POST", "/api/nodes/n1/maintenance", "viewer-tok", body);
    assertThat(viewer.statusCode()).isEqualTo(403);
    assertThat(viewer.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(JSON.readTree(viewer.body()).get("detail").asText()).contains("viewer");
    assertThat(send("DELETE", "/api/resources/vm:1", "viewer-tok", null).statusCode()).isEqualTo(403);
    assertThat(send("GET", "/api/nodes", "viewer-tok", null).statusCode()).as("viewers read").isEqualTo(200);
  }

  @Test
  void badInputIsA400NamingTheFieldInTheCliWording() throws Exception {
    List<String[]> cases = new ArrayList<>();
    cases.add(new String[] {"POST", "/api/resources", "{\"id\":\"vm:9\",\"node\":\"n1\",\"type\":\"kvm\"}",
        "type must be process or libvirt, got 'kvm'"});
    cases.add(new String[] {"POST", "/api/resources", "{\"id\":\"vm:9\",\"node\":\"n1\"}",
        "a process resource needs options command=..."});
    cases.add(new String[] {"POST", "/api/resources", "{\"id\":\"bad id\",\"node\":\"n1\",\"options\":{\"command\":"
        + "\"x\"}}", "resource id 'bad id' is not valid"});
    cases.add(new String[] {"POST", "/api/resources", "{\"id\":\"vm:9\",\"node\":\"n1\",\"state\":\"up\","
        + "\"options\":{\"command\":\"x\"}}", "state: state 'up' is not one of started"});
    cases.add(new String[] {"POST", "/api/resources", "{\"id\":\"vm:9\"}", "node: is required"});
    cases.add(new String[] {"POST", "/api/resources", "{\"id\":\"vm:9\",\"node\":\"n1\",\"priority\":\"high\"}",
        "priority: must be an integer"});
    cases.add(new String[] {"POST", "/api/resources", "{\"id\":\"vm:9\",\"colour\":\"red\"}", "colour: unknown field"});
    cases.add(new String[] {"POST", "/api/resources", "[1,2]", "body: must be a JSON object"});
    cases.add(new String[] {"POST", "/api/resources", "{\"id\":", "body: not valid JSON"});
    cases.add(new String[] {"PATCH", "/api/resources/vm:1", "{\"max_restart\":1.5}", "max_restart: must be an integer"});
    cases.add(new String[] {"POST", "/api/resources/vm:1/migrate", "{}", "node: is required"});
    cases.add(new String[] {"POST", "/api/resources/vm:1/stop", "{\"now\":true}", "now: unknown field"});
    cases.add(new String[] {"POST", "/api/nodes/n1/maintenance", "{\"maintenance\":\"yes\"}",
        "maintenance: say on or off"});
    cases.add(new String[] {"POST", "/api/nodes/n1/fence-confirm", "{}", "checked_off: must be true"});
    cases.add(new String[] {"POST", "/api/nodes/n1/fence-confirm", "{\"checked_off\":\"yes\"}",
        "checked_off: must be true"});
    cases.add(new String[] {"POST", "/api/nodes/n1/fence", "{}", "confirm: must be true"});
    cases.add(new String[] {"POST", "/api/nodes/n1/fence", "{\"yes\":true}", "yes: unknown field"});
    cases.add(new String[] {"PATCH", "/api/nodes/n1", "{\"watchdog\":\"no\"}", "watchdog: must be true or false"});
    cases.add(new String[] {"PATCH", "/api/nodes/n1", "{\"fence_levels\":\"bmc1\"}", "fence_levels: must be an "
        + "array of levels"});
    cases.add(new String[] {"POST", "/api/nodes", "{\"name\":\"n4\",\"spm_priority\":\"3\"}",
        "spm_priority: must be an integer"});
    cases.add(new String[] {"POST", "/api/fence/devices", "{\"name\":\"d\",\"options\":{\"x\":1}}",
        "options.x: must be a string"});
    cases.add(new String[] {"PUT", "/api/fence/devices/d", "{\"password\":\"x\"}", "password: unknown field"});
    for (String[] c : cases) {
      HttpResponse<String> r = send(c[0], c[1], "admin-tok", c[2]);
      assertThat(r.statusCode()).as("%s %s %s: %s", c[0], c[1], c[2], r.body()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
      assertThat(JSON.readTree(r.body()).get("detail").asText()).as(c[2]).startsWith(c[3]);
      assertThat(r.body()).doesNotContain("Exception", "\tat ");
    }
  }

  @Test
  void theDashboardIsServedFromTheJarWithoutAToken() throws Exception {
    HttpResponse<String> page = send("GET", "/", null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'");
    assertThat(page.body()).contains("/dashboard.js", "Fence timeline").doesNotContain("http://", "https://");
    HttpResponse<String> js = send("GET", "/dashboard.js", null, null);
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.body()).contains("sessionStorage", "Authorization").doesNotContain("innerHTML", "?token=");
    assertThat(send("GET", "/dashboard.css", null, null).statusCode()).isEqualTo(200);
  }
}
