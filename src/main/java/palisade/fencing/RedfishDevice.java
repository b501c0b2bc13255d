package palisade.fencing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * A Redfish client: finds the computer system via the service root, reads its PowerState and
 * posts ComputerSystem.Reset. Every call is bounded by the caller's deadline.
 */
final class RedfishDevice implements FenceDevice {

    /**
     * Connection settings; {@code systemId} empty means the first member of the Systems collection. The BMC's
     * certificate is checked against the JDK's trust store, or against {@code fingerprint} when one is pinned,
     * or not at all with {@code sslInsecure} (the two exclude each other).
     */
    record Config(String host, int port, String username, String password, boolean sslInsecure,
            Optional<String> systemId, Optional<PinnedTls.Fingerprint> fingerprint) {

        Config {
            if (sslInsecure && fingerprint.isPresent()) {
                throw new IllegalArgumentException("ssl_insecure and ssl_fingerprint exclude each other");
            }
        }

        @Override
        public String toString() {
            return "host=" + host + ", port=" + port + ", username=" + username + ", password="
                    + Secrets.MASK + ", ssl_insecure=" + sslInsecure
                    + fingerprint.map(f -> ", " + PinnedTls.KEY + "=" + f).orElse("")
                    + systemId.map(s -> ", system=" + s).orElse("");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Config config;
    private final URI base;
    private final String authorization;
    private final HttpClient client;

    RedfishDevice(String name, Config config) throws FenceException {
        this.name = name;
        this.config = config;
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        this.base = URI.create("https://" + host + ":" + config.port());
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (config.username() + ":" + config.password()).getBytes(StandardCharsets.UTF_8));
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER);
        try {
            if (config.fingerprint().isPresent()) {
                b.sslContext(PinnedTls.context(config.fingerprint().get()));
            } else if (config.sslInsecure()) {
                b.sslContext(InsecureTls.context());
            }
        } catch (GeneralSecurityException e) {
            throw new FenceException(prefix() + "cannot set up TLS: " + e.getMessage(), e);
        }
        this.client = b.build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PowerState status(Duration deadline) throws FenceException {
        long end = System.nanoTime() + deadline.toNanos();
        JsonNode system = get(systemPath(end), end);
        String state = system.path("PowerState").asText("");
        switch (state) {
            case "Off":
                return PowerState.OFF;
            case "On":
            case "PoweringOn":
            case "PoweringOff": // not confirmed off yet
            case "Paused":
                return PowerState.ON;
            default:
                throw new FenceException(prefix() + "unexpected PowerState '" + state + "'");
        }
    }

    @Override
    public void off(Duration deadline) throws FenceException {
        reset("ForceOff", deadline);
    }

    @Override
    public void on(Duration deadline) throws FenceException {
        reset("On", deadline);
    }

    private void reset(String type, Duration deadline) throws FenceException {
        long end = System.nanoTime() + deadline.toNanos();
        String systemPath = systemPath(end);
        JsonNode system = get(systemPath, end);
        String target = system.path("Actions").path("#ComputerSystem.Reset").path("target").asText("");
        if (target.isEmpty()) {
            throw new FenceException(prefix() + systemPath + " has no #ComputerSystem.Reset action");
        }
        String body = JSON.createObjectNode().put("ResetType", type).toString();
        send(request(target, end).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), "POST " + target, end);
    }

    /** The system resource path, discovered through the service root each call (BMCs reboot too). */
    private String systemPath(long end) throws FenceException {
        JsonNode root = get("/redfish/v1", end);
        String systems = root.path("Systems").path("@odata.id").asText("");
        if (systems.isEmpty()) {
            throw new FenceException(prefix() + "service root has no Systems collection");
        }
        if (config.systemId().isPresent()) {
            return systems.replaceAll("/+$", "") + "/" + config.systemId().get();
        }
        JsonNode members = get(systems, end).path("Members");
        if (!members.isArray() || members.isEmpty()) {
            throw new FenceException(prefix() + systems + " has no members");
        }
        String first = members.get(0).path("@odata.id").asText("");
        if (first.isEmpty()) {
            throw new FenceException(prefix() + systems + " member has no @odata.id");
        }
        return first;
    }

    private JsonNode get(String path, long end) throws FenceException {
        HttpResponse<byte[]> r = send(request(path, end).header("Accept", "application/json").GET().build(),
                "GET " + path, end);
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new FenceException(prefix() + "GET " + path + " returned invalid JSON");
        }
    }

    private HttpRequest.Builder request(String path, long end) throws FenceException {
        URI uri;
        try {
            uri = base.resolve(path);
        } catch (IllegalArgumentException e) {
            throw new FenceException(prefix() + "bad resource path '" + path + "'");
        }
        if (!uri.getScheme().equals("https") || !base.getAuthority().equals(uri.getAuthority())) {
            // never send the credentials anywhere but the configured BMC
            throw new FenceException(prefix() + "resource " + uri + " is not on the BMC");
        }
        return HttpRequest.newBuilder(uri)
                .timeout(remaining(end))
                .header("Authorization", authorization);
    }

    private HttpResponse<byte[]> send(HttpRequest req, String what, long end) throws FenceException {
        CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> r;
        try {
            // the request timeout covers only the headers; this bounds the body too
            r = f.get(remaining(end).toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new FenceException(prefix() + what + " timed out");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new FenceException(prefix() + what + " interrupted");
        } catch (ExecutionException e) {
            throw new FenceException(prefix() + what + " failed: " + describe(e.getCause()));
        }
        int code = r.statusCode();
        if (code == 401 || code == 403) {
            throw new FenceException(prefix() + "authentication failed (HTTP " + code + " for " + what + ")");
        }
        if (code / 100 != 2) {
            throw new FenceException(prefix() + what + " returned HTTP " + code);
        }
        return r;
    }

    private static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PinnedTls.Mismatch) {
                return "TLS certificate refused: " + c.getMessage();
            }
        }
        if (t instanceof HttpTimeoutException) {
            return "timed out";
        }
        if (t instanceof SSLHandshakeException) {
            String msg = String.valueOf(t.getMessage());
            return msg.contains("PKIX") || msg.contains("certificate")
                    ? "TLS certificate not trusted (pin a self-signed BMC certificate with ssl_fingerprint:"
                            + " sha256:..., or accept any with ssl_insecure=true)"
                    : "TLS handshake failed: " + msg.lines().findFirst().orElse("");
        }
        if (t instanceof ConnectException) {
            return "connection refused or unreachable";
        }
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg.lines().findFirst().orElse(""));
    }

    private Duration remaining(long end) throws FenceException {
        long left = end - System.nanoTime();
        if (left <= 0) {
            throw new FenceException(prefix() + "deadline expired");
        }
        return Duration.ofNanos(left);
    }

    private String prefix() {
        return "fence device '" + name + "': redfish " + base.getAuthority() + ": ";
    }

    @Override
    public String toString() {
        return "RedfishDevice[" + name + ": " + config + "]";
    }
}
