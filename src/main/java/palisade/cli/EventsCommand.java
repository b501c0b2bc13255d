package palisade.cli;

import java.time.Instant;
import java.util.concurrent.Callable;
import palisade.runtime.store.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `palisade events [--follow]`: the cluster event log as the daemons store it. */
@Command(name = "events", description = "The cluster's event log")
final class EventsCommand implements Callable<Integer> {
  static final long FOLLOW_POLL_MS = 250;

  @Mixin
  StoreOptions store = new StoreOptions();

  @Option(names = "--follow", description = "keep printing new events")
  boolean follow;

  @Option(names = {"-n", "--last"}, defaultValue = "50", description = "how many past events (default 50)")
  int last;

  @Override
  public Integer call() throws Exception {
    if (last < 0) throw new CliError("--last must not be negative");
    try (Admin admin = store.admin()) {
      String after = null;
      for (Admin.Event e : admin.events(null, last)) {
        print(e);
        after = e.id();
      }
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

  static void print(Admin.Event e) {
    System.out.println(Instant.ofEpochMilli(e.t()) + " " + e.source() + ": " + e.message());
    System.out.flush();
  }
}
