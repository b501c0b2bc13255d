package palisade.fencing;

import java.util.Arrays;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A fence device definition as configured: name, type and options. {@link #toString()} and
 * {@link #describe()} mask the password, so specs can be logged.
 */
public record FenceDeviceSpec(String name, Type type, Map<String, String> options) {

    public enum Type {
        AGENT, IPMI, REDFISH, SIM;

        /** The spelling used in configuration files. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        static String expected() {
            return Arrays.stream(values()).map(Type::id).collect(Collectors.joining(", "));
        }
    }

    public FenceDeviceSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) {
            throw new IllegalArgumentException("fence device name must not be blank");
        }
        options = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(options, "options")));
    }

    /** Parses the type as written in configuration; an unknown type is a FenceException naming the device. */
    public static FenceDeviceSpec of(String name, String type, Map<String, String> options) throws FenceException {
        if (name == null || name.isBlank()) {
            throw new FenceException("fence device without a name");
        }
        for (Type t : Type.values()) {
            if (t.id().equals(type)) {
                FenceDeviceSpec spec = new FenceDeviceSpec(name, t, options == null ? Map.of() : options);
                spec.checkFormats();
                return spec;
            }
        }
        throw new FenceException("fence device '" + name + "': unknown type '" + type + "' (expected "
                + Type.expected() + ")");
    }

    /**
     * Checks the options whose format alone can be judged here, before any device is built: a Redfish device's
     * pinned certificate fingerprint. (What needs the agent's metadata or a password file is checked when the
     * device is built.)
     */
    private void checkFormats() throws FenceException {
        String fingerprint = options.get(PinnedTls.KEY);
        if (type == Type.REDFISH && fingerprint != null) {
            PinnedTls.Fingerprint.parse("fence device '" + name + "': ", fingerprint);
        }
    }

    /** Is a secret written in the definition itself (password, Kg key, API key...) rather than read from a file? */
    public boolean hasInlineSecret() {
        return options.keySet().stream().anyMatch(Secrets::isSecret);
    }

    /** e.g. {@code bmc1 (ipmi: host=10.0.0.5, password=***, username=admin)}. */
    public String describe() {
        return name + " (" + type.id() + (options.isEmpty() ? "" : ": " + Secrets.describe(options)) + ")";
    }

    @Override
    public String toString() {
        return "FenceDeviceSpec[" + describe() + "]";
    }
}
