package palisade.core;

/** An operator command for the manager, numbered by the store's command queue. */
public sealed interface Command {
  long seq();

  record Migrate(long seq, String resource, String node) implements Command {}

  record Relocate(long seq, String resource, String node) implements Command {}

  record Maintenance(long seq, String node, boolean on) implements Command {}

  record FenceConfirm(long seq, String node, String by) implements Command {}
}
