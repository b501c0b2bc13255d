package palisade.fencing;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Keeps secret option values out of strings that end up in logs and exception messages. */
final class Secrets {

    /** Option names whose values are secrets (passwd is fence agents' deprecated alias; the Kg key is one too). */
    static final Set<String> SECRET_KEYS = Set.of("password", "passwd", "hexadecimal_kg");

    static final String MASK = "***";

    private Secrets() {
    }

    static boolean isSecret(String key) {
        return SECRET_KEYS.contains(key);
    }

    /** Renders options as {@code k=v, ...} in key order with secret values masked. */
    static String describe(Map<String, String> options) {
        return new TreeMap<>(options).entrySet().stream()
                .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? MASK : e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** Replaces every occurrence of the secret in text (e.g. a tool's output) with the mask. */
    static String redact(String text, String secret) {
        if (text == null || secret == null || secret.isEmpty()) {
            return text;
        }
        return text.replace(secret, MASK);
    }
}
