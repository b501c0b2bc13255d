package palisade.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
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

    private static final String FINGERPRINT =
            "sha256:6D:3F:1A:00:9B:42:7C:E1:55:0A:BE:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:01:23:45:67:89:AB";

    @Test
    void sslFingerprintFormatIsCheckedWhenTheSpecIsRead() throws Exception {
        Map<String, String> base = Map.of("host", "10.0.0.5", "username", "admin", "password", PW);
        assertThatThrownBy(() -> FenceDeviceSpec.of("bmc2", "redfish", with(base, "ssl_fingerprint", "sha256:zz")))
                .isInstanceOf(FenceException.class)
                .hasMessage("fence device 'bmc2': option 'ssl_fingerprint' must be sha256:XX:XX:... (the 32-byte"
                        + " SHA-256 of the BMC's certificate in hex, colon-separated or not), got 'sha256:zz'");
        // 31 bytes: one short
        assertThatThrownBy(() -> FenceDeviceSpec.of("bmc2", "redfish",
                with(base, "ssl_fingerprint", FINGERPRINT.substring(0, FINGERPRINT.length() - 3))))
                .hasMessageContaining("option 'ssl_fingerprint' must be sha256:XX:XX:...");
        assertThatThrownBy(() -> FenceDeviceSpec.of("bmc2", "redfish", with(base, "ssl_fingerprint",
                "sha1:6D:3F:1A:00:9B:42:7C:E1:55:0A:BE:11:22:33:44:55:66:77:88:99")))
                .hasMessage("fence device 'bmc2': option 'ssl_fingerprint' must be a SHA-256 fingerprint"
                        + " (sha256:...), got sha1");
        // accepted: as openssl prints it, upper or lower case, with or without colons and prefix
        for (String ok : new String[] {FINGERPRINT, FINGERPRINT.toLowerCase(),
                FINGERPRINT.substring(7), FINGERPRINT.substring(7).replace(":", "")}) {
            FenceDevice d = FenceDevices.create(FenceDeviceSpec.of("bmc2", "redfish",
                    with(base, "ssl_fingerprint", ok)));
            assertThat(d.toString()).contains("ssl_fingerprint=" + FINGERPRINT);
        }
        assertThatThrownBy(() -> FenceDevices.create(FenceDeviceSpec.of("bmc2", "redfish",
                with(with(base, "ssl_fingerprint", FINGERPRINT), "ssl_insecure", "true"))))
                .hasMessage("fence device 'bmc2': options 'ssl_insecure' and 'ssl_fingerprint' exclude each other"
                        + " (a pinned certificate is checked; ssl_insecure checks none)");
        // only Redfish devices take it
        assertThatThrownBy(() -> create("ipmi", with(base, "ssl_fingerprint", FINGERPRINT)))
                .hasMessageStartingWith("fence device 'bmc1': unknown option 'ssl_fingerprint'");
    }

    @Test
    void everySecretTheAgentMetadataMarksIsMasked() throws Exception {
        AgentMetadata md = FenceAgentDevice.metadata("fence_ipmilan", Duration.ofSeconds(10));
        assertThat(md.secretNames()).containsExactlyInAnyOrder("password", "passwd", "password_script",
                "passwd_script", "hexadecimal_kg");
        // booleans that mention passwords (use_sudo: "without password") and choices (auth) are no secrets
        assertThat(md.parameter("use_sudo")).isPresent();
        assertThat(md.parameter("auth")).isPresent();

        String kg = "0123456789abcdef0123456789abcdef01234567";
        String script = "/etc/palisade/secret-ipmi-pw.sh";
        FenceAgentDevice d = (FenceAgentDevice) create("agent", Map.of("agent", "fence_ipmilan",
                "ip", "10.0.0.5", "username", "admin", "password", PW, "hexadecimal_kg", kg,
                "password_script", script));
        assertThat(d.secretKeys()).containsAll(md.secretNames());
        assertThat(d.toString()).doesNotContain(PW, kg, script)
                .contains("password=***", "hexadecimal_kg=***", "password_script=***", "username=admin");

        // an SNMP agent's metadata marks its own: the privacy password and its script, and the community
        AgentMetadata snmp = FenceAgentDevice.metadata("fence_apc_snmp", Duration.ofSeconds(10));
        assertThat(snmp.secretNames()).contains("snmp_priv_passwd", "snmp_priv_passwd_script", "community",
                "password").doesNotContain("snmp_auth_prot", "plug", "ip", "username");
    }

    @Test
    void secretsAreKnownByNameBeforeAnyMetadata() throws Exception {
        assertThat(Secrets.isSecret("password")).isTrue();
        assertThat(Secrets.isSecret("snmp_priv_passwd")).isTrue();
        assertThat(Secrets.isSecret("secret_key")).isTrue();
        assertThat(Secrets.isSecret("access_key")).isTrue();
        assertThat(Secrets.isSecret("apikey")).isTrue();
        assertThat(Secrets.isSecret("hexadecimal_kg")).isTrue();
        assertThat(Secrets.isSecret("password_file")).isFalse(); // a path the operator must be able to check
        assertThat(Secrets.isSecret("plug")).isFalse();
        assertThat(Secrets.isSecret("ssl_insecure")).isFalse();
        assertThat(Secrets.isSecret("ssl_fingerprint")).isFalse();
        FenceDeviceSpec spec = FenceDeviceSpec.of("pdu1", "agent", Map.of("agent", "fence_aws",
                "access_key", "AKIA-EXAMPLE", "secret_key", "wJalr-EXAMPLE"));
        assertThat(spec.describe()).doesNotContain("AKIA-EXAMPLE", "wJalr-EXAMPLE")
                .contains("access_key=***", "secret_key=***");
        assertThat(spec.hasInlineSecret()).isTrue();
        assertThat(FenceDeviceSpec.of("bmc1", "ipmi", Map.of("host", "h", "password_file", "/p")).hasInlineSecret())
                .isFalse();
        assertThat(Secrets.redact("pw=abc, key=abcdef", List.of("abc", "abcdef"))).isEqualTo("pw=***, key=***");
    }

    private static Map<String, String> with(Map<String, String> m, String k, String v) {
        Map<String, String> out = new java.util.TreeMap<>(m);
        out.put(k, v);
        return out;
    }
}
