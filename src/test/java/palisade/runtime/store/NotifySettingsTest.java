package palisade.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import palisade.core.ConfigException;
import palisade.core.StorePaths;

/** The cluster's notification settings: what may be shown of them, their checks, their encoding. */
class NotifySettingsTest {
  private static final NotifySettings.Smtp RELAY = new NotifySettings.Smtp("smtp.example.org", 587,
      "pal@example.org", List.of("ops@example.org"), "alerts", "pa55word");

  @Test
  void aWebhookIsShownAsSchemeHostAndPortOnly() {
    assertThat(NotifySettings.redact("https://hooks.example.org/services/T0K3N?k=s3cret"))
        .isEqualTo("https://hooks.example.org/…");
    assertThat(NotifySettings.redact("HTTP://user:pw@127.0.0.1:8080/x")).isEqualTo("http://127.0.0.1:8080/…");
    assertThat(NotifySettings.redact("not a url")).isEqualTo("(not a URL)");
    assertThat(new NotifySettings("https://h.example/T0K3N", RELAY).toString())
        .isEqualTo("webhook https://h.example/…; e-mail smtp.example.org:587, from pal@example.org to "
            + "ops@example.org, credentials of user alerts (password not shown)");
  }

  @Test
  void theAuditNamesWhatChangedButNoSecret() {
    NotifySettings a = new NotifySettings("https://h.example/T0K3N", RELAY);
    NotifySettings b = new NotifySettings("https://h.example/OTHER", new NotifySettings.Smtp("smtp.example.org",
        25, "pal@example.org", List.of("ops@example.org"), "alerts", "n3wpass"));
    assertThat(NotifySettings.describe(null, a)).isEqualTo("; webhook set to https://h.example/…; e-mail set to "
        + RELAY);
    assertThat(NotifySettings.describe(a, b))
        .isEqualTo("; webhook changed to https://h.example/…; e-mail changed: port 25; credentials of user alerts");
    assertThat(NotifySettings.describe(b, NotifySettings.NONE)).isEqualTo("; webhook removed; e-mail removed");
    assertThat(NotifySettings.describe(a, a)).isEmpty();
  }

  @Test
  void whatADaemonReadsIsCheckedNamingTheField() {
    assertThat(new NotifySettings("http://127.0.0.1:9/x", RELAY).check()).isNotNull();
    assertThatThrownBy(() -> new NotifySettings("ftp://h/s3cret", null).check()).isInstanceOf(ConfigException.class)
        .hasMessage("/notify webhook: does not hold an http(s) URL with a host");
    assertThatThrownBy(() -> new NotifySettings(null, new NotifySettings.Smtp("h", 0, "p@x", List.of("o@y"), null,
        null)).check()).hasMessage("/notify smtp.port: '0' is not a port (1-65535)");
    assertThatThrownBy(() -> new NotifySettings(null, new NotifySettings.Smtp("h", 25, "p@x", List.of(), null,
        null)).check()).hasMessage("/notify smtp.to: names no address");
    assertThatThrownBy(() -> new NotifySettings(null, new NotifySettings.Smtp("h", 25, "p@x", List.of("o@y"), "u",
        null)).check()).hasMessageStartingWith("/notify smtp: a user name");
  }

  @Test
  void aBrokenRecordIsRefusedWithoutQuotingIt() throws Exception {
    NotifySettings s = new NotifySettings("https://h.example/T0K3N", RELAY);
    assertThat(Codec.decode(StorePaths.NOTIFY, Codec.encode(s))).isEqualTo(s);
    byte[] broken = "{\"webhook\": T0K3N, \"smtp\": {\"port\": \"pa55word\"}}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Codec.decode(StorePaths.NOTIFY, broken)).hasMessageStartingWith("not valid "
        + "notification settings").hasMessageNotContaining("T0K3N");
    byte[] wrongType = "{\"smtp\": {\"port\": \"pa55word\"}}".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Codec.decode(StorePaths.NOTIFY, wrongType)).hasMessageNotContaining("pa55word");
  }

  @Test
  void onlyTheNotifyZnodeGetsTheNarrowAcl() {
    assertThat(StoreAcl.INSTANCE.getAclForPath("/palisade/lab/notify")).isEqualTo(StoreAcl.SECRET_ACLS);
    assertThat(StoreAcl.INSTANCE.getAclForPath("/palisade/lab/config")).isEqualTo(StoreAcl.ACLS);
    assertThat(StoreAcl.INSTANCE.getAclForPath("/palisade/lab/events/notify")).isEqualTo(StoreAcl.ACLS);
    assertThat(StoreAcl.SECRET_ACLS).noneMatch(acl -> acl.getId().getId().equals("viewer"));
  }
}
