package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.StorePaths;
import palisade.cli.TlsStore.Run;
import palisade.core.Versioned;
import palisade.runtime.store.Admin;
import palisade.runtime.store.NotifySettings;
import palisade.web.NotifierProbe;

/**
 * `palisade notify set|show|test` through the command line against a standalone TLS store in this JVM, as an admin
 * and as a viewer: bad input named by option and nothing written, show redacted, the audit without secrets, and the
 * test event delivered by a notifier that was running before the settings existed.
 */
class NotifyCliTest {
  @TempDir
  static Path dir;

  static TlsStore store;
  static final String CLUSTER = "notifycli";

  @BeforeAll
  static void start() throws Exception {
    store = new TlsStore(dir, CLUSTER, "127.0.2.3", 28_000);
  }

  @AfterAll
  static void stop() {
    if (store != null) store.close();
  }

  @BeforeEach
  void clean() throws Exception {
    try (Admin a = admin()) {
      a.update(StorePaths.NOTIFY, NotifySettings.class, cur -> NotifySettings.NONE);
    }
  }

  static Run palisade(String operator, String... args) {
    return store.palisade(operator, args);
  }

  static Admin admin() throws Exception {
    return store.admin();
  }

  private Path file(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  @Test
  void setThenShowRedactedAndTheAuditNamesNoSecret() throws Exception {
    Path hook = file("hook.url", "https://hooks.example.org:8443/services/T0K3N?key=s3cret\n");
    Path cred = file("smtp.cred", "alerts:pa55word\n");
    Run set = palisade("alice", "notify", "set", "--webhook-file", hook.toString(), "--smtp-host", "smtp.example.org",
        "--smtp-port", "587", "--smtp-from", "pal@example.org", "--smtp-to", "ops@example.org", "oncall@example.org",
        "--smtp-credentials-file", cred.toString());
    assertThat(set.exit()).as(set.err()).isZero();
    assertThat(set.out()).doesNotContain("T0K3N", "s3cret", "pa55word");
    try (Admin a = admin()) {
      assertThat(a.value(StorePaths.NOTIFY, NotifySettings.class)).isEqualTo(new NotifySettings(
          "https://hooks.example.org:8443/services/T0K3N?key=s3cret", new NotifySettings.Smtp("smtp.example.org", 587,
          "pal@example.org", List.of("ops@example.org", "oncall@example.org"), "alerts", "pa55word")));
    }
    Run show = palisade("alice", "notify", "show");
    assertThat(show.exit()).as(show.err()).isZero();
    assertThat(show.out()).isEqualTo("webhook: https://hooks.example.org:8443/…\n"
        + "e-mail:  smtp.example.org:587, from pal@example.org to ops@example.org, oncall@example.org, credentials of "
        + "user alerts (password not shown)\n");

    // a partial change keeps the rest; removing the credentials and the webhook
    Run change = palisade("alice", "notify", "set", "--smtp-to", "night@example.org", "--no-smtp-credentials",
        "--no-webhook");
    assertThat(change.exit()).as(change.err()).isZero();
    try (Admin a = admin()) {
      NotifySettings s = a.value(StorePaths.NOTIFY, NotifySettings.class);
      assertThat(s.webhook()).isNull();
      assertThat(s.smtp()).isEqualTo(new NotifySettings.Smtp("smtp.example.org", 587, "pal@example.org",
          List.of("night@example.org"), null, null));
      List<String> audit = a.events(null, 50).stream().filter(e -> e.source().startsWith("operator alice (admin)"))
          .map(Admin.Event::message).filter(m -> m.startsWith("wrote /notify")).toList();
      assertThat(audit).last().asString().contains("webhook removed")
          .contains("e-mail changed: to night@example.org; credentials removed");
      assertThat(audit).anySatisfy(m -> assertThat(m).contains("webhook set to https://hooks.example.org:8443/…")
          .contains("e-mail set to smtp.example.org:587"));
      assertThat(String.join("\n", audit)).doesNotContain("T0K3N", "s3cret", "pa55word");
    }
  }

  @Test
  void badInputNamesTheOptionAndWritesNothing() throws Exception {
    Path good = file("good.url", "http://127.0.0.1:9/hook\n");
    assertThat(palisade("alice", "notify", "set", "--webhook-file", good.toString()).exit()).isZero();
    Versioned<Object> before;
    int events;
    try (Admin a = admin()) {
      before = a.read(StorePaths.NOTIFY);
      events = a.events(null, 2000).size();
    }
    Path ftp = file("ftp.url", "ftp://example.org/s3cret\n");
    Path badCred = file("bad.cred", "no colon here\n");
    refused(new String[] {"--webhook-file", ftp.toString()},
        "palisade: --webhook-file: " + ftp + " does not hold an http(s) URL with a host");
    refused(new String[] {"--webhook-file", dir.resolve("absent").toString()},
        "palisade: --webhook-file: " + dir.resolve("absent"));
    refused(new String[] {"--webhook-file", good.toString(), "--no-webhook"},
        "palisade: --webhook-file and --no-webhook: choose one");
    refused(new String[] {"--smtp-host", "smtp.example.org", "--smtp-from", "pal@example.org", "--smtp-to",
        "ops@example.org\r\nRCPT TO:<x@y>"}, "palisade: --smtp-to: 'ops@example.org??RCPT TO:<x@y>' is not an "
        + "e-mail address (local@domain)");
    refused(new String[] {"--smtp-host", "smtp.example.org", "--smtp-from", "pal", "--smtp-to", "o@example.org"},
        "palisade: --smtp-from: 'pal' is not an e-mail address (local@domain)");
    refused(new String[] {"--smtp-host", "smtp example", "--smtp-from", "p@x", "--smtp-to", "o@y"},
        "palisade: --smtp-host: 'smtp example' is not a host name or address");
    refused(new String[] {"--smtp-host", "h", "--smtp-from", "p@x", "--smtp-to", "o@y", "--smtp-port", "0"},
        "palisade: --smtp-port: '0' is not a port (1-65535)");
    refused(new String[] {"--smtp-port", "x"}, "palisade: Invalid value for option '--smtp-port': 'x' is not an "
        + "int");
    refused(new String[] {"--smtp-host", "h", "--smtp-from", "p@x", "--smtp-to", "o@y", "--smtp-credentials-file",
        badCred.toString()}, "palisade: --smtp-credentials-file: " + badCred + " must hold one line user:password");
    refused(new String[] {"--smtp-host", "smtp.example.org"}, "palisade: --smtp-from: is required (the cluster has "
        + "no e-mail settings yet: give --smtp-host, --smtp-from and --smtp-to); nothing was written");
    refused(new String[] {"--no-smtp", "--smtp-port", "25"},
        "palisade: --no-smtp: no other --smtp-* option goes with it");
    refused(new String[] {}, "palisade: notify set: nothing to set (--webhook-file FILE, --smtp-host H, "
        + "--no-webhook, --no-smtp, ...; see --help)");
    try (Admin a = admin()) {
      assertThat(a.read(StorePaths.NOTIFY)).isEqualTo(before);
      assertThat(a.events(null, 2000)).as("no audit event either").hasSize(events);
    }
  }

  private static void refused(String[] options, String firstLine) {
    List<String> args = new ArrayList<>(List.of("notify", "set"));
    args.addAll(List.of(options));
    Run r = palisade("alice", args.toArray(String[]::new));
    assertThat(r.exit()).as(String.join(" ", options) + ": " + r.err()).isEqualTo(2);
    assertThat(r.err()).startsWith(firstLine).doesNotContain("Exception", "\tat ", "s3cret", "no colon");
    assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aViewerCanNeitherReadNorChangeThem() throws Exception {
    Path hook = file("v.url", "https://hooks.example.org/T0K3N\n");
    assertThat(palisade("alice", "notify", "set", "--webhook-file", hook.toString()).exit()).isZero();
    for (String[] cmd : List.of(new String[] {"notify", "show"}, new String[] {"notify", "test"},
        new String[] {"notify", "set", "--no-webhook"})) {
      Run r = palisade("victor", cmd);
      assertThat(r.exit()).as(String.join(" ", cmd)).isEqualTo(2);
      assertThat(r.err()).isEqualTo("palisade: the notification settings hold secrets: a viewer credential may not "
          + "read them (use an admin's)\n");
      assertThat(r.out()).doesNotContain("T0K3N", "hooks.example.org");
    }
    try (Admin a = admin()) {
      assertThat(a.value(StorePaths.NOTIFY, NotifySettings.class).webhook()).endsWith("/T0K3N");
    }
  }

  @Test
  void testRecordsAnAlertOnlyWhenSomethingIsSet() throws Exception {
    Run none = palisade("alice", "notify", "test");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).startsWith("palisade: notify test: no notifications are set");
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 8);
    receiver.createContext("/hook", x -> {
      received.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      x.sendResponseHeaders(204, -1);
      x.close();
    });
    receiver.start();
    try (Admin node = store.node()) {
      // A notifier as a daemon runs it, started before the cluster had any settings: the change must reach it live.
      try (NotifierProbe notifier = NotifierProbe.start(CLUSTER, "node1", node)) {
        // a second poll has begun: the first took its cursor (history is not news) and found no settings
        await().atMost(Duration.ofSeconds(15)).until(() -> notifier.reads() > 3);
        Path hook = file("live.url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\n");
        assertThat(palisade("alice", "notify", "set", "--webhook-file", hook.toString()).exit()).isZero();
        Run test = palisade("alice", "notify", "test");
        assertThat(test.exit()).as(test.err()).isZero();
        String line = "ALERT: test notification requested by alice (admin) on " + Admin.hostName();
        assertThat(test.out()).startsWith("recorded '" + line + "'");
        await().atMost(Duration.ofSeconds(15)).until(() -> !received.isEmpty());
        assertThat(received.get(0)).contains("\"kind\":\"alert\"").contains(line);
      }
    } finally {
      receiver.stop(0);
    }
  }
}
