package palisade.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.zookeeper.KeeperException;
import palisade.core.ConfigException;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.NotifySettings;
import palisade.web.Api;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `palisade notify set|show|test`: the cluster's notification settings (the store's /notify, one record for the
 * whole cluster; the daemon holding the manager lease reads it every second). Secrets come only from files, never
 * from the command line (argv is visible to every local user); show redacts them; viewers may not read them at all.
 */
@Command(name = "notify", description = "The cluster's notifications (webhook, e-mail)", subcommands = {
    NotifyCommand.Set.class, NotifyCommand.Show.class, NotifyCommand.Test.class})
final class NotifyCommand {
  private NotifyCommand() {}

  /** The settings, read as the operator; a viewer is told why it may not (not the generic "viewer reads only"). */
  static NotifySettings read(Admin admin) throws Exception {
    try {
      NotifySettings s = admin.value(StorePaths.NOTIFY, NotifySettings.class);
      return s == null ? NotifySettings.NONE : s;
    } catch (KeeperException.NoAuthException e) {
      throw new CliError("the notification settings hold secrets: a viewer credential may not read them (use an "
          + "admin's)");
    }
  }

  @Command(name = "set", description = {"Set the cluster's notifications; options not given keep their value. "
      + "Secrets only from files: the webhook URL (it often carries a token) and the relay's user:password. A bad "
      + "option exits 2 naming it and writes nothing. Takes effect within seconds on the manager's node."})
  static final class Set implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--webhook-file", paramLabel = "FILE", description = "a file holding the webhook's http(s) URL")
    Path webhookFile;

    @Option(names = "--no-webhook", description = "remove the webhook")
    boolean noWebhook;

    @Option(names = "--smtp-host", paramLabel = "H", description = "the SMTP relay")
    String smtpHost;

    @Option(names = "--smtp-port", paramLabel = "P", description = "its port (default 25)")
    Integer smtpPort;

    @Option(names = "--smtp-from", paramLabel = "A", description = "the sender address")
    String smtpFrom;

    @Option(names = "--smtp-to", paramLabel = "A", arity = "1..*", description = "the recipients (replace the list)")
    List<String> smtpTo;

    @Option(names = "--smtp-credentials-file", paramLabel = "F", description = "a file with one line user:password "
        + "(sent only over STARTTLS or to a loopback relay)")
    Path smtpCredentialsFile;

    @Option(names = "--no-smtp-credentials", description = "send mail without AUTH")
    boolean noSmtpCredentials;

    @Option(names = "--no-smtp", description = "remove e-mail notifications")
    boolean noSmtp;

    @Override
    public Integer call() throws Exception {
      Change c = change();
      try (Admin admin = store.admin()) {
        NotifySettings before = read(admin);
        NotifySettings after = c.apply(before); // refuses an incomplete relay before anything is written
        if (after.equals(before)) {
          System.out.println("notifications unchanged: " + before);
          return 0;
        }
        NotifySettings written = admin.update(StorePaths.NOTIFY, NotifySettings.class,
            cur -> c.apply(cur == null ? NotifySettings.NONE : cur));
        System.out.println("notifications: " + written + " (the manager's node applies them within seconds)");
      }
      return 0;
    }

    /** Checks every option (reading the files) before the store is touched. */
    Change change() {
      if (webhookFile != null && noWebhook) throw new CliError("--webhook-file and --no-webhook: choose one");
      if (smtpCredentialsFile != null && noSmtpCredentials) {
        throw new CliError("--smtp-credentials-file and --no-smtp-credentials: choose one");
      }
      boolean smtpOption = smtpHost != null || smtpPort != null || smtpFrom != null || smtpTo != null
          || smtpCredentialsFile != null || noSmtpCredentials;
      if (noSmtp && smtpOption) throw new CliError("--no-smtp: no other --smtp-* option goes with it");
      if (webhookFile == null && !noWebhook && !noSmtp && !smtpOption) {
        throw new CliError("notify set: nothing to set (--webhook-file FILE, --smtp-host H, --no-webhook, --no-smtp, "
            + "...; see --help)");
      }
      try {
        String hook = webhookFile == null ? null : NotifySettings.webhookFile(webhookFile, "--webhook-file");
        if (smtpHost != null) NotifySettings.host(smtpHost, "--smtp-host");
        if (smtpPort != null) NotifySettings.port(smtpPort, "--smtp-port");
        if (smtpFrom != null) NotifySettings.mailbox(smtpFrom, "--smtp-from");
        List<String> to = null;
        if (smtpTo != null) {
          to = new ArrayList<>();
          for (String a : smtpTo) to.add(NotifySettings.mailbox(a, "--smtp-to"));
        }
        String[] creds = smtpCredentialsFile == null ? null : NotifySettings.credentialsFile(smtpCredentialsFile,
            "--smtp-credentials-file");
        return new Change(hook, noWebhook, smtpHost, smtpPort, smtpFrom, to, creds == null ? null : creds[0],
            creds == null ? null : creds[1], noSmtpCredentials, noSmtp);
      } catch (ConfigException e) {
        throw new CliError(e.getMessage());
      }
    }
  }

  /** A checked `notify set`: applied to the current settings (again on a compare-and-set retry). */
  record Change(String webhook, boolean noWebhook, String host, Integer port, String from, List<String> to,
      String user, String password, boolean noCredentials, boolean noSmtp) {
    boolean touchesSmtp() {
      return host != null || port != null || from != null || to != null || user != null || noCredentials;
    }

    NotifySettings apply(NotifySettings cur) {
      String hook = noWebhook ? null : webhook != null ? webhook : cur.webhook();
      NotifySettings.Smtp smtp = cur.smtp();
      if (noSmtp) {
        smtp = null;
      } else if (touchesSmtp()) {
        NotifySettings.Smtp o = smtp;
        String h = host != null ? host : o == null ? null : o.host();
        String f = from != null ? from : o == null ? null : o.from();
        List<String> t = to != null ? to : o == null ? null : o.to();
        if (h == null || f == null || t == null) {
          throw new CliError((h == null ? "--smtp-host" : f == null ? "--smtp-from" : "--smtp-to") + ": is required "
              + "(the cluster has no e-mail settings yet: give --smtp-host, --smtp-from and --smtp-to); nothing was "
              + "written");
        }
        int p = port != null ? port : o == null ? NotifySettings.SMTP_PORT : o.port();
        String u = noCredentials ? null : user != null ? user : o == null ? null : o.username();
        String pw = noCredentials ? null : user != null ? password : o == null ? null : o.password();
        smtp = new NotifySettings.Smtp(h, p, f, t, u, pw);
      }
      return new NotifySettings(hook, smtp);
    }

    /** Never the credentials (a record's own toString would print them). */
    @Override
    public String toString() {
      return "Change[webhook " + (webhook == null ? "-" : NotifySettings.redact(webhook)) + "]";
    }
  }

  @Command(name = "show", description = "The cluster's notifications, redacted (webhook: scheme, host and port; "
      + "e-mail: no password). Needs an admin credential: viewers may not read them.")
  static final class Show implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Mixin
    OutputOption output = new OutputOption();

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        NotifySettings s = read(admin);
        if (output.json()) {
          OutputOption.print(Api.notifySettings(s), System.out); // redacted alike
          return 0;
        }
        System.out.println("webhook: " + (s.webhook() == null ? "(none)" : NotifySettings.redact(s.webhook())));
        System.out.println("e-mail:  " + (s.smtp() == null ? "(none)" : s.smtp()));
        if (!s.any()) System.out.println("(no notifications are sent: palisade notify set ...)");
      }
      return 0;
    }
  }

  @Command(name = "test", description = "Record an ALERT event in the cluster's log; the manager's node sends it "
      + "through every channel like any other (proves the whole chain). Subject to the rate limit (10 a minute).")
  static final class Test implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        NotifySettings s = read(admin);
        if (!s.any()) {
          throw new CliError("notify test: no notifications are set (palisade notify set --webhook-file FILE or "
              + "--smtp-host H --smtp-from A --smtp-to A); nothing was recorded");
        }
        String host = Admin.hostName();
        String line = "ALERT: test notification requested by " + admin.credential().who() + " on " + host;
        if (!admin.record(host, "operator " + admin.credential().who() + " on " + host, line)) {
          throw new CliError("notify test: the store did not take the event; nothing was sent", 1);
        }
        System.out.println("recorded '" + line + "': the node holding the manager lease sends it within seconds "
            + "(to " + s + ")");
      }
      return 0;
    }
  }
}
