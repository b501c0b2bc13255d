package palisade.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import palisade.core.Commands;
import palisade.core.ConfigException;
import palisade.core.ManagerLease;
import palisade.core.StorePaths;
import palisade.io.TextFile;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.daemon.Telemetry;
import palisade.runtime.store.Admin;
import palisade.runtime.store.Credential;
import palisade.runtime.store.EmbeddedPeer;
import palisade.runtime.store.Operations;

/**
 * One daemon's HTTP server (plain HTTP; see docs/RUNTIME.md): {@code /healthz}, {@code /readyz} and
 * {@code /metrics}. Health and readiness answer anyone with a status and no secrets; /metrics does too unless
 * {@code http.metrics_token_file} is set. Errors never carry a stack trace.
 */
public final class WebServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WebServer.class);
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final Metrics metrics;
  private final long healthWindowMs;
  private final long leaseMs;
  private final byte[] metricsToken;
  private final ApiTokens apiTokens;
  private final String cluster;
  private final String node;
  private final DaemonConfig config;
  /** The store reader behind the API's reads and writes: opened at the first request, closed with the server. */
  private final StoreReader reader;
  private final Javalin app;
  private final ApiWrites writes;
  private final EventStream stream;
  private final FailoverRecorder failovers;
  private Notifier notifier;
  private List<String> routes;
  /** The request's token holder, set by {@link #authenticate}. */
  static final String HOLDER = "palisade.holder";
  /** Set once a problem was written, so the 404 page does not replace a handler's own 404. */
  private static final String PROBLEM = "palisade.problem";

  /** The daemon's observer: handed to the NodeDaemon before it starts, then to {@link #start}. */
  public static Telemetry telemetry(DaemonConfig dc) {
    Credential credential;
    try {
      credential = Credential.load(dc.storeCredential());
    } catch (IllegalArgumentException e) {
      credential = null; // the daemon itself refuses to start, naming store.credential
    }
    Credential c = credential;
    DaemonConfig.Node self = dc.self();
    boolean peer = dc.runsPeer();
    return new Metrics(dc.node(), new PeerMode(peer && c != null ? () -> EmbeddedPeer.mode(self.address(),
        self.clientPort(), c) : () -> null));
  }

  private WebServer(DaemonConfig dc, Metrics metrics, byte[] metricsToken, ApiTokens apiTokens,
      javax.net.ssl.SSLContext tls) {
    this.metrics = metrics;
    this.apiTokens = apiTokens;
    this.cluster = dc.cluster();
    this.node = dc.node();
    this.config = dc;
    this.reader = new StoreReader(dc);
    // "The loop is alive": a tick ran within the last ten ticks (at least a second: a loaded machine is not a dead
    // daemon).
    this.healthWindowMs = Math.max(1_000, 10 * dc.timing().tickMs());
    this.leaseMs = dc.timing().leaseMs();
    this.metricsToken = metricsToken;
    QueuedThreadPool pool = new QueuedThreadPool(8, 2);
    pool.setName("palisade-http");
    pool.setDaemon(true);
    this.writes = new ApiWrites(reader, node);
    this.stream = new EventStream(reader);
    this.failovers = new FailoverRecorder(metrics.timeline(), () -> {
      Telemetry.Tick t = metrics.last();
      return t == null ? null : t.history();
    }, leaseMs);
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.threadPool = pool;
      if (tls != null) {
        DaemonConfig.Http h = dc.http();
        config.jetty.addConnector((server, http) -> HttpsConnector.of(server, http, tls, h.address(), h.port()));
      }
      Routes r = new Routes(config.routes);
      Dashboard.register(r);
      r.get("/healthz", this::healthz);
      r.get("/readyz", this::readyz);
      r.get("/metrics", this::metrics);
      config.routes.before("/api/*", this::authenticate);
      r.get("/api/openapi.json", ctx -> ctx.contentType("application/json").result(Dashboard.asset("openapi.json")));
      r.get("/api/cluster", ctx -> json(ctx, 200, Api.cluster(cluster, node, snapshot())));
      r.get("/api/nodes", ctx -> json(ctx, 200, Api.nodes(snapshot(), leaseAges())));
      r.get("/api/resources", ctx -> json(ctx, 200, Api.resources(snapshot(), ResourceQuery.parse(ctx::queryParam))));
      r.get("/api/fence-history", ctx -> json(ctx, 200, Api.fenceHistory(snapshot())));
      r.get("/api/groups", ctx -> json(ctx, 200, Api.groups(reader.get().value(StorePaths.CONFIG,
          palisade.core.ClusterConfig.class))));
      r.get("/api/failovers", ctx -> json(ctx, 200, failovers.json(snapshot().history())));
      r.get("/api/events", this::events);
      r.sse("/api/events/stream", client -> {
        try {
          stream.connect(client);
        } catch (Exception e) {
          client.close(); // the store is unreachable: the browser reconnects
        }
      });
      writes.register(r);
      new ApiConfigWrites(reader, writes, dc).register(r);
      routes = r.registered();
      config.routes.exception(Api.BadRequest.class, (e, ctx) -> problem(ctx, 400, "bad request",
          e.getMessage()));
      config.routes.exception(Operations.Refused.class, (e, ctx) -> refused(ctx, e));
      config.routes.exception(Commands.Full.class, (e, ctx) -> problem(ctx, 503, "command queue full",
          e.getMessage()));
      config.routes.exception(org.apache.zookeeper.KeeperException.class, (e, ctx) -> problem(ctx, 503,
          "store unavailable", "the store did not answer (" + e.code() + "): the change may or may not be made; "
          + "check, then try again or ask another node"));
      config.routes.exception(Api.Unavailable.class, (e, ctx) -> problem(ctx, 503, "store not synced",
          e.getMessage()));
      config.routes.exception(Exception.class, (e, ctx) -> problem(ctx, 500, "internal error",
          e.getClass().getSimpleName()));
      // only for a path no endpoint answered: a handler's own 404 (no such resource) keeps its problem
      config.routes.error(404, ctx -> {
        if (ctx.attribute(PROBLEM) == null) problem(ctx, 404, "not found", "no such endpoint: " + ctx.path());
      });
    });
  }

  /** What a refused operation answers: 400 bad input, 404 no such resource or node, 409 exists, 503 no config. */
  private static void refused(Context ctx, Operations.Refused e) {
    switch (e.problem()) {
      case NOT_FOUND -> problem(ctx, 404, "not found", e.getMessage());
      case CONFLICT -> problem(ctx, 409, "conflict", e.getMessage());
      case NO_CONFIG -> problem(ctx, 503, "no configuration", e.getMessage());
      default -> problem(ctx, 400, "bad request", e.getMessage());
    }
  }

  /** Every endpoint as "METHOD /path", in registration order (held against the OpenAPI document by a test). */
  List<String> routes() {
    return routes;
  }

  /** Seconds since each node's record was last written (its last renewal, or the manager's fence write). */
  private Map<String, Double> leaseAges() {
    // in Api, so that `palisade status -o json` computes them alike
    try {
      return Api.leaseAges(reader.get(), config.nodes().stream().map(DaemonConfig.Node::name).toList(),
          System.currentTimeMillis());
    } catch (RuntimeException e) {
      return Map.of(); // no store reader (its credential did not load): the ages are left out, the answer stands
    }
  }

  /**
   * Starts the server the configuration asks for (http.enabled, address, port), or returns null when it is off.
   *
   * @throws ConfigException naming http.* when the port cannot be bound or the token file is unreadable
   */
  public static WebServer start(DaemonConfig dc, Telemetry telemetry) {
    DaemonConfig.Http h = dc.http();
    if (!h.enabled()) return null;
    byte[] token = null;
    if (h.metricsTokenFile() != null) {
      try {
        token = TextFile.read(h.metricsTokenFile()).strip().getBytes(StandardCharsets.UTF_8);
      } catch (TextFile.Unreadable e) {
        throw new ConfigException("http.metrics_token_file: " + e.getMessage());
      }
      if (token.length == 0) throw new ConfigException("http.metrics_token_file: " + h.metricsTokenFile()
          + " is empty");
    }
    ApiTokens api = h.apiTokensFile() == null ? ApiTokens.none() : ApiTokens.load(h.apiTokensFile());
    if (!(telemetry instanceof Metrics metrics)) {
      throw new IllegalArgumentException("the telemetry of WebServer.telemetry(config) is needed, not " + telemetry);
    }
    javax.net.ssl.SSLContext tls = h.tls() ? serverTls(dc) : null;
    WebServer w = new WebServer(dc, metrics, token, api, tls);
    try {
      if (tls != null) {
        w.app.start(); // on the HTTPS connector, which carries the address and port
      } else {
        w.app.start(h.address(), h.port());
      }
    } catch (RuntimeException e) {
      w.app.stop();
      throw new ConfigException("http: cannot listen on " + h.address() + ":" + h.port() + ": "
          + rootMessage(e));
    }
    w.failovers.start(w.reader, w::holdsManagerLease);
    // Always: the settings are the cluster's (palisade notify set) and may appear at any time.
    w.notifier = new Notifier(dc.cluster(), dc.node(), System::currentTimeMillis);
    w.notifier.start(w.reader, w::holdsManagerLease);
    return w;
  }

  /**
   * The TLS context of the node's store credential. A certificate that does not name the HTTP address still serves
   * (HA does not wait for a dashboard), with a warning that says how to reissue it.
   */
  private static javax.net.ssl.SSLContext serverTls(DaemonConfig dc) {
    Credential c;
    try {
      c = Credential.load(dc.storeCredential());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("http.tls: HTTPS needs the node's credential (store.credential): " + e.getMessage());
    }
    try {
      java.security.cert.X509Certificate cert = c.certificate();
      HttpsConnector.nameMismatch(cert, dc.http().address()).ifPresent(why -> LOG.warn("http: clients that check "
          + "names will refuse this node's certificate ({}); reissue it with: palisade credentials node {} --address "
          + "{}", why, dc.node(), dc.http().address()));
      return c.sslContext();
    } catch (IllegalStateException e) {
      throw new ConfigException("http.tls: " + e.getMessage());
    }
  }

  /** Whether this node holds the manager lease (the one node that sends notifications). */
  private boolean holdsManagerLease() {
    return holdsManagerLease(reader.get(), node);
  }

  private static boolean holdsManagerLease(Admin reader, String node) {
    try {
      ManagerLease l = reader.value(StorePaths.MANAGER_LEASE, ManagerLease.class);
      return l != null && node.equals(l.holder());
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * The notifier of a daemon whose HTTP server is off (otherwise the server runs it): notifications are the
   * cluster's, so the node holding the manager lease sends them whatever its own http section says.
   */
  public static AutoCloseable notifierWithoutHttp(DaemonConfig dc) {
    StoreReader reader = new StoreReader(dc);
    Notifier n = new Notifier(dc.cluster(), dc.node(), System::currentTimeMillis);
    n.start(reader, () -> holdsManagerLease(reader.get(), dc.node()));
    return () -> {
      n.close();
      reader.close();
    };
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) t = t.getCause();
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  public int port() {
    return app.port();
  }

  private void healthz(Context ctx) {
    double age = metrics.tickAgeSeconds();
    boolean ok = age * 1000 <= healthWindowMs;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", ok ? "ok" : "loop stalled");
    body.put("loop_tick_age_seconds", round(age));
    json(ctx, ok ? 200 : 503, body);
  }

  private void readyz(Context ctx) {
    double lease = metrics.leaseAgeSeconds();
    boolean synced = metrics.synced();
    boolean renewed = !Double.isNaN(lease) && lease * 1000 <= leaseMs;
    boolean ok = synced && renewed && metrics.tickAgeSeconds() * 1000 <= healthWindowMs;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", ok ? "ready" : "not ready");
    body.put("store_synced", synced);
    body.put("lease_age_seconds", Double.isNaN(lease) ? null : round(lease));
    json(ctx, ok ? 200 : 503, body);
  }

  private void metrics(Context ctx) {
    if (metricsToken != null) {
      String auth = ctx.header("Authorization");
      byte[] given = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).strip().getBytes(
          StandardCharsets.UTF_8) : new byte[0];
      if (!MessageDigest.isEqual(given, metricsToken)) {
        ctx.header("WWW-Authenticate", "Bearer");
        problem(ctx, 401, "unauthorized", "/metrics needs the metrics token as a bearer token");
        return;
      }
    }
    ctx.status(200).contentType(PROMETHEUS_TEXT).result(metrics.scrape());
  }

  /** Every /api request needs a bearer token from http.api_tokens_file; viewers and admins read, admins write. */
  private void authenticate(Context ctx) {
    String auth = ctx.header("Authorization");
    if (auth == null || !auth.startsWith("Bearer ") || auth.substring(7).isBlank()) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"palisade\"");
      problem(ctx, 401, "unauthorized", "the API needs a token: Authorization: Bearer <token>");
      ctx.skipRemainingHandlers();
      return;
    }
    var holder = apiTokens.check(auth.substring(7).strip());
    if (holder.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"palisade\", error=\"invalid_token\"");
      problem(ctx, 401, "unauthorized", "the token is not valid on this node");
      ctx.skipRemainingHandlers();
      return;
    }
    ctx.attribute(HOLDER, holder.get());
    boolean read = ctx.method().name().equals("GET") || ctx.method().name().equals("HEAD");
    if (!read && holder.get().role() != ApiTokens.Role.ADMIN) {
      problem(ctx, 403, "forbidden", "token " + holder.get().name() + " is a viewer's: only admin tokens change "
          + "the cluster");
      ctx.skipRemainingHandlers();
    }
  }

  /** GET /api/events?last=N (1-2000, default 50) or ?after=ID: the cluster's event log, oldest first. */
  private void events(Context ctx) throws Exception {
    String after = ctx.queryParam("after");
    String lastParam = ctx.queryParam("last");
    int last = 50;
    if (lastParam != null) {
      int n = lastParam.matches("\\d{1,4}") ? Integer.parseInt(lastParam) : -1;
      if (n < 1 || n > 2000) {
        throw new Api.BadRequest("last: '" + Api.shorten(lastParam) + "' must be a number from 1 to 2000");
      }
      last = n;
    }
    if (after != null && !after.matches(Admin.EVENT_ID)) {
      throw new Api.BadRequest("after: '" + Api.shorten(after) + "' is not an event id (e-0000000123 or "
          + "e-0000000123.0004)");
    }
    snapshot(); // 503 at once when this node's store view is not synced
    List<Admin.Event> events = reader.get().events(after, last);
    if (after != null && events.size() > last) events = events.subList(0, last);
    json(ctx, 200, Api.events(events));
  }

  /** The last snapshot of a synced store view; else Api.Unavailable (503). */
  private Telemetry.Tick snapshot() {
    Telemetry.Tick t = metrics.last();
    if (t == null || !t.synced() || t.state() == null) {
      throw new Api.Unavailable("this node's store view is not synced; ask another node");
    }
    return t;
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }

  static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An RFC 9457 problem: type, title, status, detail; never a stack trace. */
  static void problem(Context ctx, int status, String title, String detail) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    ctx.attribute(PROBLEM, Boolean.TRUE);
    try {
      ctx.status(status).contentType("application/problem+json").result(JSON.writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      ctx.status(status).result(title);
    }
  }

  @Override
  public void close() {
    if (notifier != null) notifier.close();
    failovers.close();
    stream.close();
    app.stop();
    reader.close();
  }
}
