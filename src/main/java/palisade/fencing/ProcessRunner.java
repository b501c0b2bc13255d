package palisade.fencing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
     * @param label  prefix for error messages, e.g. "fence device 'bmc1': fence_ipmilan off"
     * @param stdin  written to the process and closed; may be null
     * @param secret redacted from error messages; may be null
     */
    static Result run(String label, List<String> command, Map<String, String> env, String stdin,
            Duration deadline, String secret) throws FenceException {
        long deadlineNanos = System.nanoTime() + deadline.toNanos();
        Path out = null;
        Process process = null;
        try {
            // Output goes to a private temp file, not a pipe: no reader thread that a stray
            // grandchild holding the pipe open could block.
            out = Files.createTempFile("palisade-fence-", ".out");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            pb.environment().putAll(env);
            process = pb.start();
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // The tool exited without reading its input; its exit code tells the rest.
            }
            long remaining = deadlineNanos - System.nanoTime();
            if (!process.waitFor(Math.max(0, remaining), TimeUnit.NANOSECONDS)) {
                killTree(process);
                throw new FenceException(label + " timed out after " + format(deadline));
            }
            String output = Secrets.redact(Files.readString(out, StandardCharsets.UTF_8), secret);
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new FenceException(label + " could not run " + command.get(0) + ": "
                    + Secrets.redact(e.getMessage(), secret));
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new FenceException(label + " interrupted");
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
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
