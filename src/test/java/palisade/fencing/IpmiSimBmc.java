package palisade.fencing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One ipmi_sim BMC on a free UDP port of 127.0.0.1, with its own config, power hook and state
 * under a test's temp dir. Closing it kills that ipmi_sim by its pid.
 */
final class IpmiSimBmc implements AutoCloseable {

    static final String USER = "admin";
    static final String PASSWORD = "secret";
    private static final String NODE = "node1";

    private final Process process;
    private final int port;
    private final Path powerFile;
    private final Path log;

    private IpmiSimBmc(Process process, int port, Path powerFile, Path log) {
        this.process = process;
        this.port = port;
        this.powerFile = powerFile;
        this.log = log;
    }

    static IpmiSimBmc start(Path dir) throws IOException {
        Path hook = copyResource("chassis_control.sh", dir);
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        Path emu = copyResource("sim.emu", dir);
        Path state = Files.createDirectories(dir.resolve("state"));
        Path powerDir = Files.createDirectories(dir.resolve("power"));
        Path log = dir.resolve("ipmi_sim.log");
        int port = freeUdpPort();
        String conf = resource("lan.conf")
                .replace("addr 127.0.0.1 9623", "addr 127.0.0.1 " + port)
                .replaceAll("chassis_control \".*\"", "chassis_control \"" + hook.toAbsolutePath() + " " + NODE + "\"");
        Path lanConf = dir.resolve("lan.conf");
        Files.writeString(lanConf, conf);
        ProcessBuilder pb = new ProcessBuilder("ipmi_sim", "-c", lanConf.toString(), "-f", emu.toString(),
                "-s", state.toString(), "-n")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("IPMISIM_STATE_DIR", powerDir.toString());
        IpmiSimBmc bmc = new IpmiSimBmc(pb.start(), port, powerDir.resolve(NODE + ".power"), log);
        try {
            IpmiToolDevice probe = new IpmiToolDevice("probe",
                    new IpmiToolDevice.Config("127.0.0.1", port, USER, PASSWORD, 3));
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .until(() -> {
                        if (!bmc.process.isAlive()) {
                            throw new IllegalStateException("ipmi_sim exited: " + Files.readString(log));
                        }
                        return probe.status(Duration.ofSeconds(3)) != null;
                    });
        } catch (RuntimeException e) {
            bmc.close();
            throw e;
        }
        return bmc;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** What the power hook stored: "1" on, "0" off (the hook treats a missing file as on). */
    String powerFileContent() {
        try {
            return Files.exists(powerFile) ? Files.readString(powerFile).strip() : "1";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = IpmiSimBmc.class.getResourceAsStream("/bmc-sim/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource bmc-sim/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Path copyResource(String name, Path dir) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, resource(name));
        return p;
    }

    @Override
    public String toString() {
        return "IpmiSimBmc[127.0.0.1:" + port + " pid " + process.pid() + ", log " + log + "]";
    }
}
