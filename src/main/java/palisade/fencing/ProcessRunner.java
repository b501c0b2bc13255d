package palisade.fencing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external tool under a deadline. On timeout the process and all its descendants are
 * killed, so a stuck ipmitool under a fence agent cannot outlive the call.
 */
final class ProcessRunner {

    /** How long to wait for killed processes to disappear; keeps the call bounded. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(2);

    /** How often the output pipe is drained while the tool runs (a full pipe would stall it). */
    private static final Duration POLL = Duration.ofMillis(10);

    /** Output kept per call: fence tools print a few lines; a runaway one must not fill the heap. */
    static final int KEEP_BYTES = 64 * 1024;

    /** Read per drain before the deadline is looked at again. */
    private static final int DRAIN_MAX_BYTES = 4 * KEEP_BYTES;

    record Result(int exitCode, String output) {

        private static final int MAX_REASON = 300;

        /**
         * The line that best explains a failure: the last one that reports an error (fence
         * agents end with "Please use '-h' for usage"), else the last non-blank one; without the
         * agents' timestamp prefix and cut to one short line.
         */
        String lastLine() {
            List<String> lines = output.lines().map(String::strip)
                    .map(l -> l.replaceFirst("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d+ ", ""))
                    .filter(l -> !l.isEmpty() && !l.contains("Please use '-h' for usage"))
                    .toList();
            String best = "";
            for (String l : lines) {
                if (l.contains("ERROR") || l.contains("Error") || l.contains("Failed") || l.contains("Unable")) {
                    best = l;
                }
            }
            if (best.isEmpty() && !lines.isEmpty()) {
                best = lines.get(lines.size() - 1);
            }
            return best.length() > MAX_REASON ? best.substring(0, MAX_REASON) + "..." : best;
        }
    }

    private ProcessRunner() {
    }

    /**
     * @param label   prefix for error messages, e.g. "fence device 'bmc1': fence_ipmilan off"
     * @param stdin   written to the process and closed; may be null
     * @param secrets values redacted from the output and error messages
     */
    static Result run(String label, List<String> command, Map<String, String> env, String stdin,
            Duration deadline, Collection<String> secrets) throws FenceException {
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        Process process = null;
        try {
            // Output comes through a pipe that only this thread drains, and only what is already in it
            // (available()): no temp file anywhere, and no reader thread that a stray grandchild holding the
            // pipe open could block.
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(env);
            process = pb.start();
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    // a few hundred bytes: they fit in the pipe whether or not the tool reads them
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // The tool exited without reading its input; its exit code tells the rest.
            }
            Output output = new Output();
            try (InputStream out = process.getInputStream()) {
                while (true) {
                    output.drain(out);
                    long remaining = deadlineNanos - System.nanoTime();
                    if (remaining <= 0) {
                        killTree(process);
                        throw new FenceException(label + " timed out after " + format(deadline));
                    }
                    if (process.waitFor(Math.min(remaining, POLL.toNanos()), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                }
                output.drain(out); // what the tool wrote just before it exited
            }
            return new Result(process.exitValue(), Secrets.redact(output.text(), secrets));
        } catch (IOException e) {
            killTree(process);
            throw new FenceException(label + " could not run " + command.get(0) + ": "
                    + Secrets.redact(e.getMessage(), secrets));
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new FenceException(label + " interrupted");
        }
    }

    /** A tool's combined output; only the newest {@link #KEEP_BYTES} bytes are kept (the end explains failures). */
    private static final class Output {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final byte[] chunk = new byte[8192];
        private boolean cut;

        /**
         * Reads what the pipe holds right now, never blocking, and at most {@link #DRAIN_MAX_BYTES}: a tool that
         * writes without end must not keep the caller from its deadline.
         */
        void drain(InputStream in) throws IOException {
            int ready;
            for (int read = 0; read < DRAIN_MAX_BYTES && (ready = in.available()) > 0; ) {
                int n = in.read(chunk, 0, Math.min(ready, chunk.length));
                if (n <= 0) {
                    return;
                }
                read += n;
                bytes.write(chunk, 0, n);
                if (bytes.size() > 2 * KEEP_BYTES) {
                    byte[] all = bytes.toByteArray();
                    bytes.reset();
                    bytes.write(all, all.length - KEEP_BYTES, KEEP_BYTES);
                    cut = true;
                }
            }
        }

        String text() {
            String s = bytes.toString(StandardCharsets.UTF_8);
            return cut ? "(output cut)\n" + s : s;
        }
    }

    /** Kills the process and every descendant (snapshotted first, so re-parented ones are caught too). */
    static void killTree(Process process) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            for (ProcessHandle h : descendants) {
                h.onExit().get(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // best effort: the processes were sent SIGKILL already
        }
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }
}
