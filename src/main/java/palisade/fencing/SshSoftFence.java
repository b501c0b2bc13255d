package palisade.fencing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Soft fencing over SSH (oVirt's restart of vdsm): runs the node's restart command on it with the OpenSSH client,
 * non-interactively and under a deadline. It proves nothing about the node; it only gives a hung daemon the chance
 * to come back and renew before its fence.
 *
 * <p>No secret is on the command line: the private key is a FILE, which must be readable by its owner only (0600 or
 * 0400); the host key is checked against a known-hosts file (StrictHostKeyChecking=yes); the user's own ssh
 * configuration and agent are ignored ({@code -F /dev/null}, IdentitiesOnly, no agent).
 */
public final class SshSoftFence {

    /** User and host names: no leading '-', nothing a shell or ssh would read as an option. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:-]{0,252}");
    /** The default command: restart the Palisade daemon (systemd). */
    public static final String DEFAULT_COMMAND = "systemctl restart palisade";
    public static final int DEFAULT_PORT = 22;
    private static final String SSH = "/usr/bin/ssh";

    /**
     * One node's soft-fence settings.
     *
     * @param command run by the remote user's shell; one line
     */
    public record Target(String node, String user, String address, int port, Path keyFile, Path knownHosts,
            String command) {}

    private final Target target;
    private final String ssh;

    /** Checks the settings and the key file now: a bad one is refused before it is ever needed. */
    public SshSoftFence(Target target) throws FenceException {
        this(target, SSH);
    }

    SshSoftFence(Target target, String ssh) throws FenceException {
        String where = "soft_fence of node " + target.node() + ": ";
        if (target.user() == null || !NAME.matcher(target.user()).matches()) {
            throw new FenceException(where + "user '" + target.user() + "' is not a valid user name");
        }
        if (target.address() == null || !ADDRESS.matcher(target.address()).matches()) {
            throw new FenceException(where + "address '" + target.address() + "' is not a host name or address");
        }
        if (target.port() < 1 || target.port() > 65535) {
            throw new FenceException(where + "port " + target.port() + " is out of range (1-65535)");
        }
        String cmd = target.command();
        if (cmd == null || cmd.isBlank() || cmd.indexOf('\n') >= 0 || cmd.indexOf('\r') >= 0) {
            throw new FenceException(where + "command must be one non-empty line");
        }
        checkKey(where, target.keyFile());
        if (target.knownHosts() == null || !Files.isRegularFile(target.knownHosts())) {
            throw new FenceException(where + "known_hosts file " + target.knownHosts() + " does not exist (the "
                    + "node's host key must be known: no host is trusted on first use)");
        }
        this.target = target;
        this.ssh = ssh;
    }

    /** The private key must be a regular file of ours that nobody else may read or write. */
    private static void checkKey(String where, Path key) throws FenceException {
        if (key == null || !Files.isRegularFile(key, LinkOption.NOFOLLOW_LINKS)) {
            throw new FenceException(where + "key file " + key + " is not a regular file");
        }
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(key, LinkOption.NOFOLLOW_LINKS);
            for (PosixFilePermission bad : List.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE)) {
                if (p.contains(bad)) {
                    throw new FenceException(where + "key file " + key + " must be readable by its owner only "
                            + "(chmod 0600), it is " + java.nio.file.attribute.PosixFilePermissions.toString(p));
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new FenceException(where + "cannot read the permissions of key file " + key);
        }
    }

    /** The ssh command line: options, then the destination, then the remote command. */
    List<String> command(Duration deadline) {
        long connectS = Math.max(1, Math.min(30, deadline.toSeconds() / 2));
        List<String> argv = new ArrayList<>(List.of(ssh, "-n", "-F", "/dev/null",
                "-i", target.keyFile().toString(),
                "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes",
                "-o", "IdentityAgent=none",
                "-o", "StrictHostKeyChecking=yes",
                "-o", "UserKnownHostsFile=" + target.knownHosts(),
                "-o", "ConnectTimeout=" + connectS,
                "-o", "LogLevel=ERROR",
                "-p", Integer.toString(target.port()),
                "-l", target.user(),
                target.address(), "--", target.command()));
        return argv;
    }

    /** Restarts the node's daemon; throws when ssh or the command failed or overstayed the deadline. */
    public void restart(Duration deadline) throws FenceException {
        String label = "soft fence of " + target.node() + " (ssh " + target.user() + "@" + target.address() + ":"
                + target.port() + ")";
        ProcessRunner.Result r = ProcessRunner.run(label, command(deadline), Map.of(), null, deadline, List.of());
        if (r.exitCode() != 0) {
            String reason = r.lastLine();
            throw new FenceException(label + " failed (exit " + r.exitCode() + ")"
                    + (reason.isEmpty() ? "" : ": " + reason));
        }
    }

    public Target target() {
        return target;
    }
}
