package palisade.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kdump level through our fence-agent support with Debian's real fence_kdump, and the message from the real
 * fence_kdump_send, on a free loopback UDP port. On loopback the kernel sends from 127.0.0.1 whatever 127.x address
 * is the destination, and fence_kdump_send cannot bind a source: so the listener names 127.0.0.1 as the node's
 * address here, and a listener waiting for another address is shown to discard that message.
 */
class KdumpListenerTest {
    private static final Path SEND = Path.of("/usr/libexec/fence-agents/fence_kdump_send");
    private int port;

    @BeforeEach
    void freePort() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/fence_kdump")) && Files.isExecutable(SEND),
                "fence-agents is needed (bin/test installs it)");
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
    }

    /** Sends one kdump message to 127.0.0.1:port, as a crashed node's capture kernel does every few seconds. */
    private void send() throws Exception {
        Process p = new ProcessBuilder(SEND.toString(), "-p", Integer.toString(port), "-f", "ipv4", "-c", "1",
                "127.0.0.1").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private CompletableFuture<Boolean> listen(String nodename, Duration timeout) throws FenceException {
        KdumpListener l = new KdumpListener("node7", nodename, port);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return l.await(timeout);
            } catch (FenceException e) {
                throw new IllegalStateException(e.getMessage());
            }
        });
    }

    @Test
    void aKdumpMessageFromTheNodeConfirms() throws Exception {
        long t0 = System.nanoTime();
        CompletableFuture<Boolean> heard = listen("127.0.0.1", Duration.ofSeconds(20));
        // The capture kernel repeats its message; the listener may take a moment to bind.
        while (!heard.isDone() && System.nanoTime() - t0 < 15_000_000_000L) {
            send();
            Thread.sleep(300); // the sender's own interval, in the test's role as the crashed node
        }
        assertThat(heard.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat((System.nanoTime() - t0) / 1_000_000).as("well before the timeout").isLessThan(15_000);
    }

    @Test
    void noMessageWithinTheTimeoutFailsSoThePowerLevelsRun() throws Exception {
        long t0 = System.nanoTime();
        assertThat(listen("127.0.0.1", Duration.ofSeconds(2)).get(30, TimeUnit.SECONDS)).isFalse();
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(1_500L, 10_000L);
    }

    @Test
    void aMessageFromAnotherAddressIsNotProof() throws Exception {
        long t0 = System.nanoTime();
        CompletableFuture<Boolean> heard = listen("127.0.1.7", Duration.ofSeconds(3));
        while (!heard.isDone() && System.nanoTime() - t0 < 2_500_000_000L) {
            send();
            Thread.sleep(300);
        }
        assertThat(heard.get(30, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void badSettingsAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new KdumpListener("node7", "-x", 7410))
                .hasMessageContaining("kdump of node node7: '-x' is not a host name or address");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new KdumpListener("node7", "127.0.0.1", 0))
                .hasMessageContaining("port 0 is out of range");
    }
}
