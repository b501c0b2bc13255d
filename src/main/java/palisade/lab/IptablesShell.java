package palisade.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Where the firewall's iptables commands run: this (root) process, and whether it can. */
final class IptablesShell {
  private IptablesShell() {}

  /** The real shell: runs the command as this (root) process, with a deadline. */
  static Firewall.Shell system() {
    return argv -> {
      Process p = new ProcessBuilder(argv).redirectErrorStream(false).start();
      try {
        p.getOutputStream().close();
        if (!p.waitFor(Firewall.COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IOException(String.join(" ", argv) + ": no answer within " + Firewall.COMMAND_TIMEOUT_MS + " ms");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new IOException(String.join(" ", argv) + ": interrupted");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", argv) + ": exit " + p.exitValue() + (err.isEmpty() ? "" : ": " + err));
      }
      return out;
    };
  }

  /** Why this process cannot add iptables rules (not root, no iptables), or empty when it can. */
  static Optional<String> unavailable() {
    if (!"root".equals(System.getProperty("user.name"))) return Optional.of("needs root (iptables)");
    for (String tool : List.of("iptables")) {
      boolean found = false;
      for (String d : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
        found |= java.nio.file.Files.isExecutable(java.nio.file.Path.of(d, tool));
      }
      if (!found) return Optional.of(tool + " is not installed (Debian: apt-get install iptables)");
    }
    return Optional.empty();
  }
}
