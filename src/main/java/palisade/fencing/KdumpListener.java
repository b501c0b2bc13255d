package palisade.fencing;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kdump level on a fence proxy: ClusterLabs' {@code fence_kdump} (Debian fence-agents), run through the
 * fence-agent device support (options on stdin, action off = wait for the message). It listens on UDP
 * {@code ipport} for the kdump message that {@code fence_kdump_send} in the crashed node's capture kernel repeats,
 * and accepts it only from the node's own address ({@code nodename}). A message means the node's kernel crashed
 * and it is dumping: it runs nothing, and its power must not be cut mid-dump.
 */
public final class KdumpListener {

    /** fence_kdump's own default port. */
    public static final int DEFAULT_PORT = 7410;
    /** Beyond fence_kdump's own timeout, how long the process may take before it is killed. */
    private static final Duration SLACK = Duration.ofSeconds(5);

    private final String node;
    private final String nodename;
    private final int port;

    /**
     * @param node the Palisade node name (for messages)
     * @param nodename the address (or resolvable name) the node's kdump messages come from
     * @param port the UDP port fence_kdump listens on
     */
    public KdumpListener(String node, String nodename, int port) throws FenceException {
        if (nodename == null || !nodename.matches("[A-Za-z0-9][A-Za-z0-9.:-]{0,252}")) {
            throw new FenceException("kdump of node " + node + ": '" + nodename + "' is not a host name or address");
        }
        if (port < 1 || port > 65535) {
            throw new FenceException("kdump of node " + node + ": port " + port + " is out of range (1-65535)");
        }
        this.node = node;
        this.nodename = nodename;
        this.port = port;
    }

    /**
     * Waits up to timeout (whole seconds, at least 1) for the node's kdump message. True when it came; false with
     * no message in time. Throws when fence_kdump is missing or cannot run.
     */
    public boolean await(Duration timeout) throws FenceException {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        Map<String, String> options = new TreeMap<>();
        options.put("nodename", nodename);
        options.put("ipport", Integer.toString(port));
        options.put("family", "ipv4");
        options.put("timeout", Long.toString(seconds));
        FenceAgentDevice agent = new FenceAgentDevice("kdump-" + node, "fence_kdump", options);
        try {
            agent.off(Duration.ofSeconds(seconds).plus(SLACK));
            return true;
        } catch (FenceException e) {
            if (e.getMessage().contains("timed out after") || e.getMessage().contains("could not run")) throw e;
            return false; // fence_kdump exits 1 when no message came within its timeout
        }
    }

    public String nodename() {
        return nodename;
    }

    public int port() {
        return port;
    }
}
