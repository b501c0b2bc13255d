package palisade.fencing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import palisade.io.TextFile;

/** Builds fence devices from their definitions, with errors that name the device and the option. */
public final class FenceDevices {

    private static final Set<String> IPMI_KEYS =
            Set.of("host", "port", "username", "password", "password_file", "cipher");
    private static final Set<String> REDFISH_KEYS =
            Set.of("host", "port", "username", "password", "password_file", "ssl_insecure", PinnedTls.KEY,
                    "system_id");

    private FenceDevices() {
    }

    public static FenceDevice create(FenceDeviceSpec spec) throws FenceException {
        Options o = new Options(spec);
        switch (spec.type()) {
            case AGENT:
                return agent(spec, o);
            case IPMI:
                o.allowOnly(IPMI_KEYS);
                return new IpmiToolDevice(spec.name(), new IpmiToolDevice.Config(o.host(), o.port(623),
                        o.required("username"), o.password(), o.integer("cipher", 3, 0, 17)));
            case REDFISH:
                o.allowOnly(REDFISH_KEYS);
                Optional<PinnedTls.Fingerprint> pin = o.fingerprint();
                boolean insecure = o.bool("ssl_insecure");
                if (insecure && pin.isPresent()) {
                    throw new FenceException(o.prefix + "options 'ssl_insecure' and '" + PinnedTls.KEY
                            + "' exclude each other (a pinned certificate is checked; ssl_insecure checks none)");
                }
                return new RedfishDevice(spec.name(), new RedfishDevice.Config(o.host(), o.port(443),
                        o.required("username"), o.password(), insecure,
                        Optional.ofNullable(spec.options().get("system_id")), pin));
            case SIM:
            default:
                throw new FenceException(o.prefix + "sim devices are provided by the simulator");
        }
    }

    private static FenceDevice agent(FenceDeviceSpec spec, Options o) throws FenceException {
        Map<String, String> agentOptions = new HashMap<>(spec.options());
        String agent = agentOptions.remove("agent");
        if (agent == null || agent.isBlank()) {
            throw new FenceException(o.prefix + "option 'agent' is required (e.g. agent=fence_ipmilan)");
        }
        // password_file is ours, not the agent's: the agent gets the password on stdin
        if (agentOptions.remove("password_file") != null) {
            agentOptions.put("password", o.password());
        }
        return new FenceAgentDevice(spec.name(), agent, agentOptions);
    }

    /** Reads a password file, refusing one that group or others may read. */
    static String readPasswordFile(String prefix, Path file) throws FenceException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                throw new FenceException(prefix + "password file " + file
                        + " is readable by group or others; restrict it (chmod 600)");
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        } catch (IOException e) {
            throw new FenceException(prefix + "cannot read password file " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        String pw;
        try {
            pw = TextFile.read(file); // a regular UTF-8 file of at most 1 MiB, never /dev/zero or a FIFO
        } catch (TextFile.Unreadable e) {
            throw new FenceException(prefix + "password file " + e.getMessage());
        }
        pw = pw.replaceAll("[\\r\\n]+$", "");
        if (pw.isEmpty()) {
            throw new FenceException(prefix + "password file " + file + " is empty");
        }
        return pw;
    }

    /** Typed access to a spec's options; every error names the device and the key. */
    private static final class Options {
        final String prefix;
        final Map<String, String> map;

        Options(FenceDeviceSpec spec) {
            this.prefix = "fence device '" + spec.name() + "': ";
            this.map = spec.options();
        }

        void allowOnly(Set<String> keys) throws FenceException {
            for (String k : new TreeSet<>(map.keySet())) {
                if (!keys.contains(k)) {
                    throw new FenceException(prefix + "unknown option '" + k + "' (allowed: "
                            + String.join(", ", new TreeSet<>(keys)) + ")");
                }
            }
        }

        String required(String key) throws FenceException {
            String v = map.get(key);
            if (v == null || v.isBlank()) {
                throw new FenceException(prefix + "option '" + key + "' is required");
            }
            return v;
        }

        String host() throws FenceException {
            String h = required("host");
            if (h.startsWith("-") || h.chars().anyMatch(Character::isWhitespace)) {
                throw new FenceException(prefix + "option 'host' is not a host name or address: '" + h + "'");
            }
            return h;
        }

        int port(int dflt) throws FenceException {
            return integer("port", dflt, 1, 65535);
        }

        int integer(String key, int dflt, int min, int max) throws FenceException {
            String v = map.get(key);
            if (v == null) {
                return dflt;
            }
            try {
                int i = Integer.parseInt(v.strip());
                if (i >= min && i <= max) {
                    return i;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new FenceException(prefix + "option '" + key + "' must be an integer from " + min + " to "
                    + max + ", got '" + v + "'");
        }

        boolean bool(String key) throws FenceException {
            String v = map.get(key);
            if (v == null) {
                return false;
            }
            switch (v.strip().toLowerCase(Locale.ROOT)) {
                case "1": case "true": case "yes": case "on":
                    return true;
                case "0": case "false": case "no": case "off":
                    return false;
                default:
                    throw new FenceException(prefix + "option '" + key + "' must be true or false, got '" + v + "'");
            }
        }

        Optional<PinnedTls.Fingerprint> fingerprint() throws FenceException {
            String v = map.get(PinnedTls.KEY);
            return v == null ? Optional.empty() : Optional.of(PinnedTls.Fingerprint.parse(prefix, v));
        }

        String password() throws FenceException {
            String pw = map.get("password");
            String file = map.get("password_file");
            if (pw != null && file != null) {
                throw new FenceException(prefix + "options 'password' and 'password_file' exclude each other");
            }
            if (file != null) {
                return readPasswordFile(prefix, Path.of(file));
            }
            if (pw == null || pw.isEmpty()) {
                throw new FenceException(prefix + "option 'password' or 'password_file' is required");
            }
            return pw;
        }
    }
}
