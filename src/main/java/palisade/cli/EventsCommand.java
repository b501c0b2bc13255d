package palisade.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import palisade.runtime.store.Admin;
import palisade.web.Api;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `palisade events [--follow] [-o json]`: the cluster event log as the daemons store it. */
@Command(name = "events", description = "The cluster's event log")
final class EventsCommand implements Callable<Integer> {
  static final long FOLLOW_POLL_MS = 250;

  @Mixin
  StoreOptions store = new StoreOptions();

  @Option(names = "--follow", description = "keep printing new events")
  boolean follow;

  @Option(names = {"-n", "--last"}, defaultValue = "50", description = "how many past events (default 50)")
  int last;

  @Mixin
  OutputOption output = new OutputOption();

  @Override
  public Integer call() throws Exception {
    if (last < 0) throw new CliError("--last must not be negative");
    try (Admin admin = store.admin()) {
      List<Admin.Event> past = admin.events(null, last);
      if (output.json() && !follow) {
        OutputOption.print(Api.events(past), System.out); // exactly the body of GET /api/events?last=N
        return 0;
      }
      // Follow from the newest event now, even when none of the past is shown (-n 0): only what happens next.
      String after = past.isEmpty() ? admin.events(null, 1).stream().map(Admin.Event::id).findFirst().orElse("")
          : past.get(past.size() - 1).id();
      for (Admin.Event e : past) print(e);
      while (follow) {
        Thread.sleep(FOLLOW_POLL_MS);
        for (Admin.Event e : admin.events(after, Integer.MAX_VALUE)) {
          print(e);
          after = e.id();
        }
      }
    }
    return 0;
  }

  /** One event: a table line, or with {@code -o json --follow} one API event object a line (JSON Lines). */
  private void print(Admin.Event e) {
    if (output.json()) {
      OutputOption.printLine(Api.event(e), System.out);
    } else {
      print(e, System.out);
    }
  }

  static void print(Admin.Event e, PrintStream out) {
    out.println(Reads.time(e.t()) + " " + e.source() + ": " + e.message());
    out.flush();
  }
}
