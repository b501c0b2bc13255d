package palisade.fencing;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Keeps secret option values out of strings that end up in logs and exception messages. */
final class Secrets {

    /** Option names whose values are secrets (passwd is fence agents' deprecated alias; the Kg key is one too). */
    static final Set<String> SECRET_KEYS = Set.of("password", "passwd", "hexadecimal_kg");

    /**
     * Words in an option name that mark a secret, whatever the device or agent: password and passwd (and their
     * scripts), secret, token, the IPMI Kg key, API and access keys, an SNMP community (a v1/v2c password).
     * Checked on the name's parts split at '_' and '-', so `snmp_priv_passwd`, `secret_key` and `apikey` match
     * and `plug` or `ssl_insecure` do not.
     */
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(^|[_-])(password|passwd|secret|token|kg|apikey|authkey|community|[a-z]*_key)([_-]|$)");

    static final String MASK = "***";

    private Secrets() {
    }

    /** Palisade's own option naming where a secret is read from: a path, shown so operators can check it. */
    private static final String PASSWORD_FILE = "password_file";

    /** Is this option name a secret by its name alone (no agent metadata needed)? */
    static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return !k.equals(PASSWORD_FILE) && (SECRET_KEYS.contains(k) || SECRET_NAME.matcher(k).find());
    }

    /** Renders options as {@code k=v, ...} in key order with secret values masked. */
    static String describe(Map<String, String> options) {
        return describe(options, Set.of());
    }

    /** As {@link #describe(Map)}, also masking the named options (e.g. the ones an agent's metadata marks). */
    static String describe(Map<String, String> options, Set<String> moreSecrets) {
        return new TreeMap<>(options).entrySet().stream()
                .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) || moreSecrets.contains(e.getKey())
                        ? MASK : e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** Replaces every occurrence of the secret in text (e.g. a tool's output) with the mask. */
    static String redact(String text, String secret) {
        return redact(text, secret == null ? List.of() : List.of(secret));
    }

    /** Replaces every occurrence of each secret in text, longest first (one may contain another). */
    static String redact(String text, Collection<String> secrets) {
        if (text == null) {
            return null;
        }
        List<String> ordered = secrets.stream().filter(Objects::nonNull).filter(s -> !s.isEmpty())
                .distinct().sorted(Comparator.comparingInt(String::length).reversed().thenComparing(s -> s))
                .toList();
        String out = text;
        for (String s : ordered) {
            out = out.replace(s, MASK);
        }
        return out;
    }
}
