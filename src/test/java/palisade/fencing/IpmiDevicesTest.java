package palisade.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ipmitool and fence_ipmilan against one ipmi_sim BMC on loopback. */
class IpmiDevicesTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    static Path tmp;

    static IpmiSimBmc bmc;

    @BeforeAll
    static void startBmc() throws Exception {
        bmc = IpmiSimBmc.start(tmp);
    }

    @AfterAll
    static void stopBmc() {
        if (bmc != null) {
            bmc.close();
        }
    }

    @BeforeEach
    void powerOn() throws Exception {
        ipmi(IpmiSimBmc.PASSWORD).on(DEADLINE);
    }

    private static FenceDevice ipmi(String password) throws FenceException {
        return FenceDevices.create(FenceDeviceSpec.of("bmc1", "ipmi", Map.of(
                "host", "127.0.0.1", "port", Integer.toString(bmc.port()),
                "username", IpmiSimBmc.USER, "password", password)));
    }

    private static FenceDevice ipmilan(int port, String password) throws FenceException {
        return FenceDevices.create(FenceDeviceSpec.of("bmc1", "agent", Map.of(
                "agent", "fence_ipmilan", "ip", "127.0.0.1", "ipport", Integer.toString(port),
                "username", IpmiSimBmc.USER, "password", password, "lanplus", "1", "cipher", "3")));
    }

    @Test
    void ipmitoolPowerCycle() throws Exception {
        FenceDevice d = ipmi(IpmiSimBmc.PASSWORD);
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.ON);
        d.off(DEADLINE);
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.OFF);
        assertThat(bmc.powerFileContent()).isEqualTo("0");
        d.on(DEADLINE);
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.ON);
        assertThat(bmc.powerFileContent()).isEqualTo("1");
    }

    @Test
    void fenceIpmilanPowerCycle() throws Exception {
        FenceDevice d = ipmilan(bmc.port(), IpmiSimBmc.PASSWORD);
        assertThat(d).isInstanceOf(FenceAgentDevice.class);
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.ON);
        d.off(DEADLINE);
        assertThat(bmc.powerFileContent()).isEqualTo("0");
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.OFF);
        d.on(DEADLINE);
        assertThat(bmc.powerFileContent()).isEqualTo("1");
        assertThat(d.status(DEADLINE)).isEqualTo(PowerState.ON);
    }

    @Test
    void ipmitoolWrongPasswordFailsWithoutLeakingIt() throws Exception {
        FenceDevice d = ipmi("wrong-pass-4711");
        assertThatThrownBy(() -> d.off(DEADLINE))
                .isInstanceOf(FenceException.class)
                .hasMessageContaining("fence device 'bmc1'")
                .hasMessageNotContaining("wrong-pass-4711");
        assertThat(bmc.powerFileContent()).isEqualTo("1");
        assertThat(d.toString()).doesNotContain("wrong-pass-4711").contains("password=***");
    }

    @Test
    void fenceIpmilanWrongPasswordFailsWithoutLeakingIt() throws Exception {
        FenceDevice d = ipmilan(bmc.port(), "wrong-pass-4711");
        assertThatThrownBy(() -> d.status(DEADLINE))
                .isInstanceOf(FenceException.class)
                .hasMessageContaining("exit 1")
                .hasMessageNotContaining("wrong-pass-4711");
        assertThat(d.toString()).doesNotContain("wrong-pass-4711").contains("password=***");
    }

    @Test
    void ipmitoolUnreachableBmcFailsWithinDeadline() throws Exception {
        FenceDevice d = FenceDevices.create(FenceDeviceSpec.of("bmc9", "ipmi", Map.of(
                "host", "127.0.0.1", "port", Integer.toString(IpmiSimBmc.freeUdpPort()),
                "username", "admin", "password", "secret")));
        long start = System.nanoTime();
        assertThatThrownBy(() -> d.status(Duration.ofSeconds(5))).isInstanceOf(FenceException.class)
                .hasMessageContaining("fence device 'bmc9'");
        // Far below the ~20 s the tools take alone; loose enough for a loaded 2-core CI (deadline 5 s + the kill).
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
        assertThat(TestProcesses.liveDescendants("ipmitool")).isEmpty();
    }

    @Test
    void fenceIpmilanUnreachableBmcIsCutByTheDeadline() throws Exception {
        // fence_ipmilan alone takes ~20 s here; the deadline must kill it and its ipmitool
        FenceDevice d = ipmilan(IpmiSimBmc.freeUdpPort(), "secret");
        long start = System.nanoTime();
        assertThatThrownBy(() -> d.status(Duration.ofSeconds(5))).isInstanceOf(FenceException.class)
                .hasMessageContaining("fence device 'bmc1'");
        // Far below the ~20 s the tools take alone; loose enough for a loaded 2-core CI (deadline 5 s + the kill).
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
        assertThat(TestProcesses.liveDescendants("fence_ipmilan")).isEmpty();
        assertThat(TestProcesses.liveDescendants("ipmitool")).isEmpty();
    }

    @Test
    void toolCallsCreateNoFileInTheTempDir() throws Exception {
        Path tmpDir = Path.of(System.getProperty("java.io.tmpdir"));
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            tmpDir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            ipmi(IpmiSimBmc.PASSWORD).status(DEADLINE);
            ipmilan(bmc.port(), IpmiSimBmc.PASSWORD).status(DEADLINE);
            // A marker of our own, created last: once its event arrives, every earlier one has (inotify keeps order).
            Path marker = Files.createFile(tmpDir.resolve("palisade-marker-" + UUID.randomUUID()));
            List<String> created = new ArrayList<>();
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!created.contains(marker.getFileName().toString()) && System.nanoTime() < end) {
                    WatchKey key = watch.poll(100, TimeUnit.MILLISECONDS);
                    if (key == null) {
                        continue;
                    }
                    for (WatchEvent<?> e : key.pollEvents()) {
                        if (e.context() instanceof Path p && p.toString().startsWith("palisade")) {
                            created.add(p.toString());
                        }
                    }
                    key.reset();
                }
            } finally {
                Files.deleteIfExists(marker);
            }
            assertThat(created).containsExactly(marker.getFileName().toString());
        }
    }

    @Test
    void passwordsNeverAppearInTheToolsArguments() throws Exception {
        String password = "argv-secret-4711";
        int silent = IpmiSimBmc.freeUdpPort(); // nobody answers: each call runs long enough to be watched
        FenceDevice ipmitool = FenceDevices.create(FenceDeviceSpec.of("bmc9", "ipmi", Map.of(
                "host", "127.0.0.1", "port", Integer.toString(silent), "username", "admin", "password", password)));
        assertThat(argumentsDuringCall(ipmitool)).anyMatch(c -> c.contains("ipmitool"))
                .noneMatch(c -> c.contains(password));
        assertThat(argumentsDuringCall(ipmilan(silent, password))).anyMatch(c -> c.contains("fence_ipmilan"))
                .noneMatch(c -> c.contains(password));
    }

    /** Command lines of the processes this JVM starts while the device's status call runs. */
    private static List<String> argumentsDuringCall(FenceDevice d) throws Exception {
        CompletableFuture<Void> call = CompletableFuture.runAsync(() -> {
            try {
                d.status(Duration.ofSeconds(3));
            } catch (FenceException expected) {
                // the BMC is silent: the call fails, after running long enough
            }
        });
        List<String> seen = new ArrayList<>();
        while (!call.isDone()) {
            ProcessHandle.current().children()
                    .map(h -> h.info().commandLine().orElse(""))
                    .filter(c -> !c.isEmpty() && !seen.contains(c))
                    .forEach(seen::add);
            try {
                call.get(5, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                // sample again
            }
        }
        return seen;
    }
}
