package palisade.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import palisade.core.ConfigException;
import palisade.io.TextFile;
import palisade.runtime.daemon.DaemonConfig;
import palisade.runtime.store.Credential;
import palisade.runtime.store.Credentials;

/**
 * A join bundle: one host's complete configuration directory, made by `cluster init` and installed by `cluster
 * join` (init installs its own host's the same way). Layout (directories 0700, files 0600):
 * <pre>
 *   palisade.yaml   the node's configuration (relative paths: the files below)
 *   plan.json       the cluster plan it was rendered from ({@link ClusterPlan}), for a re-render on the host
 *   credential/     the node's store credential (role member)
 *   operator/       the operator credential the CLI uses on the host (role admin)
 *   api-tokens      the HTTP API's token hashes (no token)
 * </pre>
 */
final class ClusterBundle {
  static final String YAML = "palisade.yaml";
  static final String PLAN = "plan.json";
  static final String CREDENTIAL = "credential";
  static final String OPERATOR = "operator";
  static final String API_TOKENS = "api-tokens";
  /** The API's admin token itself, on the first host only, in the credentials directory. */
  static final String API_ADMIN_TOKEN = "api-admin.token";

  private ClusterBundle() {}

  /**
   * Makes the cluster's authorities and credentials in {@code credentials} (the existing credential tooling) and a
   * bundle per node in {@code bundles}/NAME. The caller checked that neither exists.
   */
  static void make(ClusterPlan plan, Path credentials, Path bundles, String operator) throws IOException {
    Credentials.initCa(credentials, plan.cluster());
    for (ClusterPlan.Host h : plan.nodes()) {
      // Its address too: HTTPS clients (browser, Prometheus, the CLI) dial the node's web server by it.
      Credentials.issueNode(credentials, h.name(), Credentials.NODE_DAYS_DEFAULT, List.of(h.address()));
    }
    // The hosts' own CLI credential: as long-lived as a node's (it is root's, on a host whose root owns the store).
    Credentials.issueOperator(credentials, operator, Credential.Role.ADMIN, Credentials.NODE_DAYS_DEFAULT);
    String token = randomToken();
    writePrivate(credentials.resolve(API_ADMIN_TOKEN), token + "\n");
    writePrivate(credentials.resolve(API_TOKENS), "# NAME ROLE SHA256(token): the daemons' http.api_tokens_file\n"
        + "admin admin " + sha256Hex(token) + "\n");
    privateDir(bundles);
    for (ClusterPlan.Host h : plan.nodes()) {
      Path b = privateDir(bundles.resolve(h.name()));
      writePrivate(b.resolve(YAML), plan.yaml(h.name()));
      writePrivate(b.resolve(PLAN), plan.toJson());
      copyTree(Credentials.nodeDir(credentials, h.name()), b.resolve(CREDENTIAL));
      copyTree(Credentials.operatorDir(credentials, operator), b.resolve(OPERATOR));
      Files.copy(credentials.resolve(API_TOKENS), b.resolve(API_TOKENS));
    }
  }

  /** What a bundle holds, read and checked before anything is written. */
  record Read(ClusterPlan plan, String node, Path dir) {}

  /** Reads BUNDLE: its plan, its node (named by its credential, and by its YAML), every file it must hold. */
  static Read read(Path bundle) {
    if (!Files.isDirectory(bundle)) {
      throw new CliError("BUNDLE: " + bundle + " is not a directory (copy the whole directory `cluster init` made)");
    }
    for (String f : List.of(YAML, PLAN, API_TOKENS, CREDENTIAL + "/" + Credential.IDENTITY,
        OPERATOR + "/" + Credential.IDENTITY)) {
      if (!Files.isRegularFile(bundle.resolve(f))) {
        throw new CliError("BUNDLE: " + bundle + " has no " + f + " (not made by palisade cluster init?)");
      }
    }
    String json;
    try {
      json = TextFile.read(bundle.resolve(PLAN));
    } catch (TextFile.Unreadable e) {
      throw new CliError("BUNDLE: " + e.getMessage());
    }
    ClusterPlan plan = ClusterPlan.fromJson(json, "BUNDLE: " + bundle.resolve(PLAN));
    Credential member;
    Credential admin;
    DaemonConfig dc;
    try {
      member = Credential.load(bundle.resolve(CREDENTIAL));
      admin = Credential.load(bundle.resolve(OPERATOR));
      dc = DaemonConfig.load(bundle.resolve(YAML));
    } catch (IllegalArgumentException e) { // ConfigException too
      throw new CliError("BUNDLE: " + e.getMessage());
    }
    if (member.role() != Credential.Role.MEMBER || admin.role() == Credential.Role.MEMBER) {
      throw new CliError("BUNDLE: " + bundle + ": credential/ must be a node's and operator/ an operator's");
    }
    if (!member.name().equals(dc.node()) || !plan.names().contains(dc.node())
        || !plan.cluster().equals(dc.cluster())) {
      throw new CliError("BUNDLE: " + bundle + ": its credential (" + member.name() + "), its YAML (node "
          + dc.node() + " of " + dc.cluster() + ") and its plan (" + plan.cluster() + ") disagree");
    }
    return new Read(plan, dc.node(), bundle);
  }

  /**
   * Installs a bundle as the host's configuration: CONFIG (rendered for this host's data dir), and next to it
   * credential/, operator/ and api-tokens. Refuses, writing nothing, when any of them exists; checks the rendered
   * file with the daemon's own parser first; creates the data dir (0700). On an error midway it removes what it
   * wrote.
   */
  static DaemonConfig install(Read b, ClusterPlan plan, Path config) throws IOException {
    Path dir = config.toAbsolutePath().getParent();
    List<Path> targets = List.of(config, dir.resolve(CREDENTIAL), dir.resolve(OPERATOR), dir.resolve(API_TOKENS));
    for (Path t : targets) {
      if (Files.exists(t)) {
        throw new CliError("--config: " + t + " exists already (this host is configured; remove it to join anew)");
      }
    }
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    boolean done = false;
    try {
      Path tmp = dir.resolve("." + config.getFileName() + ".new");
      Files.deleteIfExists(tmp);
      written.add(tmp);
      writePrivate(tmp, plan.yaml(b.node()));
      written.add(dir.resolve(CREDENTIAL));
      copyTree(b.dir().resolve(CREDENTIAL), dir.resolve(CREDENTIAL));
      written.add(dir.resolve(OPERATOR));
      copyTree(b.dir().resolve(OPERATOR), dir.resolve(OPERATOR));
      written.add(dir.resolve(API_TOKENS));
      writePrivate(dir.resolve(API_TOKENS), Files.readString(b.dir().resolve(API_TOKENS)));
      DaemonConfig dc = DaemonConfig.load(tmp); // the daemon's own checks, on the files as installed
      Files.move(tmp, config);
      written.set(0, config);
      privateDir(dc.dataDir());
      done = true;
      return dc;
    } catch (ConfigException e) {
      throw new CliError("the configuration made for " + b.node() + " is refused: " + e.getMessage());
    } finally {
      if (!done) {
        for (Path p : written) deleteTree(p);
      }
    }
  }

  static String randomToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** As the API compares it (web.ApiTokens): SHA-256 of the token's UTF-8 bytes, in hex. */
  static String sha256Hex(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path privateDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    return dir;
  }

  /** A file that is 0600 from its first byte. */
  static void writePrivate(Path file, String text) throws IOException {
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** Copies a credential directory (flat: regular files only): 0700, each file 0600. */
  private static void copyTree(Path from, Path to) throws IOException {
    privateDir(to);
    try (var files = Files.list(from)) {
      for (Path f : files.sorted().toList()) {
        if (!Files.isRegularFile(f)) continue;
        Path t = to.resolve(f.getFileName().toString());
        Files.createFile(t, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(t, Files.readAllBytes(f));
      }
    }
  }

  static void deleteTree(Path p) {
    if (!Files.exists(p)) return;
    try (var all = Files.walk(p)) {
      for (Path q : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    } catch (IOException e) {
      // best effort: the error that brought us here is the one to report
    }
  }
}
