package palisade.fencing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Runs a ClusterLabs fence agent (fence_ipmilan, fence_redfish, ...) through the standard
 * agent API: {@code name=value} lines on stdin, then {@code action=...}. Options travel on stdin
 * so that the password never appears in {@code ps}.
 */
public final class FenceAgentDevice implements FenceDevice {

    private static final Pattern AGENT_NAME = Pattern.compile("fence_[A-Za-z0-9_]+");

    /** Debian installs agents in /usr/sbin, which is not on every PATH. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin");

    /** Default deadline for the metadata call made while validating a definition. */
    static final Duration METADATA_DEADLINE = Duration.ofSeconds(10);

    private static final Map<Path, AgentMetadata> METADATA_CACHE = new ConcurrentHashMap<>();

    private final String name;
    private final String agent;
    private final Path executable;
    private final Map<String, String> options;
    /** Options whose values are secrets: by name, and every one the agent's metadata marks as a credential. */
    private final Set<String> secretKeys;

    /**
     * Validates the options against the agent's metadata.
     *
     * @param options agent parameters (ip, username, password, lanplus, ...), without action
     */
    public FenceAgentDevice(String name, String agent, Map<String, String> options) throws FenceException {
        this.name = name;
        this.agent = agent;
        String prefix = "fence device '" + name + "': ";
        this.executable = locate(agent).orElseThrow(
                () -> new FenceException(prefix + "unknown fence agent '" + agent + "'"));
        this.options = Map.copyOf(new TreeMap<>(options));
        AgentMetadata md;
        try {
            md = metadata(executable, agent, METADATA_DEADLINE);
        } catch (FenceException e) {
            throw new FenceException(prefix + e.getMessage(), e);
        }
        validate(prefix, md);
        Set<String> secrets = new TreeSet<>(md.secretNames());
        this.options.keySet().stream().filter(Secrets::isSecret).forEach(secrets::add);
        this.secretKeys = Set.copyOf(secrets);
    }

    private void validate(String prefix, AgentMetadata md) throws FenceException {
        for (Map.Entry<String, String> e : new TreeMap<>(options).entrySet()) {
            String key = e.getKey();
            if (key.equals("action")) {
                throw new FenceException(prefix + "option 'action' is chosen by the fencer, not configured");
            }
            Optional<AgentMetadata.Parameter> p = md.parameter(key);
            if (p.isEmpty()) {
                throw new FenceException(prefix + "option '" + key + "' is not allowed by " + agent);
            }
            if (p.get().deprecated()) {
                // Refused on purpose: e.g. fence_ipmilan's deprecated 'port' means the plug,
                // not the UDP port (that is 'ipport'), a classic misconfiguration.
                String hint = md.replacementOf(key).map(r -> "; use '" + r + "'").orElse("");
                throw new FenceException(prefix + "option '" + key + "' is not allowed by " + agent
                        + " (deprecated" + hint + ")");
            }
            if (e.getValue().indexOf('\n') >= 0 || e.getValue().indexOf('\r') >= 0) {
                // a newline would smuggle extra name=value lines into the agent's stdin
                throw new FenceException(prefix + "option '" + key + "' must be a single line");
            }
        }
        for (AgentMetadata.Parameter p : md.parameters()) {
            if (p.required() && !p.name().equals("action")
                    && md.aliases(p.name()).stream().noneMatch(options::containsKey)) {
                // name the current spelling, not a deprecated alias (fence_redfish requires 'login' and 'username')
                String wanted = md.aliases(p.name()).stream()
                        .filter(a -> md.parameter(a).map(q -> !q.deprecated()).orElse(false))
                        .findFirst().orElse(p.name());
                throw new FenceException(prefix + "required option '" + wanted + "' of " + agent
                        + " is missing");
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    public String agent() {
        return agent;
    }

    @Override
    public PowerState status(Duration deadline) throws FenceException {
        ProcessRunner.Result r = run("status", deadline);
        switch (r.exitCode()) {
            case 0:
                return PowerState.ON;
            case 2:
                return PowerState.OFF;
            default:
                throw failure("status", r);
        }
    }

    @Override
    public void off(Duration deadline) throws FenceException {
        ProcessRunner.Result r = run("off", deadline);
        if (r.exitCode() != 0) {
            throw failure("off", r);
        }
    }

    @Override
    public void on(Duration deadline) throws FenceException {
        ProcessRunner.Result r = run("on", deadline);
        if (r.exitCode() != 0) {
            throw failure("on", r);
        }
    }

    private ProcessRunner.Result run(String action, Duration deadline) throws FenceException {
        StringBuilder stdin = new StringBuilder();
        options.forEach((k, v) -> stdin.append(k).append('=').append(v).append('\n'));
        stdin.append("action=").append(action).append('\n');
        return ProcessRunner.run(label(action), List.of(executable.toString()), agentEnv(),
                stdin.toString(), deadline, secrets());
    }

    private FenceException failure(String action, ProcessRunner.Result r) {
        String reason = r.lastLine();
        return new FenceException(label(action) + " failed (exit " + r.exitCode() + ")"
                + (reason.isEmpty() ? "" : ": " + reason));
    }

    private String label(String action) {
        return "fence device '" + name + "': " + agent + " " + action;
    }

    /** The options the agent's metadata (or the option's own name) marks as secrets. */
    public Set<String> secretKeys() {
        return secretKeys;
    }

    /** Every secret value this device holds: redacted from the agent's output and from errors. */
    private List<String> secrets() {
        return secretKeys.stream().map(options::get).filter(v -> v != null && !v.isEmpty()).toList();
    }

    private static Map<String, String> agentEnv() {
        // Debian's agents warn about the deprecated 'pipes' module on every run.
        return Map.of("PYTHONWARNINGS", "ignore", "LC_ALL", "C");
    }

    /** Runs {@code AGENT -o metadata} and parses the parameter list. */
    public static AgentMetadata metadata(String agent, Duration deadline) throws FenceException {
        Path exe = locate(agent).orElseThrow(
                () -> new FenceException("unknown fence agent '" + agent + "'"));
        return metadata(exe, agent, deadline);
    }

    private static AgentMetadata metadata(Path exe, String agent, Duration deadline) throws FenceException {
        AgentMetadata cached = METADATA_CACHE.get(exe);
        if (cached != null) {
            return cached;
        }
        ProcessRunner.Result r = ProcessRunner.run(agent + " -o metadata",
                List.of(exe.toString(), "-o", "metadata"), agentEnv(), null, deadline, List.of());
        if (r.exitCode() != 0) {
            throw new FenceException(agent + " -o metadata failed (exit " + r.exitCode() + "): " + r.lastLine());
        }
        String out = r.output();
        int start = out.indexOf("<?xml");
        AgentMetadata md = AgentMetadata.parse(agent, start >= 0 ? out.substring(start) : out);
        METADATA_CACHE.put(exe, md);
        return md;
    }

    /** Finds the agent on PATH or in /usr/sbin; only plain fence_* names, never paths. */
    static Optional<Path> locate(String agent) {
        if (agent == null || !AGENT_NAME.matcher(agent).matches()) {
            return Optional.empty();
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(EXTRA_DIRS);
        return dirs.stream()
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, agent))
                .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                .findFirst();
    }

    @Override
    public String toString() {
        return "FenceAgentDevice[" + name + " " + agent + ": " + Secrets.describe(options, secretKeys) + "]";
    }
}
