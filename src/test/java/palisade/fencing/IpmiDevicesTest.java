package palisade.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
}
