package palisade.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Definitions, validation against agent metadata, and secrets. No BMC needed. */
class FenceDeviceSpecTest {

    private static final String PW = "hunter2-secret";

    @TempDir
    Path tmp;

    private static FenceDevice create(String type, Map<String, String> options) throws FenceException {
        return FenceDevices.create(FenceDeviceSpec.of("bmc1", type, options));
    }

    @Test
    void unknownTypeNamesDeviceAndChoices() {
        assertThatThrownBy(() -> FenceDeviceSpec.of("bmc1", "ipmy", Map.of()))
                .isInstanceOf(FenceException.class)
                .hasMessage("fence device 'bmc1': unknown type 'ipmy' (expected agent, ipmi, redfish, sim)");
    }

    @Test
    void unknownAgent() {
        assertThatThrownBy(() -> create("agent", Map.of("agent", "fence_foo")))
                .hasMessage("fence device 'bmc1': unknown fence agent 'fence_foo'");
        // only plain agent names are looked up, never paths
        assertThatThrownBy(() -> create("agent", Map.of("agent", "/bin/fence_ipmilan")))
                .hasMessageContaining("unknown fence agent '/bin/fence_ipmilan'");
        assertThatThrownBy(() -> FenceAgentDevice.metadata("fence_foo", Duration.ofSeconds(5)))
                .hasMessage("unknown fence agent 'fence_foo'");
    }

    @Test
    void optionNotInAgentMetadata() {
        assertThatThrownBy(() -> create("agent", Map.of("agent", "fence_ipmilan", "ip", "127.0.0.1",
                "bogus", "1")))
                .hasMessage("fence device 'bmc1': option 'bogus' is not allowed by fence_ipmilan");
    }

    @Test
    void deprecatedAliasIsRefusedWithItsReplacement() {
        // fence_ipmilan's 'port' is the plug, a classic mix-up with 'ipport'
        assertThatThrownBy(() -> create("agent", Map.of("agent", "fence_ipmilan", "ip", "127.0.0.1",
                "port", "623")))
                .hasMessage("fence device 'bmc1': option 'port' is not allowed by fence_ipmilan"
                        + " (deprecated; use 'plug')");
        assertThatThrownBy(() -> create("agent", Map.of("agent", "fence_ipmilan", "ipaddr", "127.0.0.1")))
                .hasMessageContaining("option 'ipaddr' is not allowed by fence_ipmilan (deprecated; use 'ip')");
    }

    @Test
    void requiredAgentOptionsHonourAliases() throws Exception {
        // fence_redfish marks both 'login' (deprecated) and 'username' required: one is enough
        assertThatThrownBy(() -> create("agent", Map.of("agent", "fence_redfish", "ip", "127.0.0.1")))
                .hasMessage("fence device 'bmc1': required option 'username' of fence_redfish is missing");
        FenceDevice d = create("agent", Map.of("agent", "fence_redfish", "ip", "127.0.0.1",
                "username", "admin", "password", PW));
        assertThat(d.name()).isEqualTo("bmc1");
        assertThatThrownBy(() -> create("agent", Map.of("agent", "fence_ipmilan", "ip", "127.0.0.1",
                "action", "off")))
                .hasMessageContaining("option 'action'");
        assertThatThrownBy(() -> create("agent", Map.of("agent", "fence_ipmilan", "ip", "127.0.0.1",
                "username", "admin\naction=off")))
                .hasMessageContaining("option 'username' must be a single line");
    }

    @Test
    void agentMetadataIsParsed() throws Exception {
        AgentMetadata md = FenceAgentDevice.metadata("fence_ipmilan", Duration.ofSeconds(10));
        assertThat(md.parameter("ip")).hasValueSatisfying(p -> {
            assertThat(p.type()).isEqualTo("string");
            assertThat(p.obsoletes()).contains("ipaddr");
            assertThat(p.deprecated()).isFalse();
        });
        assertThat(md.parameter("ipaddr")).hasValueSatisfying(p -> assertThat(p.deprecated()).isTrue());
        assertThat(md.parameter("ipport")).hasValueSatisfying(p -> assertThat(p.type()).isEqualTo("integer"));
        assertThat(md.parameter("action")).hasValueSatisfying(p -> assertThat(p.required()).isTrue());
        assertThat(md.aliases("ipaddr")).containsExactlyInAnyOrder("ip", "ipaddr");
        AgentMetadata rf = FenceAgentDevice.metadata("fence_redfish", Duration.ofSeconds(10));
        assertThat(rf.aliases("username")).containsExactlyInAnyOrder("username", "login");
        assertThat(rf.parameter("ssl_insecure")).isPresent();
    }

    @Test
    void builtInTypesCheckTheirOptions() {
        assertThatThrownBy(() -> create("ipmi", Map.of("host", "h", "username", "u", "password", PW, "ip", "x")))
                .hasMessageStartingWith("fence device 'bmc1': unknown option 'ip' (allowed: ");
        assertThatThrownBy(() -> create("ipmi", Map.of("host", "h", "username", "u", "password", PW,
                "port", "99999")))
                .hasMessageContaining("option 'port' must be an integer from 1 to 65535");
        assertThatThrownBy(() -> create("ipmi", Map.of("host", "h", "username", "u")))
                .hasMessage("fence device 'bmc1': option 'password' or 'password_file' is required");
        assertThatThrownBy(() -> create("redfish", Map.of("username", "u", "password", PW)))
                .hasMessage("fence device 'bmc1': option 'host' is required");
        assertThatThrownBy(() -> create("redfish", Map.of("host", "h", "username", "u", "password", PW,
                "ssl_insecure", "maybe")))
                .hasMessageContaining("option 'ssl_insecure' must be true or false");
        assertThatThrownBy(() -> create("sim", Map.of()))
                .hasMessage("fence device 'bmc1': sim devices are provided by the simulator");
    }

    @Test
    void specsNeverShowThePassword() throws Exception {
        FenceDeviceSpec spec = FenceDeviceSpec.of("bmc1", "ipmi", Map.of("host", "10.0.0.5",
                "username", "admin", "password", PW));
        assertThat(spec.describe()).isEqualTo("bmc1 (ipmi: host=10.0.0.5, password=***, username=admin)");
        assertThat(spec.toString()).doesNotContain(PW).contains("password=***");
        assertThat(FenceDevices.create(spec).toString()).doesNotContain(PW).contains("password=***");
        FenceDevice agent = create("agent", Map.of("agent", "fence_ipmilan", "ip", "10.0.0.5",
                "username", "admin", "password", PW));
        assertThat(agent.toString()).doesNotContain(PW).contains("password=***");
        FenceDevice redfish = create("redfish", Map.of("host", "10.0.0.5", "username", "admin", "password", PW));
        assertThat(redfish.toString()).doesNotContain(PW).contains("password=***");
    }

    @Test
    void passwordFileMustBePrivate() throws Exception {
        Path file = tmp.resolve("bmc1.pw");
        Files.writeString(file, PW + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Map<String, String> opts = Map.of("host", "10.0.0.5", "username", "admin", "password_file", file.toString());
        assertThatThrownBy(() -> create("ipmi", opts))
                .hasMessage("fence device 'bmc1': password file " + file
                        + " is readable by group or others; restrict it (chmod 600)");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        FenceDevice d = create("ipmi", opts);
        assertThat(d.toString()).doesNotContain(PW);
        assertThatThrownBy(() -> create("ipmi", Map.of("host", "h", "username", "u", "password", PW,
                "password_file", file.toString())))
                .hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> create("ipmi", Map.of("host", "h", "username", "u",
                "password_file", tmp.resolve("missing").toString())))
                .hasMessageContaining("cannot read password file");
    }
}
