package palisade.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soft fencing against a real OpenSSH server (Debian openssh-server) that this test starts on its own loopback
 * address and port, with its own host key and authorized_keys, and stops by PID: the machine's own sshd and
 * /etc/ssh are never touched. The "daemon" is a process the test stops with SIGSTOP (a hung daemon); the soft
 * fence's command kills it and starts a new one, as the real command restarts the Palisade daemon.
 */
class SshSoftFenceTest {
    private static final String ADDRESS = "127.0.1.61";
    private static final Path PRIVSEP = Path.of("/run/sshd");

    @TempDir
    Path dir;
    private Process sshd;
    private Process daemon;
    private boolean createdPrivsep;
    private int port;
    private Path clientKey;
    private Path knownHosts;

    @BeforeEach
    void keys() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/sshd")) && Files.isExecutable(Path.of("/usr/bin/ssh")),
                "openssh-server and openssh-client are needed (bin/test installs them)");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString());
        clientKey = dir.resolve("client_key");
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ADDRESS))) {
            port = s.getLocalPort();
        }
        String hostPub = Files.readString(dir.resolve("host_key.pub")).trim();
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[" + ADDRESS + "]:" + port + " " + hostPub.split(" ")[0] + " "
                + hostPub.split(" ")[1] + "\n");
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : new Process[] {sshd, daemon}) {
            if (p != null) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (createdPrivsep) {
            Files.deleteIfExists(PRIVSEP); // only the empty directory this test made for sshd
        }
    }

    private void startSshd() throws Exception {
        if (!Files.isDirectory(PRIVSEP)) {
            Files.createDirectory(PRIVSEP, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
            createdPrivsep = true;
        }
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "ListenAddress " + ADDRESS + ":" + port,
                "HostKey " + dir.resolve("host_key"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "StrictModes no",
                "UsePAM no",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "") );
        sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ADDRESS, port), 500);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** A hung "daemon": a process under SIGSTOP, its PID in daemon.pid. */
    private long hungDaemon() throws Exception {
        daemon = new ProcessBuilder("sleep", "600").start();
        Files.writeString(dir.resolve("daemon.pid"), daemon.pid() + "\n");
        run("kill", "-STOP", Long.toString(daemon.pid()));
        return daemon.pid();
    }

    /** The restart command: kill the hung daemon by its PID, start a new one, record its PID. */
    private String restartScript() throws IOException {
        Path script = dir.resolve("restart-daemon.sh");
        Files.writeString(script, "#!/bin/sh\nset -e\ncd " + dir + "\nkill -KILL \"$(cat daemon.pid)\"\n"
                + "setsid sleep 600 >/dev/null 2>&1 < /dev/null &\necho $! > daemon.pid\n");
        script.toFile().setExecutable(true);
        return script.toString();
    }

    private SshSoftFence fence(String command) throws FenceException {
        return new SshSoftFence(new SshSoftFence.Target("node6", System.getProperty("user.name"), ADDRESS, port,
                clientKey, knownHosts, command));
    }

    @Test
    void restartsAHungDaemonOverSsh() throws Exception {
        startSshd();
        long old = hungDaemon();
        SshSoftFence f = fence(restartScript());
        long t0 = System.nanoTime();
        f.restart(Duration.ofSeconds(20));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(daemon.waitFor(5, TimeUnit.SECONDS)).as("the hung daemon was killed").isTrue();
        long fresh = Long.parseLong(Files.readString(dir.resolve("daemon.pid")).trim());
        assertThat(fresh).isNotEqualTo(old);
        ProcessHandle h = ProcessHandle.of(fresh).orElseThrow();
        assertThat(h.isAlive()).as("a new daemon runs").isTrue();
        h.destroyForcibly();
        assertThat(ms).as("one ssh round trip on loopback").isLessThan(15_000);
        // No secret on the command line: only the key file's path.
        assertThat(f.command(Duration.ofSeconds(20))).contains(clientKey.toString(), "BatchMode=yes",
                "StrictHostKeyChecking=yes", "UserKnownHostsFile=" + knownHosts);
        assertThat(String.join(" ", f.command(Duration.ofSeconds(20))))
                .doesNotContain(Files.readString(clientKey).lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    void withoutAnSshServerTheSoftFenceFailsAndSaysWhy() throws Exception {
        SshSoftFence f = fence("true");
        assertThatThrownBy(() -> f.restart(Duration.ofSeconds(10))).isInstanceOf(FenceException.class)
                .hasMessageContaining("soft fence of node6").hasMessageContaining("failed (exit 255)")
                .hasMessageContaining("Connection refused");
    }

    @Test
    void anUnknownHostKeyIsRefused() throws Exception {
        startSshd();
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("other_key").toString());
        String other = Files.readString(dir.resolve("other_key.pub")).trim();
        Files.writeString(knownHosts, "[" + ADDRESS + "]:" + port + " " + other.split(" ")[0] + " "
                + other.split(" ")[1] + "\n");
        assertThatThrownBy(() -> fence("true").restart(Duration.ofSeconds(10)))
                .isInstanceOf(FenceException.class).hasMessageContaining("failed (exit 255)");
    }

    @Test
    void aKeyFileOthersCanReadIsRefusedBeforeUse() throws Exception {
        Files.setPosixFilePermissions(clientKey, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> fence("true")).isInstanceOf(FenceException.class)
                .hasMessageContaining("soft_fence of node node6: key file " + clientKey
                        + " must be readable by its owner only (chmod 0600)");
    }

    @Test
    void badSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new SshSoftFence(new SshSoftFence.Target("node6", "-oProxyCommand=x", ADDRESS,
                22, clientKey, knownHosts, "true"))).hasMessageContaining("user '-oProxyCommand=x' is not a valid user name");
        assertThatThrownBy(() -> new SshSoftFence(new SshSoftFence.Target("node6", "root", "-x", 22, clientKey,
                knownHosts, "true"))).hasMessageContaining("address '-x' is not a host name or address");
        assertThatThrownBy(() -> new SshSoftFence(new SshSoftFence.Target("node6", "root", ADDRESS, 22, clientKey,
                dir.resolve("nope"), "true"))).hasMessageContaining("known_hosts file");
        assertThatThrownBy(() -> new SshSoftFence(new SshSoftFence.Target("node6", "root", ADDRESS, 22, clientKey,
                knownHosts, "a\nb"))).hasMessageContaining("command must be one non-empty line");
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + out).isZero();
    }
}
