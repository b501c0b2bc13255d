package palisade.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import palisade.core.ConfigException;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.runtime.store.Admin;
import palisade.runtime.store.NotifySettings;
import palisade.runtime.store.NotifySettings.Smtp;

/** E-mail notifications against an SMTP sink on loopback, and the ALERT for a recovery that finds no node. */
class NotifierMailTest {
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private SmtpSink sink;

  @TempDir
  Path dir;

  @BeforeEach
  void start() throws Exception {
    sink = new SmtpSink();
  }

  @AfterEach
  void stop() throws Exception {
    sink.close();
  }

  private Smtp smtp(String user, String password) {
    return new Smtp("127.0.0.1", sink.port(), "palisade@lab.example", List.of("ops@lab.example", "oncall@lab.example"),
        user, password);
  }

  /** A notifier with the cluster's settings naming only this relay, as the daemon applies them from the store. */
  private Notifier mailing() {
    Notifier n = new Notifier("lab", "node1", clock::get);
    assertThat(n.apply(new NotifySettings(null, smtp(null, null)))).isTrue();
    return n;
  }

  private static Admin.Event event(int i, String source, String message) {
    return new Admin.Event(String.format("e-%010d", i), 1_000L * i, "node1", source, message);
  }

  @Test
  void aFenceArrivesAsAMailNamingTheEventAndNode() {
    Notifier n = mailing();
    int sent = n.offer(List.of(event(1, "node2/fencer", "node3: power fencing, attempt 1, 1 levels"),
        event(2, "node2/agent", "vm:102: started"),
        event(3, "manager", "node3: fencing -> fenced (power off confirmed by bmc-node3)"),
        event(4, "manager", "ALERT: recovery of vm:101 from node3 finds no node to take it (15s in recovery)")));
    assertThat(sent).isEqualTo(3);
    assertThat(sink.mails).hasSize(3);
    SmtpSink.Mail first = sink.mails.get(0);
    assertThat(first.from()).isEqualTo("palisade@lab.example");
    assertThat(first.to()).containsExactly("ops@lab.example", "oncall@lab.example");
    assertThat(first.header("Subject")).startsWith("[palisade lab] fence_started node3: node3: power fencing");
    assertThat(first.header("To")).isEqualTo("ops@lab.example, oncall@lab.example");
    assertThat(first.body()).contains("cluster: lab").contains("node: node3").contains("sent by: node1");
    assertThat(first.auth()).as("no credentials configured").isNull();
    assertThat(sink.mails.get(1).header("Subject")).startsWith("[palisade lab] fence_confirmed node3: ");
    assertThat(sink.mails.get(2).header("Subject"))
        .isEqualTo("[palisade lab] alert: ALERT: recovery of vm:101 from node3 finds no node to take it (15s in "
            + "recovery)");
  }

  @Test
  void mailSharesTheRateLimit() {
    Notifier n = mailing();
    List<Admin.Event> storm = new ArrayList<>();
    for (int i = 1; i <= 12; i++) storm.add(event(i, "f", "node" + i + ": power fencing, attempt 1"));
    assertThat(n.offer(storm)).isEqualTo(Notifier.PER_MINUTE);
    clock.addAndGet(60_000);
    assertThat(n.offer(List.of(event(13, "f", "node13: power fencing, attempt 1")))).isEqualTo(1);
    assertThat(sink.mails).hasSize(11);
    assertThat(sink.mails.get(10).body()).contains("left out by the rate limit since the last: 2");
  }

  @Test
  void credentialsGoOnlyInAuthPlainAndNeverInAnError() throws Exception {
    Path creds = dir.resolve("smtp.cred");
    Files.writeString(creds, "alerts:pa55word\n");
    String[] userPassword = NotifySettings.credentialsFile(creds, "--smtp-credentials-file");
    Mailer m = new Mailer(smtp(userPassword[0], userPassword[1]), "node1");
    m.send("subject", "a body\n.with a leading dot");
    SmtpSink.Mail mail = sink.mails.get(0);
    assertThat(new String(Base64.getDecoder().decode(mail.auth()), StandardCharsets.UTF_8))
        .isEqualTo("\0alerts\0pa55word");
    assertThat(mail.body()).isEqualTo("a body\r\n.with a leading dot\r\n");
    sink.rejectRcpt = true;
    assertThatThrownBy(() -> m.send("s", "b")).hasMessage("the relay answered 550 to RCPT")
        .hasMessageNotContaining("pa55word");
    Files.writeString(creds, "no colon here\n");
    assertThatThrownBy(() -> NotifySettings.credentialsFile(creds, "--smtp-credentials-file"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("--smtp-credentials-file: " + creds + " must hold one line user:password");
    assertThat(smtp("alerts", "pa55word").toString()).contains("alerts").doesNotContain("pa55word");
    assertThat(new NotifySettings(null, smtp("alerts", "pa55word")).toString()).doesNotContain("pa55word");
  }

  @Test
  void aRelayThatIsDownCountsNothingAsSent() throws Exception {
    sink.close();
    Notifier n = mailing();
    assertThat(n.offer(List.of(event(1, "f", "node3: power fencing, attempt 1")))).isZero();
    assertThat(n.sentTimes()).isEmpty();
  }

  @Test
  void aRecoveryThatFindsNoNodeIsAlertedOncePerEpisode() {
    RecoveryWatch w = new RecoveryWatch();
    Map<String, ServiceStatus> s = new TreeMap<>();
    s.put("vm:101", status(ServiceState.RECOVERY, "node3"));
    s.put("vm:102", status(ServiceState.STARTED, "node1"));
    assertThat(w.observe(s, 0)).isEmpty();
    assertThat(w.observe(s, RecoveryWatch.AFTER_MS - 1)).as("a recovery placed within a few rounds is no alert")
        .isEmpty();
    assertThat(w.observe(s, RecoveryWatch.AFTER_MS))
        .containsExactly("ALERT: recovery of vm:101 from node3 finds no node to take it (15s in recovery)");
    assertThat(w.observe(s, RecoveryWatch.AFTER_MS * 10)).as("once").isEmpty();
    s.put("vm:101", status(ServiceState.STARTED, "node2"));
    assertThat(w.observe(s, RecoveryWatch.AFTER_MS * 11)).isEmpty();
    s.put("vm:101", status(ServiceState.RECOVERY, "node2"));
    assertThat(w.observe(s, RecoveryWatch.AFTER_MS * 12)).isEmpty();
    List<String> again = w.observe(s, RecoveryWatch.AFTER_MS * 13);
    assertThat(again).as("a new episode").hasSize(1);
    assertThat(new Notifier("lab", "node1", clock::get).notification(event(1, "notifier",
        again.get(0)))).as("the notifier matches its own line").containsEntry("kind", "alert");
  }

  private static ServiceStatus status(ServiceState state, String node) {
    return new ServiceStatus(state, node, null, 7, 0, new java.util.TreeSet<>(), null, false);
  }
}
