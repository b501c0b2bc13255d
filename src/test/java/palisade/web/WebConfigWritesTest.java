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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.cli.TlsStore;
import palisade.core.ClusterConfig;
import palisade.core.Command;
import palisade.core.Commands;
import palisade.core.FenceDeviceDef;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.runtime.daemon.ClusterDevices;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.daemon.Telemetry;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credentials;

/**
 * The API's changes to members and fence devices against a real (standalone TLS) store, through one daemon's HTTP
 * server: the CLI's checks and wording with the JSON body's field names, 400/404/409 as the CLI's refusals, an event
 * naming the token for every change, and never a secret in or out.
 */
class WebConfigWritesTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path dir;
  static TlsStore store;
  static WebServer server;
  static String url;
  static int closedPort;

  @BeforeAll
  static void start() throws Exception {
    store = new TlsStore(dir, "apiconf", "127.0.2.21", 43_000);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        ServerSocket c = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = s.getLocalPort();
      closedPort = c.getLocalPort(); // nothing listens there once closed: a device test fails at once
    }
    Files.writeString(dir.resolve("tokens"), "ops admin " + ApiTokens.sha256Hex("admin-tok") + "\nlook viewer "
        + ApiTokens.sha256Hex("viewer-tok") + "\n");
    Path f = dir.resolve("node.yaml");
    Files.writeString(f, "cluster: apiconf\nnode: node1\nnodes:\n  - name: node1\n    address: 127.0.0.1\n"
        + "store:\n  connect: " + store.connect + "\n  credential: " + Credentials.nodeDir(store.creds,
        TlsStore.NODE) + "\ntiming:\n  renew_interval: 1s\n  tick: 100ms\nhttp:\n  port: " + port
        + "\n  tls: false\n  api_tokens_file: tokens\n");
    DaemonConfig dc = DaemonConfig.load(f);
    Path secrets = ClusterDevices.secretsDir(dc);
    Files.createDirectories(secrets);
    Files.writeString(secrets.resolve("bmc4"), "hunter2\n");
    Metrics t = new Metrics("node1", () -> null);
    server = WebServer.start(dc, t);
    t.tick(new Telemetry.Tick(true, true, ManagerState.empty(), null));
    url = "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (store != null) store.close();
  }

  @BeforeEach
  void threeNodes() throws Exception {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : List.of("node1", "node2", "node3")) nodes.put(n, NodeConfig.standard(n));
    try (Admin a = store.admin()) {
      a.update(StorePaths.CONFIG, ClusterConfig.class, cur -> new ClusterConfig(nodes, new TreeMap<>(),
          new TreeMap<>(), ShutdownPolicy.CONDITIONAL, Timing.defaults()));
    }
    manager(Map.of());
  }

  private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    b.header("Authorization", "Bearer " + token);
    if (body != null) b.header("Content-Type", "application/json");
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return send(method, path, "admin-tok", body);
  }

  /** The answer's status, and its problem detail containing every one of named. */
  private static void refused(HttpResponse<String> r, int status, String... named) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(JSON.readTree(r.body()).get("detail").asText()).contains(named);
    assertThat(r.body()).doesNotContain("Exception", "hunter2");
  }

  private static ClusterConfig config() throws Exception {
    try (Admin a = store.admin()) {
      return a.value(StorePaths.CONFIG, ClusterConfig.class);
    }
  }

  private static String events() throws Exception {
    try (Admin a = store.admin()) {
      return a.events(null, 500).stream().map(e -> e.message()).collect(Collectors.joining("\n"));
    }
  }

  private static void manager(Map<String, NodeState> nodes) throws Exception {
    TreeMap<String, NodeStatus> ns = new TreeMap<>();
    nodes.forEach((n, s) -> ns.put(n, new NodeStatus(s, 1, null)));
    try (Admin node = store.node()) {
      node.update(StorePaths.MANAGER_STATE, ManagerState.class, cur -> new ManagerState(1, 10, 0, ns,
          new TreeMap<>()));
    }
  }

  @Test
  void fenceDevicesAreDefinedChangedTestedAndRemovedWithoutASecret() throws Exception {
    HttpResponse<String> add = admin("POST", "/api/fence/devices", "{\"name\":\"bmc4\",\"type\":\"redfish\","
        + "\"address\":\"127.0.0.1\",\"port\":" + closedPort + ",\"user\":\"root\",\"options\":{\"ssl_insecure\":"
        + "\"true\"},\"timeout\":\"3s\",\"secret_file_name\":\"bmc4\"}");
    assertThat(add.statusCode()).as(add.body()).isEqualTo(201);
    assertThat(config().fence().devices().get("bmc4")).isEqualTo(new FenceDeviceDef("redfish", new TreeMap<>(Map.of(
        "host", "127.0.0.1", "port", "" + closedPort, "username", "root", "ssl_insecure", "true")), 3_000, "bmc4"));
    assertThat(events()).contains("API token ops via node1: fence device bmc4 added (redfish");

    ClusterConfig before = config();
    refused(admin("POST", "/api/fence/devices", "{\"name\":\"bmc4\",\"type\":\"agent\",\"agent\":\"fence_x\"}"),
        409, "bmc4 exists");
    refused(admin("POST", "/api/fence/devices", "{\"name\":\"leaky\",\"type\":\"ipmi\",\"address\":\"h\",\"user\":"
        + "\"u\",\"options\":{\"password\":\"hunter2\"}}"), 400, "secret", "secret_file_name");
    refused(admin("POST", "/api/fence/devices", "{\"name\":\"leaky\",\"type\":\"ipmi\",\"password\":\"hunter2\"}"),
        400, "password: unknown field");
    refused(admin("POST", "/api/fence/devices", "{\"name\":\"nopw\",\"type\":\"ipmi\",\"address\":\"h\",\"user\":"
        + "\"u\"}"), 400, "needs a password", "secret_file_name");
    refused(admin("POST", "/api/fence/devices", "{\"name\":\"Bad Name\",\"type\":\"ipmi\"}"), 400, "name: 'Bad Name'");
    refused(admin("POST", "/api/fence/devices", "{\"type\":\"ipmi\"}"), 400, "name: is required");
    refused(admin("POST", "/api/fence/devices", "{\"name\":\"odd\",\"type\":\"tesla\"}"), 400, "tesla");
    refused(admin("PUT", "/api/fence/devices/bmc4", "{\"timeout\":\"soon\"}"), 400, "timeout");
    refused(admin("PUT", "/api/fence/devices/bmc9", "{\"user\":\"x\"}"), 404, "no fence device 'bmc9'");
    assertThat(config()).isEqualTo(before);

    HttpResponse<String> set = admin("PUT", "/api/fence/devices/bmc4", "{\"options\":{\"ssl_insecure\":\"\"}}");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    assertThat(config().fence().devices().get("bmc4").options()).doesNotContainKey("ssl_insecure");

    HttpResponse<String> list = send("GET", "/api/fence/devices", "viewer-tok", null);
    assertThat(list.statusCode()).isEqualTo(200);
    JsonNode dev = JSON.readTree(list.body()).get("devices").get(0);
    assertThat(dev.get("name").asText()).isEqualTo("bmc4");
    assertThat(dev.get("secret_file_name").asText()).isEqualTo("bmc4");
    assertThat(list.body()).doesNotContain("hunter2", "password");

    // Asked from this node with its own secret file: nothing answers on that port, so the test fails, saying why.
    HttpResponse<String> test = admin("POST", "/api/fence/devices/bmc4/test", null);
    assertThat(test.statusCode()).as(test.body()).isEqualTo(200);
    JsonNode tr = JSON.readTree(test.body());
    assertThat(tr.get("ok").asBoolean()).isFalse();
    assertThat(tr.get("error").asText()).isNotBlank();
    assertThat(test.body()).doesNotContain("hunter2");
    refused(admin("POST", "/api/fence/devices/bmc9/test", null), 404, "bmc9");
    assertThat(events()).contains("API token ops via node1: fence device test from node1: bmc4: failed");

    assertThat(send("DELETE", "/api/fence/devices/bmc4", "viewer-tok", null).statusCode()).isEqualTo(403);
    HttpResponse<String> node = admin("PATCH", "/api/nodes/node3", "{\"fence_levels\":[[\"bmc4\"]]}");
    assertThat(node.statusCode()).as(node.body()).isEqualTo(200);
    refused(admin("DELETE", "/api/fence/devices/bmc4", null), 409, "node3");
    assertThat(admin("PATCH", "/api/nodes/node3", "{\"fence_levels\":[]}").statusCode()).isEqualTo(200);
    assertThat(admin("DELETE", "/api/fence/devices/bmc4", null).statusCode()).isEqualTo(200);
    assertThat(config().fence().devices()).isEmpty();
    assertThat(events()).contains("API token ops via node1: fence device bmc4 removed");
  }

  @Test
  void nodesAreAddedChangedAndRemovedOnlyWhenStopped() throws Exception {
    refused(admin("POST", "/api/nodes", "{\"name\":\"node4\",\"watchdog\":false}"), 400, "node4", "fence device");
    refused(admin("POST", "/api/nodes", "{\"name\":\"node4\",\"fence_levels\":[[\"bmc9\"]]}"), 400,
        "fence_levels: no fence device 'bmc9'");
    refused(admin("POST", "/api/nodes", "{\"name\":\"node4\",\"spm_priority\":11}"), 400, "spm_priority=11");
    refused(admin("POST", "/api/nodes", "{\"name\":\"node4\",\"shutdown_policy\":\"nap\"}"), 400,
        "shutdown_policy: 'nap'");
    refused(admin("POST", "/api/nodes", "{\"name\":\"node1\"}"), 409, "node1 exists");
    refused(admin("PATCH", "/api/nodes/node9", "{\"spm_priority\":1}"), 404, "no node 'node9'");
    refused(admin("PATCH", "/api/nodes/node1", "{}"), 400, "give at least one of watchdog, fence_levels");
    assertThat(config().nodes()).containsOnlyKeys("node1", "node2", "node3");

    HttpResponse<String> add = admin("POST", "/api/nodes", "{\"name\":\"node4\",\"spm_priority\":3,"
        + "\"shutdown_policy\":\"failover\",\"site\":\"dc2\"}");
    assertThat(add.statusCode()).as(add.body()).isEqualTo(201);
    assertThat(config().nodes().get("node4")).isEqualTo(new NodeConfig("node4", true, List.of(), 3, false,
        ShutdownPolicy.FAILOVER, false, false, "dc2"));
    assertThat(events()).contains("API token ops via node1: node node4 added (watchdog=yes");

    manager(Map.of("node4", NodeState.ONLINE));
    refused(admin("PATCH", "/api/nodes/node4", "{\"watchdog\":false}"), 409, "node4 is online", "stop the node");
    refused(admin("DELETE", "/api/nodes/node4", null), 409, "node4 is online", "stop the node first");
    HttpResponse<String> live = admin("PATCH", "/api/nodes/node4", "{\"spm_priority\":5,\"site\":\"none\"}");
    assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
    assertThat(config().nodes().get("node4").spmPriority()).isEqualTo(5);
    assertThat(config().nodes().get("node4").site()).isNull();
    HttpResponse<String> agentOnly = admin("PATCH", "/api/nodes/node4", "{\"agent_only\":true}");
    assertThat(agentOnly.statusCode()).as(agentOnly.body()).isEqualTo(200);
    assertThat(config().managerCandidate("node4")).isFalse();
    refused(admin("PATCH", "/api/nodes/node4", "{\"agent_only\":\"yes\"}"), 400, "agent_only: must be true or false");

    manager(Map.of("node4", NodeState.OFFLINE));
    HttpResponse<String> remove = admin("DELETE", "/api/nodes/node4", null);
    assertThat(remove.statusCode()).as(remove.body()).isEqualTo(200);
    assertThat(config().nodes()).containsOnlyKeys("node1", "node2", "node3");
    assertThat(events()).contains("API token ops via node1: node node4 removed");
    refused(admin("DELETE", "/api/nodes/node4", null), 404, "no node 'node4'");
  }

  @Test
  void anOperatorFenceNeedsConfirmAndNamesTheToken() throws Exception {
    refused(admin("POST", "/api/nodes/node2/fence", "{}"), 400, "confirm: must be true");
    refused(admin("POST", "/api/nodes/node2/fence", "{\"confirm\":\"yes\"}"), 400, "confirm: must be true");
    refused(admin("POST", "/api/nodes/node9/fence", "{\"confirm\":true}"), 404, "no node 'node9'");
    assertThat(send("POST", "/api/nodes/node2/fence", "viewer-tok", "{\"confirm\":true}").statusCode())
        .isEqualTo(403);
    HttpResponse<String> r = admin("POST", "/api/nodes/node2/fence", "{\"confirm\":true}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode b = JSON.readTree(r.body());
    assertThat(b.get("message").asText()).contains("fence asked by API token ops (admin) via node1 on ");
    long seq = b.get("command").asLong();
    assertThat(seq).isPositive();
    try (Admin a = store.admin()) {
      Commands c = a.value(StorePaths.COMMANDS, Commands.class);
      assertThat(c.pending()).anySatisfy(q -> assertThat(q).isInstanceOfSatisfying(Command.FenceNode.class, f -> {
        assertThat(f.seq()).isEqualTo(seq);
        assertThat(f.node()).isEqualTo("node2");
        assertThat(f.by()).startsWith("API token ops (admin) via node1 on ");
      }));
    }
    assertThat(events()).contains("API token ops via node1: node2: fence asked by API token ops (admin)");
    assertThat(new TreeSet<>(server.routes())).contains("POST /api/nodes/{name}/fence", "PUT /api/fence/devices/{name}");
  }
}
