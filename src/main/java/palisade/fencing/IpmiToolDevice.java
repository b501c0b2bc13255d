package palisade.fencing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Drives a BMC with {@code ipmitool -I lanplus ... chassis power}. The password goes in
 * IPMI_PASSWORD (-E), never on the command line.
 */
final class IpmiToolDevice implements FenceDevice {

    /** Connection settings; cipher suite 3 because asking the BMC for its list stalls ~10 s on some BMCs. */
    record Config(String host, int port, String username, String password, int cipher) {

        @Override
        public String toString() {
            return "host=" + host + ", port=" + port + ", username=" + username
                    + ", password=" + Secrets.MASK + ", cipher=" + cipher;
        }
    }

    private final String name;
    private final Config config;

    IpmiToolDevice(String name, Config config) {
        this.name = name;
        this.config = config;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PowerState status(Duration deadline) throws FenceException {
        ProcessRunner.Result r = power("status", deadline);
        String out = r.output().toLowerCase(Locale.ROOT);
        if (out.contains("chassis power is on")) {
            return PowerState.ON;
        }
        if (out.contains("chassis power is off")) {
            return PowerState.OFF;
        }
        throw new FenceException(label("status") + " gave no power state: " + r.lastLine());
    }

    @Override
    public void off(Duration deadline) throws FenceException {
        power("off", deadline);
    }

    @Override
    public void on(Duration deadline) throws FenceException {
        power("on", deadline);
    }

    private ProcessRunner.Result power(String action, Duration deadline) throws FenceException {
        List<String> cmd = new ArrayList<>(List.of("ipmitool", "-I", "lanplus",
                "-C", Integer.toString(config.cipher()),
                "-H", config.host(), "-p", Integer.toString(config.port()),
                "-U", config.username(), "-E",
                // 1 s timeout, 1 retry: an unreachable BMC fails in ~2 s (-R 2 takes ~6 s, the
                // default ~20 s); the fencer's status polling covers a lost packet
                "-N", "1", "-R", "1",
                "chassis", "power", action));
        ProcessRunner.Result r = ProcessRunner.run(label(action), cmd,
                Map.of("IPMI_PASSWORD", config.password(), "LC_ALL", "C"), null, deadline,
                List.of(config.password()));
        if (r.exitCode() != 0) {
            String reason = r.lastLine();
            throw new FenceException(label(action) + " failed (exit " + r.exitCode() + ")"
                    + (reason.isEmpty() ? "" : ": " + reason));
        }
        return r;
    }

    private String label(String action) {
        return "fence device '" + name + "': ipmitool " + config.host() + ":" + config.port() + " power " + action;
    }

    @Override
    public String toString() {
        return "IpmiToolDevice[" + name + ": " + config + "]";
    }
}
