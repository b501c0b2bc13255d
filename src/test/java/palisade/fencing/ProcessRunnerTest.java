package palisade.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How a fence tool's process is run: output through a pipe, bounded, under the deadline. */
class ProcessRunnerTest {

    private static ProcessRunner.Result sh(String script, Duration deadline, List<String> secrets)
            throws FenceException {
        return ProcessRunner.run("test", List.of("sh", "-c", script), Map.of(), null, deadline, secrets);
    }

    @Test
    void aStrayGrandchildHoldingTheOutputDoesNotBlockTheCall() throws Exception {
        long start = System.nanoTime();
        // sleep inherits the shell's stdout and outlives it: a reader waiting for end-of-file would wait 60 s
        ProcessRunner.Result r = sh("sleep 60 & echo $!", Duration.ofSeconds(20), List.of());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        Optional<ProcessHandle> stray = ProcessHandle.of(Long.parseLong(r.output().strip()));
        try {
            assertThat(r.exitCode()).isZero();
            assertThat(took).isLessThan(Duration.ofSeconds(5));
        } finally {
            stray.ifPresent(ProcessHandle::destroyForcibly);
            stray.ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        }
    }

    @Test
    void endlessOutputIsCutByTheDeadline() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> sh("yes palisade-endless", Duration.ofSeconds(1), List.of()))
                .isInstanceOf(FenceException.class).hasMessage("test timed out after 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        assertThat(TestProcesses.liveDescendants("palisade-endless")).isEmpty();
    }

    @Test
    void largeOutputNeitherStallsTheToolNorGrowsWithoutBound() throws Exception {
        // a megabyte, far more than a pipe holds: the tool must still finish, and its last line survive
        ProcessRunner.Result r = sh("head -c 1000000 /dev/zero | tr '\\0' x; echo; echo last-line",
                Duration.ofSeconds(20), List.of());
        assertThat(r.exitCode()).isZero();
        assertThat(r.output()).startsWith("(output cut)").endsWith("last-line\n");
        assertThat(r.output().length()).isLessThanOrEqualTo(2 * ProcessRunner.KEEP_BYTES + 100);
        assertThat(r.lastLine()).isEqualTo("last-line");
    }

    @Test
    void stdinReachesTheToolAndSecretsAreRedactedFromItsOutput() throws Exception {
        ProcessRunner.Result r = ProcessRunner.run("test", List.of("sh", "-c", "read line; echo \"got $line\"; exit 3"),
                Map.of(), "password=hunter2-x\n", Duration.ofSeconds(20), List.of("hunter2-x"));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.output()).isEqualTo("got password=***\n");
    }
}
