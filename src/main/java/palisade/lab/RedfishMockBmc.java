package palisade.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import palisade.fencing.PinnedTls;
import javax.net.ssl.SSLContext;

/**
 * A minimal Redfish BMC over HTTPS on 127.0.0.1 for one system, enough for fence_redfish and
 * {@code RedfishDevice}. Uses a throw-away self-signed certificate made with the JDK's keytool.
 */
public final class RedfishMockBmc implements AutoCloseable {

    static final String ROOT = "/redfish/v1";
    static final String SYSTEMS = ROOT + "/Systems";
    static final String SYSTEM = SYSTEMS + "/1";
    static final String RESET = SYSTEM + "/Actions/ComputerSystem.Reset";
    static final List<String> RESET_TYPES = List.of("On", "ForceOff", "GracefulShutdown", "ForceRestart", "Nmi");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int requestedPort;
    private final byte[] expectedAuth;
    private final PowerSwitch power;
    private HttpsServer server;
    private ExecutorService executor;
    /** The generated certificate's fingerprint, in the form of the ssl_fingerprint option. */
    private String fingerprint;

    public RedfishMockBmc(int port, String username, String password, PowerSwitch power) {
        this.requestedPort = port;
        this.expectedAuth = ("Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.US_ASCII);
        this.power = power;
    }

    /** Generates the certificate and starts listening on 127.0.0.1 only. */
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        KeyStore keys = selfSignedKeyStore();
        SSLContext tls = context(keys);
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 16);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        s.createContext("/", this::handle);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "redfish-mock-bmc");
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.start();
        server = s;
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.getAddress().getPort();
    }

    /** {@code sha256:AB:CD:...} of this BMC's certificate: what a Redfish device pins with ssl_fingerprint. */
    public synchronized String certificateFingerprint() {
        if (fingerprint == null) {
            throw new IllegalStateException("not started");
        }
        return fingerprint;
    }

    public PowerSwitch powerSwitch() {
        return power;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !MessageDigest.isEqual(expectedAuth, auth.getBytes(StandardCharsets.US_ASCII))) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"RedfishMockBmc\"");
                reply(ex, 401, error("authentication required"));
                return;
            }
            String path = ex.getRequestURI().getPath().replaceAll("/+$", "");
            String method = ex.getRequestMethod();
            if (path.equals(RESET)) {
                if (!method.equals("POST")) {
                    reply(ex, 405, error("use POST"));
                    return;
                }
                reset(ex);
                return;
            }
            if (!method.equals("GET")) {
                reply(ex, 405, error("use GET"));
                return;
            }
            switch (path) {
                case ROOT:
                    reply(ex, 200, root());
                    break;
                case SYSTEMS:
                    reply(ex, 200, systems());
                    break;
                case SYSTEM:
                    reply(ex, 200, system());
                    break;
                default:
                    reply(ex, 404, error("no resource " + path));
            }
        } catch (RuntimeException e) {
            // e.g. the power switch failed: tell the client, keep serving
            reply(ex, 500, error(String.valueOf(e.getMessage())));
        }
    }

    private void reset(HttpExchange ex) throws IOException {
        JsonNode body;
        try (InputStream in = ex.getRequestBody()) {
            body = JSON.readTree(in.readAllBytes());
        } catch (IOException e) {
            reply(ex, 400, error("body is not JSON"));
            return;
        }
        String type = body == null ? "" : body.path("ResetType").asText("");
        switch (type) {
            case "On":
                power.setOn(true);
                break;
            case "ForceOff":
            case "GracefulShutdown": // no guest to ask: same as a hard off
                power.setOn(false);
                break;
            case "ForceRestart":
                power.setOn(false);
                power.setOn(true);
                break;
            case "Nmi":
                break;
            default:
                reply(ex, 400, error("unsupported ResetType '" + type + "'"));
                return;
        }
        ex.sendResponseHeaders(204, -1);
    }

    private static ObjectNode root() {
        ObjectNode n = JSON.createObjectNode();
        n.put("@odata.id", ROOT).put("Id", "RootService").put("RedfishVersion", "1.6.0");
        n.putObject("Systems").put("@odata.id", SYSTEMS);
        return n;
    }

    private static ObjectNode systems() {
        ObjectNode n = JSON.createObjectNode();
        n.put("@odata.id", SYSTEMS).put("Name", "Computer System Collection");
        n.putArray("Members").addObject().put("@odata.id", SYSTEM);
        n.put("Members@odata.count", 1);
        return n;
    }

    private ObjectNode system() {
        ObjectNode n = JSON.createObjectNode();
        n.put("@odata.id", SYSTEM).put("Id", "1").put("Name", "Palisade simulated node");
        n.put("PowerState", power.isOn() ? "On" : "Off");
        ObjectNode reset = n.putObject("Actions").putObject("#ComputerSystem.Reset");
        reset.put("target", RESET);
        RESET_TYPES.forEach(reset.putArray("ResetType@Redfish.AllowableValues")::add);
        return n;
    }

    private static ObjectNode error(String message) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("error").put("message", message);
        return n;
    }

    private static void reply(HttpExchange ex, int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The key pair's password, only in this process: the key store never leaves memory once loaded. */
    private final char[] keyPassword = randomPassword();

    /** Runs keytool into a private temp dir, loads the key and certificate, deletes the dir. */
    private KeyStore selfSignedKeyStore() throws IOException {
        Path dir = Files.createTempDirectory("redfish-mock-bmc-");
        try {
            Path store = dir.resolve("bmc.p12");
            char[] pass = keyPassword;
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            ProcessBuilder pb = new ProcessBuilder(keytool.toString(), "-genkeypair",
                    "-alias", "bmc", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "7",
                    "-storetype", "PKCS12", "-keystore", store.toString(),
                    // passwords through the environment, not argv
                    "-storepass:env", "MOCK_BMC_STOREPASS", "-keypass:env", "MOCK_BMC_STOREPASS")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("keytool.log").toFile());
            pb.environment().put("MOCK_BMC_STOREPASS", new String(pass));
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("keytool timed out");
            }
            if (p.exitValue() != 0) {
                throw new IOException("keytool failed: " + Files.readString(dir.resolve("keytool.log")).strip());
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, pass);
            }
            fingerprint = PinnedTls.Fingerprint.of((X509Certificate) ks.getCertificate("bmc")).toString();
            return ks;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating the certificate", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the generated certificate: " + e.getMessage(), e);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private SSLContext context(KeyStore ks) throws IOException {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, keyPassword);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the generated certificate: " + e.getMessage(), e);
        }
    }

    private static char[] randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b).toCharArray();
    }

    /**
     * Runs the mock as its own process:
     * {@code --port N --user U --password-file F --state-file F}; the state file holds "1" or "0".
     * Prints {@code listening on 127.0.0.1:PORT} once ready, then serves until killed.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parseArgs(args);
        int port = Integer.parseInt(opts.getOrDefault("--port", "0"));
        String user = opts.getOrDefault("--user", "admin");
        String passwordFile = require(opts, "--password-file");
        String stateFile = require(opts, "--state-file");
        String password = Files.readString(Path.of(passwordFile), StandardCharsets.UTF_8).strip();
        RedfishMockBmc bmc = new RedfishMockBmc(port, user, password, new FilePowerSwitch(Path.of(stateFile)));
        bmc.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            bmc.close();
            stopped.countDown();
        }));
        System.out.println("listening on 127.0.0.1:" + bmc.port());
        System.out.flush();
        stopped.await();
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> opts = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!List.of("--port", "--user", "--password-file", "--state-file").contains(a) || i + 1 >= args.length) {
                usage("bad argument '" + a + "'");
            }
            opts.put(a, args[++i]);
        }
        return opts;
    }

    private static String require(Map<String, String> opts, String key) {
        String v = opts.get(key);
        if (v == null) {
            usage("missing " + key);
        }
        return v;
    }

    private static void usage(String problem) {
        System.err.println("RedfishMockBmc: " + problem);
        System.err.println("usage: RedfishMockBmc --port N --user U --password-file F --state-file F");
        System.exit(2);
    }
}
