package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.lab.Layout;

/**
 * The Debian package as an admin gets it: built by `mvn package` (built here when target/ has none newer than the
 * classes), installed with dpkg -i, its units checked by systemd-analyze verify, a three-node cluster set up with
 * `cluster init`/`join` and run from the installed files only (the installed launcher, its supervisor mode, loopback
 * addresses, started and stopped by PID, not through systemd), its status read with the installed CLI, then dpkg -r:
 * no process and no file left but /etc and the data dirs, which only a purge removes. Needs root and dpkg (CI has
 * both); the machine is left without the package even when the test fails.
 */
@Tag("package")
class PackageTest {
  static final Path LAUNCHER = Path.of("/usr/bin/palisade");
  static final List<String> UNITS = List.of("/lib/systemd/system/palisade.service",
      "/lib/systemd/system/palisade-process-watchdog.service", "/lib/systemd/system/palisade-witness.service");
  static final Path TARGET = Path.of("target").toAbsolutePath();

  @TempDir
  Path tmp;

  private final List<Process> supervisors = new ArrayList<>();
  private int basePort;

  record Result(int exit, String output) {}

  @Test
  void installRunAClusterFromTheInstalledFilesAndRemove() throws Exception {
    Assumptions.assumeTrue(run(List.of("id", "-u"), 10).output().strip().equals("0"),
        "the package test installs a .deb: it needs root (CI runs as root)");
    Assumptions.assumeTrue(onPath("dpkg") && onPath("dpkg-deb") && onPath("systemd-analyze"),
        "the package test needs dpkg, dpkg-deb and systemd-analyze (Debian; bin/test installs systemd)");
    Assumptions.assumeFalse(Files.exists(Path.of("/etc/palisade/palisade.yaml")),
        "this machine is a configured Palisade node (/etc/palisade/palisade.yaml): the package test would remove it");
    Path deb = debPackage();
    try {
      install(deb);
      verifyUnits();
      List<String> addresses = List.of("127.0.1.1", "127.0.1.2", "127.0.1.3");
      String store = bootstrap(addresses);
      for (int i = 1; i <= 3; i++) supervisors.add(startNode("node" + i));
      awaitOnline(store);
      // the admin credential a joined host got works there too
      Result human = run(List.of(LAUNCHER.toString(), "status", "--store", store, "--cluster", "pkgtest",
          "--credential", tmp.resolve("node3/operator").toString()), 60);
      assertThat(human.exit()).as(human.output()).isZero();
      assertThat(human.output()).contains("node1", "node2", "node3", "online");
      assertClassDataArchive(human.output());
      assertReady("node2", "127.0.1.2");
      stopNodes();
      assertThat(processesOf(tmp.toString(), "/usr/share/palisade")).as("processes left").isEmpty();
      removeAndCheck();
    } finally {
      stopNodes();
      run(List.of("dpkg", "--purge", "palisade"), 120);
    }
    // a purge takes the data and log dirs; /etc/palisade had only the sample
    assertThat(Path.of("/var/lib/palisade")).doesNotExist();
    assertThat(Path.of("/var/log/palisade")).doesNotExist();
    assertThat(Path.of("/etc/palisade")).doesNotExist();
  }

  /**
   * The first `status` that answered (awaitOnline's) archived its classes for the commands after it: one archive,
   * in a directory of the user's alone, no half-written one left, and not a word of the JVM's about it in the output.
   */
  private void assertClassDataArchive(String output) throws IOException {
    Path cache = home().resolve(".cache/palisade");
    assertThat(Files.getPosixFilePermissions(cache)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    try (Stream<Path> s = Files.list(cache)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).singleElement().asString().matches("cli-\\d+\\.jsa");
    }
    assertThat(output).doesNotContainIgnoringCase("cds").doesNotContain("[warning]");
  }

  /** target/palisade_*_all.deb, built by `mvn package` first when missing or older than the compiled classes. */
  private Path debPackage() throws Exception {
    Path deb = findDeb();
    if (deb == null || Files.getLastModifiedTime(deb).compareTo(newest(TARGET.resolve("classes"))) < 0) {
      Result built = run(List.of("mvn", "-q", "-B", "-DskipTests", "package"), 540);
      assertThat(built.exit()).as("mvn package: " + built.output()).isZero();
      deb = findDeb();
    }
    assertThat(deb).as("mvn package made no target/palisade_*_all.deb").isNotNull();
    Path tar = TARGET.resolve("palisade-0.1.0-SNAPSHOT.tar.gz");
    Result listing = run(List.of("tar", "tzf", tar.toString()), 60);
    assertThat(listing.output()).contains("palisade-0.1.0-SNAPSHOT/bin/palisade",
        "palisade-0.1.0-SNAPSHOT/lib/palisade/palisade.jar", "palisade-0.1.0-SNAPSHOT/share/palisade/systemd/"
            + "palisade.service", "palisade-0.1.0-SNAPSHOT/share/palisade/palisade.yaml.sample");
    return deb;
  }

  private void install(Path deb) throws Exception {
    Result r = run(List.of("dpkg", "-i", deb.toString()), 120);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(Files.isExecutable(LAUNCHER)).isTrue();
    assertThat(Path.of("/usr/share/palisade/palisade.jar")).isRegularFile();
    assertThat(Path.of("/etc/palisade/palisade.yaml.sample")).isRegularFile();
    assertThat(run(List.of("getent", "passwd", "palisade"), 10).output()).contains("/usr/sbin/nologin");
    assertThat(mode(Path.of("/var/lib/palisade"))).isEqualTo("rwx------");
    assertThat(mode(Path.of("/var/log/palisade"))).isEqualTo("rwxr-x---");
  }

  /** systemd-analyze verify exits 0 on mere warnings (an unknown key is "ignoring"): so no output either. */
  private void verifyUnits() throws Exception {
    List<String> cmd = new ArrayList<>(List.of("systemd-analyze", "verify"));
    cmd.addAll(UNITS);
    Result r = run(cmd, 60);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output().lines().filter(l -> l.contains("palisade"))).as("systemd-analyze verify").isEmpty();
  }

  /** init on node1, join on node2 and node3, with the installed launcher; returns the store's connect string. */
  private String bootstrap(List<String> addresses) throws Exception {
    int base = Layout.pick(3, 3).basePort();
    basePort = base;
    List<String> init = new ArrayList<>(List.of(LAUNCHER.toString(), "cluster", "init", "--name", "pkgtest",
        "--watchdog", "process", "--config", tmp.resolve("node1/palisade.yaml").toString(), "--credentials",
        tmp.resolve("creds").toString(), "--data-dir", tmp.resolve("node1/data").toString(), "--client-port",
        "" + base, "--peer-port", "" + (base + 1), "--election-port", "" + (base + 2), "--http-port", "" + (base + 3)));
    for (int i = 0; i < addresses.size(); i++) {
      init.addAll(List.of("--node", "node" + (i + 1) + "=" + addresses.get(i)));
    }
    Result r = run(init, 60);
    assertThat(r.exit()).as(r.output()).isZero();
    for (String n : List.of("node2", "node3")) {
      Result j = run(List.of(LAUNCHER.toString(), "cluster", "join", tmp.resolve("creds/join/" + n).toString(),
          "--config", tmp.resolve(n + "/palisade.yaml").toString(), "--data-dir", tmp.resolve(n + "/data")
              .toString()), 60);
      assertThat(j.exit()).as(j.output()).isZero();
    }
    return String.join(",", addresses.stream().map(a -> a + ":" + base).toList());
  }

  /** The daemon under its process watchdog, as palisade-process-watchdog.service runs it, by the installed files. */
  private Process startNode(String node) throws IOException {
    Path dir = tmp.resolve(node);
    ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "watchdog-supervisor", "--socket",
        dir.resolve("data/watchdog.sock").toString(), "--cgroup", "palisade/pkgtest-" + node, "--stop-grace-ms",
        "5000", "--", LAUNCHER.toString(), "daemon", "--config", dir.resolve("palisade.yaml").toString());
    pb.redirectErrorStream(true).redirectOutput(tmp.resolve(node + ".log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PALISADE_"));
    return pb.start();
  }

  private void awaitOnline(String store) {
    ObjectMapper json = new ObjectMapper();
    Awaitility.await("three nodes online").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
        .pollDelay(Duration.ofSeconds(5)).until(() -> {
          Result r = run(List.of(LAUNCHER.toString(), "status", "-o", "json", "--store", store, "--cluster",
              "pkgtest", "--credential", tmp.resolve("node1/operator").toString()), 60);
          if (r.exit() != 0) return false;
          JsonNode status = json.readTree(r.output().substring(Math.max(0, r.output().indexOf('{'))));
          List<String> online = new ArrayList<>();
          status.path("nodes").forEach(n -> {
            if (n.path("state").asText().equals("online")) online.add(n.path("name").asText());
          });
          return online.size() == 3;
        });
  }

  /** The node's HTTPS server answers /readyz on its address and port from init, with the certificate init made. */
  private void assertReady(String node, String address) throws Exception {
    javax.net.ssl.SSLContext tls = palisade.runtime.store.Credential.load(tmp.resolve(node + "/credential"))
        .sslContext();
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(tls)
        .connectTimeout(Duration.ofSeconds(10)).build();
    java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("https://" + address + ":" + (basePort + 3) + "/readyz")).timeout(Duration.ofSeconds(20))
        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** SIGTERM to each supervisor by its pid (it stops its daemon's cgroup), SIGKILL to what is left after 20 s. */
  private void stopNodes() throws InterruptedException {
    for (Process p : supervisors) p.destroy();
    for (Process p : supervisors) {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    supervisors.clear();
  }

  /** dpkg -r: every file dpkg listed outside /etc is gone, and every directory of the package's own. */
  private void removeAndCheck() throws Exception {
    Result listed = run(List.of("dpkg", "-L", "palisade"), 60);
    assertThat(listed.exit()).isZero();
    Map<String, Boolean> paths = new TreeMap<>(); // path -> was a directory
    for (String l : listed.output().lines().map(String::strip).filter(l -> l.startsWith("/")).toList()) {
      paths.put(l, Files.isDirectory(Path.of(l)));
    }
    assertThat(paths).containsKeys("/usr/bin/palisade", "/usr/share/palisade/palisade.jar", UNITS.get(0),
        UNITS.get(1));
    Result r = run(List.of("dpkg", "-r", "palisade"), 120);
    assertThat(r.exit()).as(r.output()).isZero();
    List<String> left = new ArrayList<>();
    paths.forEach((p, dir) -> {
      boolean ours = !dir || p.contains("palisade");
      if (!p.startsWith("/etc/") && ours && Files.exists(Path.of(p))) left.add(p);
    });
    assertThat(left).as("left by dpkg -r outside /etc").isEmpty();
    assertThat(processesOf("/usr/share/palisade")).as("processes after dpkg -r").isEmpty();
    // the data and log dirs stay until a purge; so does the conffile
    assertThat(Path.of("/var/lib/palisade")).isDirectory();
    assertThat(Path.of("/etc/palisade/palisade.yaml.sample")).isRegularFile();
  }

  /** Pids whose command line mentions any of the words. */
  private static List<Long> processesOf(String... words) {
    List<Long> out = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(h -> {
      try {
        String cmd = Files.readString(Path.of("/proc/" + h.pid() + "/cmdline"), StandardCharsets.ISO_8859_1);
        for (String w : words) {
          if (cmd.contains(w)) {
            out.add(h.pid());
            break;
          }
        }
      } catch (IOException | RuntimeException e) {
        // gone meanwhile
      }
    });
    return out;
  }

  private Result run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
    Path out = Files.createTempFile(tmp, "run", ".out");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PALISADE_") || k.equals("XDG_CACHE_HOME"));
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    pb.environment().put("HOME", home().toString()); // the launcher's class-data archive goes there, not to ~root
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
      throw new AssertionError("timed out after " + timeoutSeconds + " s: " + cmd + "\n" + Files.readString(out));
    }
    return new Result(p.exitValue(), Files.readString(out));
  }

  private Path home() throws IOException {
    return Files.createDirectories(tmp.resolve("home"));
  }

  private boolean onPath(String tool) throws Exception {
    return run(List.of("sh", "-c", "command -v " + tool), 10).exit() == 0;
  }

  private static Path findDeb() throws IOException {
    if (!Files.isDirectory(TARGET)) return null;
    try (Stream<Path> s = Files.list(TARGET)) {
      return s.filter(p -> p.getFileName().toString().matches("palisade_.*_all\\.deb")).findFirst().orElse(null);
    }
  }

  private static java.nio.file.attribute.FileTime newest(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> {
        try {
          return Files.getLastModifiedTime(p);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).max(java.nio.file.attribute.FileTime::compareTo).orElse(java.nio.file.attribute.FileTime.fromMillis(0));
    }
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
