package palisade.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.lab.RedfishMockBmc;
import palisade.lab.InMemoryPowerSwitch;

/** RedfishDevice and Debian's fence_redfish against RedfishMockBmc on loopback. */
class RedfishDevicesTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final String USER = "admin";
    private static final String PASSWORD = "s3cret-redfish";

    static final InMemoryPowerSwitch POWER = new InMemoryPowerSwitch(true);
    static RedfishMockBmc bmc;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startBmc() throws Exception {
        bmc = new RedfishMockBmc(0, USER, PASSWORD, POWER);
        bmc.start();
    }

    @AfterAll
    static void stopBmc() {
        if (bmc != null) {
            bmc.close();
        }
    }

    @BeforeEach
    void powerOn() {
        POWER.setOn(true);
    }

    private static FenceDevice redfish(int port, String password, boolean insecure) throws FenceException {
        Map<String, String> o = new HashMap<>(Map.of("host", "127.0.0.1", "port", Integer.toString(port),
                "username", USER, "password", password));
        if (insecure) {
            o.put("ssl_insecure", "true");
        }
        return FenceDevices.create(FenceDeviceSpec.of("rf1", "redfish", o));
    }

    private static FenceDevice fenceRedfish(String password) throws FenceException {
        return FenceDevices.create(FenceDeviceSpec.of("rf1", "agent", Map.of("agent", "fence_redfish",
                "ip", "127.0.0.1", "ipport", Integer.toString(bmc.port()),
                "username", USER, "password", password, "ssl_insecure", "1")));
    }

    @Test
    void redfishDevicePowerCycle() throws Exception {
        FenceDevice d = redfish(bmc.port(), PASSWORD, true);
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.ON);
        d.off(DEADLINE);
        assertThat(POWER.isOn()).isFalse();
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.OFF);
        d.on(DEADLINE);
        assertThat(POWER.isOn()).isTrue();
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.ON);
    }

    @Test
    void redfishDeviceWrongPassword() throws Exception {
        FenceDevice d = redfish(bmc.port(), "wrong-pass-4711", true);
        assertThatThrownBy(() -> d.off(DEADLINE))
                .isInstanceOf(FenceException.class)
                .hasMessageContaining("authentication failed")
                .hasMessageNotContaining("wrong-pass-4711");
        assertThat(POWER.isOn()).isTrue();
        assertThat(d.toString()).doesNotContain("wrong-pass-4711").contains("password=***");
    }

    @Test
    void redfishDeviceRejectsSelfSignedCertificateUnlessInsecure() throws Exception {
        FenceDevice d = redfish(bmc.port(), PASSWORD, false);
        assertThatThrownBy(() -> d.status(DEADLINE)).isInstanceOf(FenceException.class)
                .hasMessageContaining("fence device 'rf1'")
                .hasMessageContaining("TLS certificate not trusted (pin a self-signed BMC certificate with"
                        + " ssl_fingerprint");
    }

    private static FenceDevice pinned(String fingerprint) throws FenceException {
        return FenceDevices.create(FenceDeviceSpec.of("rf1", "redfish", Map.of("host", "127.0.0.1",
                "port", Integer.toString(bmc.port()), "username", USER, "password", PASSWORD,
                "ssl_fingerprint", fingerprint)));
    }

    @Test
    void pinnedCertificateIsAccepted() throws Exception {
        String fingerprint = bmc.certificateFingerprint();
        assertThat(fingerprint).matches("sha256:([0-9A-F]{2}:){31}[0-9A-F]{2}");
        FenceDevice d = pinned(fingerprint);
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.ON);
        d.off(DEADLINE);
        assertThat(POWER.isOn()).isFalse();
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.OFF);
        assertThat(d.toString()).contains("ssl_fingerprint=" + fingerprint).doesNotContain(PASSWORD);
        // the same pin as plain lower-case hex
        FenceDevice plain = pinned(fingerprint.substring("sha256:".length()).replace(":", "").toLowerCase());
        assertThat(plain.status(DEADLINE)).isEqualTo(PowerState.OFF);
    }

    @Test
    void anyOtherCertificateIsRefusedWithTheReason() throws Exception {
        String right = bmc.certificateFingerprint();
        // the BMC's own fingerprint with its last byte changed: one bit off is a different certificate
        String last = right.substring(right.length() - 2);
        String wrong = right.substring(0, right.length() - 2) + (last.equals("00") ? "01" : "00");
        FenceDevice d = pinned(wrong);
        assertThatThrownBy(() -> d.off(DEADLINE))
                .isInstanceOf(FenceException.class)
                .hasMessageContaining("fence device 'rf1'")
                .hasMessageContaining("TLS certificate refused: the BMC's certificate " + right
                        + " is not the one pinned by ssl_fingerprint (" + wrong + ")")
                .hasMessageNotContaining(PASSWORD);
        assertThat(POWER.isOn()).isTrue();
        assertThatThrownBy(() -> d.status(DEADLINE)).hasMessageContaining("is not the one pinned");
    }

    @Test
    void redfishDeviceUnreachableFailsQuickly() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        FenceDevice d = redfish(closed, PASSWORD, true);
        long start = System.nanoTime();
        assertThatThrownBy(() -> d.status(Duration.ofSeconds(5))).isInstanceOf(FenceException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void fenceRedfishAgentPowerCycle() throws Exception {
        FenceDevice d = fenceRedfish(PASSWORD);
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.ON);
        d.off(DEADLINE);
        assertThat(POWER.isOn()).isFalse();
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.OFF);
        d.on(DEADLINE);
        assertThat(POWER.isOn()).isTrue();
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.ON);
    }

    @Test
    void fenceRedfishAgentWrongPassword() throws Exception {
        FenceDevice d = fenceRedfish("wrong-pass-4711");
        assertThatThrownBy(() -> d.off(DEADLINE))
                .isInstanceOf(FenceException.class)
                .hasMessageContaining("exit 1")
                .hasMessageNotContaining("wrong-pass-4711");
        assertThat(POWER.isOn()).isTrue();
    }

    @Test
    void mockBmcRunsAsItsOwnProcess() throws Exception {
        Path pwFile = tmp.resolve("pw");
        Files.writeString(pwFile, PASSWORD + "\n");
        Files.setPosixFilePermissions(pwFile, PosixFilePermissions.fromString("rw-------"));
        Path state = tmp.resolve("node1.power");
        Files.writeString(state, "1\n");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                RedfishMockBmc.class.getName(), "--port", "0", "--user", USER,
                "--password-file", pwFile.toString(), "--state-file", state.toString())
                .redirectError(tmp.resolve("mock.err").toFile())
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
            assertThat(line).startsWith("listening on 127.0.0.1:");
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
            FenceDevice d = FenceDevices.create(FenceDeviceSpec.of("rf2", "redfish", Map.of(
                    "host", "127.0.0.1", "port", Integer.toString(port), "username", USER,
                    "password_file", pwFile.toString(), "ssl_insecure", "yes")));
            assertThat(d.status(DEADLINE)).isEqualTo(PowerState.ON);
            d.off(DEADLINE);
            assertThat(Files.readString(state).strip()).isEqualTo("0");
            assertThat(d.status(DEADLINE)).isEqualTo(PowerState.OFF);
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(TestProcesses.liveDescendants(RedfishMockBmc.class.getName())).isEqualTo(List.of());
    }
}
